"""Crisis detection keeps what its windows need, by the bridge's clock: a cluster idle for its time to
live is forgotten with everything counted for it, and minute buckets older than the window go as
new mentions arrive. Before, a week of mentions replayed in compressed time kept every one-off
cluster and every bucket (163 MB after 100,000 mentions), waiting for Redis' wall-clock expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bridge.crisis.clusters import ClusterIndex
from bridge.crisis.counts import RollingCounts, minute_of
from bridge.store.cases import Store

TTL = 3600
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
WORDS = ["kettle", "parcel", "invoice", "blender", "toaster", "login", "refund", "courier", "coffee", "order"]


def one_off(i: int) -> str:
    """A post like no other: its own cluster."""
    return "@AcmeHelp " + " ".join(f"{WORDS[(i + k) % 10]}{i}x{k}" for k in range(6))


def keys(store: Store) -> list[str]:
    return sorted(k.decode() for k in store.r.scan_iter(match=store.prefix + "*", count=1000))


def test_clusters_idle_past_their_ttl_are_forgotten_with_their_counts(store: Store) -> None:
    index = ClusterIndex(store.r, store.k("crisis", ""))
    counts = RollingCounts(store.r, store.k("crisis", ""))
    for i in range(10):
        found = index.assign(one_off(i), TTL, T0.timestamp(), minute_of(T0))
        assert found is not None
        counts.observe(found[0], at=T0, now=T0, window_minutes=15, learn=False)
    later = T0 + timedelta(seconds=TTL + 60)
    for i in range(10, 13):  # each new mention forgets a few idle clusters
        index.assign(one_off(i), TTL, later.timestamp(), minute_of(later))
    left = [k for k in keys(store) if ":t:cluster-" in k or ":lsh:label:" in k]
    assert all(
        f"cluster-{n}:" not in k and not k.endswith(f"label:{n}") for n in range(1, 11) for k in left
    ), left
    assert any(k.endswith("label:13") for k in left), "the new clusters are there"


def test_minute_buckets_older_than_the_window_go_as_mentions_arrive(store: Store) -> None:
    counts = RollingCounts(store.r, store.k("crisis", ""))
    for minute in range(0, 240, 5):  # four hours of a named topic, a mention every five minutes
        at = T0 + timedelta(minutes=minute)
        counts.observe("recall", at=at, now=at, window_minutes=15)
    buckets = [k for k in keys(store) if ":t:recall:m:" in k]
    assert len(buckets) <= (15 + 60) // 5 + 2, f"{len(buckets)} minute buckets kept"
    stats = counts.window("recall", now=T0 + timedelta(minutes=235), window_minutes=15)
    assert stats.count == 3, "the window itself is intact"
