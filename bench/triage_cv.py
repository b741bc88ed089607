"""How ``bench/triage_models.py`` cross-validates a model of "should a person look": grouped folds,
a threshold chosen inside the training folds, and the product's own numpy logistic regression.

Every figure it yields for a post comes from a model that never saw that post, nor any post of its
group (an IBM conversation), and from a threshold chosen without it: within each outer training
set, inner folds give out-of-fold scores, and the threshold is the lowest that keeps the inner
controls' false alarms at or under the target. A threshold picked on the scored rows themselves
would flatter every approach, so none is.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bench.social_text import Post
from bridge.triage.learning.model import Rows, fit_weights, sigmoid

Floats = npt.NDArray[np.float64]
Sparse = dict[int, float]

FOLDS = 5
INNER_FOLDS = 4
SEED = 0
MAX_FALSE_ALARMS = 0.10  # issue 11's target for (c)
THRESHOLDS = tuple(round(0.02 + 0.01 * i, 2) for i in range(97))


@dataclass(frozen=True)
class Logistic:
    weights: Floats
    bias: float

    def probabilities(self, rows: Sequence[Sparse]) -> Floats:
        return sigmoid(Rows.of(rows).scores(self.weights, self.bias))


def fit_logistic(
    rows: Sequence[Sparse], targets: Sequence[float], sample_weights: Sequence[float], size: int, l2: float
) -> Logistic:
    """Weighted log loss plus an L2 penalty, as ``bridge triage fit`` fits (its own fitter)."""
    y = np.asarray(targets, dtype=np.float64)
    share = np.asarray(sample_weights, dtype=np.float64)
    weights, bias = fit_weights(Rows.of(rows), y, share, size=size, l2=l2)
    return Logistic(weights, bias)


def folds_of(posts: Sequence[Post], folds: int = FOLDS, seed: int = SEED) -> list[int]:
    """Each post's fold: whole groups dealt round-robin within each source, so every fold holds
    every file in proportion and no group is split."""
    fold_of_group: dict[str, int] = {}
    by_source: dict[str, list[str]] = {}
    for post in posts:
        group = post.group or post.text
        if group not in by_source.setdefault(post.source, []):
            by_source[post.source].append(group)
    rng = random.Random(seed)
    for source in sorted(by_source):
        groups = sorted(by_source[source])
        rng.shuffle(groups)
        for k, group in enumerate(groups):
            fold_of_group.setdefault(group, k % folds)
    return [fold_of_group[post.group or post.text] for post in posts]


#: Fits on (posts, rows) and returns a scorer of rows.
Trainer = Callable[[Sequence[Post], Sequence[Sparse]], Logistic]


def lowest_threshold(scores: Floats, is_control: Sequence[bool], target: float = MAX_FALSE_ALARMS) -> float:
    """The lowest threshold at which the controls' false alarms are at or under ``target``."""
    controls = scores[np.asarray(is_control, dtype=bool)]
    for t in THRESHOLDS:
        if not len(controls) or float(np.mean(controls >= t)) <= target:
            return t
    return 1.0


def out_of_fold(
    posts: Sequence[Post], rows: Sequence[Sparse], train: Trainer, folds: Sequence[int]
) -> Floats:
    """Each row's probability from a model fitted on the other folds."""
    scores = np.zeros(len(posts))
    for k in sorted(set(folds)):
        inside = [i for i, f in enumerate(folds) if f != k]
        held = [i for i, f in enumerate(folds) if f == k]
        model = train([posts[i] for i in inside], [rows[i] for i in inside])
        scores[held] = model.probabilities([rows[i] for i in held])
    return scores


def nested(
    posts: Sequence[Post],
    rows: Sequence[Sparse],
    train: Trainer,
    trains_on: Callable[[Post], bool],
    is_control: Callable[[Post], bool],
    extra: Sequence[tuple[Post, Sparse]] = (),
) -> tuple[list[bool], list[float]]:
    """Cross-validated decisions for every post, and each outer fold's threshold.

    ``trains_on`` says which posts may be training rows (the rest are only scored); ``extra`` rows
    (other corpora) join every training set and never get scored; ``is_control`` names the rows
    whose false alarms the threshold holds to the target, among training rows and ``extra``.
    """
    folds = folds_of(posts)
    decided = [False] * len(posts)
    thresholds = []
    for k in range(FOLDS):
        inside = [i for i, f in enumerate(folds) if f != k and trains_on(posts[i])]
        train_posts = [posts[i] for i in inside] + [p for p, _ in extra]
        train_rows = [rows[i] for i in inside] + [r for _, r in extra]
        inner = folds_of(train_posts, INNER_FOLDS, SEED + 1 + k)
        inner_scores = out_of_fold(train_posts, train_rows, train, inner)
        threshold = lowest_threshold(inner_scores, [is_control(p) for p in train_posts])
        thresholds.append(threshold)
        held = [i for i, f in enumerate(folds) if f == k]
        scores = train(train_posts, train_rows).probabilities([rows[i] for i in held])
        for i, s in zip(held, scores, strict=True):
            decided[i] = bool(s >= threshold)
    return decided, thresholds


def balanced_weights(posts: Sequence[Post]) -> list[float]:
    """Each source weighs the same in total, so 1,000 IBM posts do not drown 400 complaints."""
    counts: dict[str, int] = {}
    for post in posts:
        counts[post.source] = counts.get(post.source, 0) + 1
    return [1.0 / counts[post.source] for post in posts]


__all__ = [
    "FOLDS",
    "MAX_FALSE_ALARMS",
    "Logistic",
    "Sparse",
    "Trainer",
    "balanced_weights",
    "fit_logistic",
    "folds_of",
    "lowest_threshold",
    "nested",
    "out_of_fold",
]
