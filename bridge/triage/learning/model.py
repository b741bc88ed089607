"""The fitted "needs a person" model: logistic regression over hashed features, in numpy.

A small implementation instead of scikit-learn: the model is one weight per bucket and a bias, the
fit is a few hundred full-batch steps over a sparse matrix, and numpy is already installed (scipy and
scikit-learn would add some 100 MB for the same line). Saved as a compressed ``.npz`` with its feature
version, its threshold, when it was fitted and the cross-validated figures that earned its place.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bridge.triage.learning.features import BUCKETS, FEATURE_VERSION, Vector

MODEL_FILE = "triage-model.npz"
DEFAULT_THRESHOLD = 0.5
L2 = 1e-4
STEPS = 300
LEARNING_RATE = 0.05

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Rows:
    """Labelled vectors as one sparse matrix (compressed rows)."""

    row_of: npt.NDArray[np.int64]  # for each stored value, its row
    indices: npt.NDArray[np.int64]
    values: Floats
    count: int

    @classmethod
    def of(cls, vectors: Sequence[Vector]) -> Rows:
        sizes = [len(v) for v in vectors]
        indices = np.fromiter((i for v in vectors for i in v), dtype=np.int64, count=sum(sizes))
        values = np.fromiter((x for v in vectors for x in v.values()), dtype=np.float64, count=sum(sizes))
        return cls(np.repeat(np.arange(len(vectors)), sizes), indices, values, len(vectors))

    def scores(self, weights: Floats, bias: float) -> Floats:
        contributions = weights[self.indices] * self.values
        summed = np.bincount(self.row_of, weights=contributions, minlength=self.count) + bias
        return np.asarray(summed, dtype=np.float64)

    def gradient(self, residuals: Floats, size: int = BUCKETS) -> Floats:
        summed = np.bincount(self.indices, weights=self.values * residuals[self.row_of], minlength=size)
        return np.asarray(summed, dtype=np.float64)


def sigmoid(z: Floats) -> Floats:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))), dtype=np.float64)


def fit_weights(
    rows: Rows, targets: Floats, sample_weights: Floats, *, size: int = BUCKETS, l2: float = L2
) -> tuple[Floats, float]:
    """Weights and bias minimising weighted log loss plus an L2 penalty (Adam, full batch); ``size``
    columns (the hashed buckets; a benchmark may add its own)."""
    weights = np.zeros(size)
    bias = 0.0
    share = sample_weights / sample_weights.sum()
    m, v = np.zeros(size), np.zeros(size)
    mb = vb = 0.0
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, STEPS + 1):
        residuals = (sigmoid(rows.scores(weights, bias)) - targets) * share
        grad = rows.gradient(residuals, size) + l2 * weights
        grad_bias = float(residuals.sum())
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad * grad
        mb = beta1 * mb + (1 - beta1) * grad_bias
        vb = beta2 * vb + (1 - beta2) * grad_bias * grad_bias
        correction = LEARNING_RATE * np.sqrt(1 - beta2**step) / (1 - beta1**step)
        weights -= correction * m / (np.sqrt(v) + eps)
        bias -= correction * mb / (np.sqrt(vb) + eps)
    return weights, bias


@dataclass(frozen=True)
class NeedModel:
    """Says how likely a person is needed for a mention, from its hashed features."""

    weights: Floats
    bias: float
    threshold: float = DEFAULT_THRESHOLD
    fitted_at: str = ""  # ISO date
    labels: int = 0  # how many labels it was fitted on
    figures: str = ""  # the cross-validated figures that earned it its place

    def probability(self, vector: Vector) -> float:
        if not vector:
            return float(sigmoid(np.array([self.bias]))[0])
        indices = np.fromiter(vector.keys(), dtype=np.int64, count=len(vector))
        values = np.fromiter(vector.values(), dtype=np.float64, count=len(vector))
        score = float(self.weights[indices] @ values) + self.bias
        return 1.0 / (1.0 + math.exp(-min(max(score, -30.0), 30.0)))

    def probabilities(self, rows: Rows) -> Floats:
        return sigmoid(rows.scores(self.weights, self.bias))

    def save(self, path: Path) -> None:
        """Write atomically: a process reloading it sees the old model or the new one, never half."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial.npz")
        np.savez_compressed(
            partial,
            weights=self.weights.astype(np.float32),
            bias=np.float64(self.bias),
            threshold=np.float64(self.threshold),
            version=np.int64(FEATURE_VERSION),
            buckets=np.int64(BUCKETS),
            fitted_at=np.str_(self.fitted_at),
            labels=np.int64(self.labels),
            figures=np.str_(self.figures),
        )
        os.replace(partial, path)

    @classmethod
    def load(cls, path: Path) -> NeedModel:
        """The model saved at ``path``; ValueError when it was made for other features."""
        with np.load(path, allow_pickle=False) as data:
            version, buckets = int(data["version"]), int(data["buckets"])
            if version != FEATURE_VERSION or buckets != BUCKETS:
                raise ValueError(
                    f"{path} holds a model of feature version {version} ({buckets} buckets); this "
                    f"bridge makes version {FEATURE_VERSION} ({BUCKETS}): run `bridge triage fit` again"
                )
            return cls(
                weights=data["weights"].astype(np.float64),
                bias=float(data["bias"]),
                threshold=float(data["threshold"]),
                fitted_at=str(data["fitted_at"]),
                labels=int(data["labels"]),
                figures=str(data["figures"]),
            )


__all__ = ["MODEL_FILE", "NeedModel", "Rows", "fit_weights", "sigmoid"]
