"""Near-duplicate clusters: the same complaint in slightly different words lands in one cluster."""

from __future__ import annotations

import pytest

from bridge.crisis.clusters import ClusterIndex, estimated_similarity, jaccard, normalise, signature
from bridge.store.cases import Store

TTL = 3600
BASE = "@AcmeHelp the new Acme app update deleted all my saved recipes and favourites, please fix"


def test_normalising_drops_case_links_handles_and_punctuation() -> None:
    assert normalise("@AcmeHelp WHY?! https://t.co/x1 my Kettle... broke") == ["why", "my", "kettle", "broke"]


def test_signatures_are_stable_and_estimate_similarity() -> None:
    a, b = normalise(BASE), normalise(BASE.replace("please fix", "fix it now"))
    assert signature(a) == signature(list(a)), "the same text always gives the same signature"
    assert estimated_similarity(signature(a), signature(a)) == 1.0
    assert estimated_similarity(signature(a), signature(b)) == pytest.approx(
        jaccard(BASE, BASE[:-10] + "fix it now"), abs=0.3
    )
    other = normalise("loving the new espresso machine, best coffee I have had in years")
    assert estimated_similarity(signature(a), signature(other)) < 0.2


def test_near_duplicates_share_a_cluster_and_other_posts_do_not(store: Store) -> None:
    index = ClusterIndex(store.r, store.k("crisis", ""))
    first = index.assign(BASE, TTL)
    assert first is not None and first[1], "the first post starts a cluster"
    variants = [
        "@AcmeHelp The new Acme app update deleted all my saved recipes and favourites!! please fix",
        "the new acme app update deleted all my saved recipes and favourites please fix @AcmeHelp",
        "@AcmeHelp hey, the new Acme app update deleted all my saved recipes and favourites, please fix asap",
    ]
    for text in variants:
        assert index.assign(text, TTL) == (first[0], False)
    unrelated = index.assign("@AcmeHelp is the flagship store on Main Street open on Sundays?", TTL)
    assert unrelated is not None and unrelated[0] != first[0] and unrelated[1]
    assert "new acme app update" in index.label(first[0])


def test_too_short_to_tell_is_not_clustered(store: Store) -> None:
    assert ClusterIndex(store.r, store.k("crisis", "")).assign("@AcmeHelp help!!", TTL) is None
