"""``bridge triage fit``: fit the model on the desk's labels, compare it with the rules, keep it only
when it is better.

The model is consulted only where the rules say noise (see ``Triager._second_opinion``), so what is
compared is what triage would do: the rules alone, against the rules with the model (a person looks
when either says so). Both are scored on the same labels, the model out of fold (k-fold cross
validation: each label is predicted by a model that never saw it). The model is saved when its F1 is
higher than the rules' by at least :data:`MIN_F1_GAIN`; recall matters most, but a model that sends
everything to a person would raise recall too, and F1 does not let it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from bridge.store.labels import Label
from bridge.triage.learning.features import FEATURE_VERSION
from bridge.triage.learning.model import DEFAULT_THRESHOLD, NeedModel, Rows, fit_weights

FOLDS = 5
MIN_LABELS = 30
MIN_EACH = 5  # labels of each answer
MIN_F1_GAIN = 0.01
SEED = 0

Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int

    @classmethod
    def of(cls, truth: Bools, said: Bools) -> Scores:
        tp = int(np.sum(truth & said))
        fp = int(np.sum(~truth & said))
        fn = int(np.sum(truth & ~said))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(precision, recall, f1, tp, fp, fn)

    def describe(self) -> str:
        return (
            f"precision {self.precision:.3f}  recall {self.recall:.3f}  F1 {self.f1:.3f}  "
            f"({self.true_positives} found, {self.false_positives} needlessly, {self.false_negatives} missed)"
        )


def truth_of(labels: Sequence[Label]) -> Bools:
    return np.array([label.answer == "1" for label in labels], dtype=bool)


def rules_say(labels: Sequence[Label]) -> Bools:
    return np.array([label.rules == "respond" for label in labels], dtype=bool)


def with_model(labels: Sequence[Label], probabilities: npt.NDArray[np.float64], threshold: float) -> Bools:
    """What triage does with the model: the rules' respond, plus the model's where the rules say noise."""
    noise = np.array([label.rules == "noise" for label in labels], dtype=bool)
    return rules_say(labels) | (noise & (probabilities >= threshold))


def train(labels: Sequence[Label], fitted_at: str = "", threshold: float = DEFAULT_THRESHOLD) -> NeedModel:
    rows = Rows.of([label.features for label in labels])
    weights, bias = fit_weights(
        rows,
        truth_of(labels).astype(np.float64),
        np.array([label.weight for label in labels], dtype=np.float64),
    )
    return NeedModel(weights, bias, threshold, fitted_at, len(labels))


def out_of_fold(labels: Sequence[Label], folds: int = FOLDS, seed: int = SEED) -> npt.NDArray[np.float64]:
    """Each label's probability from a model fitted on the other folds."""
    order = list(range(len(labels)))
    random.Random(seed).shuffle(order)
    probabilities = np.zeros(len(labels))
    for fold in range(folds):
        held = set(order[fold::folds])
        model = train([label for i, label in enumerate(labels) if i not in held])
        held_rows = sorted(held)
        probabilities[held_rows] = model.probabilities(Rows.of([labels[i].features for i in held_rows]))
    return probabilities


def evaluate(model: NeedModel, labels: Sequence[Label]) -> tuple[Scores, Scores]:
    """(the rules, the rules with ``model``) on ``labels``."""
    probabilities = model.probabilities(Rows.of([label.features for label in labels]))
    truth = truth_of(labels)
    return Scores.of(truth, rules_say(labels)), Scores.of(
        truth, with_model(labels, probabilities, model.threshold)
    )


@dataclass(frozen=True)
class Fit:
    labels: int
    needed: int
    rules: Scores | None = None
    model: Scores | None = None
    fitted: NeedModel | None = None  # set only when it is better than the rules
    verdict: str = ""


def fit(all_labels: Sequence[Label], today: date, folds: int = FOLDS) -> Fit:
    """Cross-validate, compare with the rules, and fit on every label when the model earns it."""
    labels = [label for label in all_labels if label.task == "need" and label.version == FEATURE_VERSION]
    needed = sum(label.answer == "1" for label in labels)
    if len(labels) < MIN_LABELS or min(needed, len(labels) - needed) < MIN_EACH:
        why = (
            f"Not enough labels to fit: {len(labels)} ({needed} needed a person); at least {MIN_LABELS}, "
            f"{MIN_EACH} of each kind. The desk's answers, rescues and reasoned ignores add more."
        )
        return Fit(len(labels), needed, verdict=why)
    unsure = _where_the_model_decides(labels)
    if unsure:
        return Fit(len(labels), needed, verdict=unsure)
    truth = truth_of(labels)
    rules = Scores.of(truth, rules_say(labels))
    model = Scores.of(truth, with_model(labels, out_of_fold(labels, folds), DEFAULT_THRESHOLD))
    if model.f1 < rules.f1 + MIN_F1_GAIN:
        why = (
            f"Not saved: with the model F1 is {model.f1:.3f}, the rules alone {rules.f1:.3f}; a model must "
            f"beat them by {MIN_F1_GAIN}. Triage keeps what it uses now."
        )
        return Fit(len(labels), needed, rules, model, verdict=why)
    figures = f"{folds}-fold F1 {model.f1:.3f} (rules {rules.f1:.3f}) on {len(labels)} labels"
    fitted = NeedModel(*_trained(labels), DEFAULT_THRESHOLD, today.isoformat(), len(labels), figures)
    return Fit(len(labels), needed, rules, model, fitted, f"Better than the rules: {figures}.")


def _where_the_model_decides(labels: Sequence[Label]) -> str:
    """Why the labels cannot teach the model its one job, or ''.

    The model only decides where the rules say noise, so it needs posts there that people wanted
    (rescued) and posts they did not (set aside for a week, or ignored with a reason). Right after
    a busy week the set-aside ones are not old enough to count yet; fitted then, a model would learn
    that everything the rules set aside needs a person.
    """
    noise = [label for label in labels if label.rules == "noise"]
    wanted = sum(label.answer == "1" for label in noise)
    if min(wanted, len(noise) - wanted) >= MIN_EACH:
        return ""
    return (
        f"Not enough labels where the rules say noise, which is where the model decides: {wanted} "
        f"rescued, {len(noise) - wanted} not needed; at least {MIN_EACH} of each. Posts set aside by "
        "triage count as not needed once nobody has rescued them for a week: fit again then."
    )


def _trained(labels: Sequence[Label]) -> tuple[npt.NDArray[np.float64], float]:
    model = train(labels)
    return model.weights, model.bias


__all__ = ["Fit", "Scores", "evaluate", "fit", "out_of_fold", "train", "with_model"]
