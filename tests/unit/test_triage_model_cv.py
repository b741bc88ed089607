"""The model benchmark's figures are cross-validated for real: no group is split across folds, and a
post is never decided by a model, or a threshold, that saw it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from bench.social_text import Post
from bench.triage_cv import FOLDS, Logistic, Sparse, folds_of, lowest_threshold, nested
from bridge.triage.learning.features import vectorise

SIZE = 1000


def posts() -> list[Post]:
    made = []
    for n in range(60):  # 60 conversations of 2 posts each, 60 controls, 40 complaints
        made += [Post(f"ask {n}", "ibm", f"c{n}"), Post(f"again {n}", "ibm", f"c{n}")]
        made.append(Post(f"chatter {n}", "random_tweet", f"t{n}"))
    made += [Post(f"complaint {n}", "complaint", f"k{n}") for n in range(40)]
    return made


def memorising(seen: Sequence[Post], rows: Sequence[Sparse]) -> Logistic:
    """A model that knows each training post's answer by heart and nothing else."""
    weights = np.zeros(SIZE)
    for post, row in zip(seen, rows, strict=True):
        for column in row:
            weights[column] = 30.0 if post.needs_person else -30.0
    return Logistic(weights, 0.0)


def test_a_group_stays_in_one_fold_and_every_fold_holds_every_source() -> None:
    made = posts()
    folds = folds_of(made)
    by_group: dict[str, set[int]] = {}
    for post, fold in zip(made, folds, strict=True):
        by_group.setdefault(post.group, set()).add(fold)
    assert all(len(f) == 1 for f in by_group.values())
    for source in ("ibm", "random_tweet", "complaint"):
        assert set(Counter(f for p, f in zip(made, folds, strict=True) if p.source == source)) == set(
            range(FOLDS)
        )


def test_no_post_is_decided_by_a_model_that_saw_it() -> None:
    made = posts()
    rows: list[Sparse] = [{i: 1.0} for i in range(len(made))]  # one column per post: nothing generalises
    decided, thresholds = nested(made, rows, memorising, lambda p: True, lambda p: p.source == "random_tweet")
    assert not any(decided)  # a leak would decide every post it memorised correctly
    assert thresholds == [0.51] * FOLDS  # unseen rows all score 0.5, so do the inner controls


def test_the_threshold_is_the_lowest_that_keeps_controls_false_alarms_in_target() -> None:
    scores = np.array([0.9, 0.3, 0.2, 0.1, 0.8, 0.7])
    controls = [False, True, True, True, True, True]  # controls score 0.3, 0.2, 0.1, 0.8, 0.7
    assert lowest_threshold(scores, controls, target=0.2) == 0.71  # one control in five over it
    assert lowest_threshold(scores, controls, target=0.0) == 0.81


def test_features_without_character_grams_hold_only_words_and_word_pairs() -> None:
    assert len(vectorise("parcel late", [], char_grams=())) == 3  # two words and the pair
    assert len(vectorise("parcel late", [])) > 3  # the default adds character n-grams
