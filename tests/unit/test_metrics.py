"""Counts kept in Redis, so every process adds to the same figures, rendered as Prometheus reads them."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from unittest.mock import patch

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import Metric
from redis.client import Pipeline

from bridge.app.health import quick_client
from bridge.app.metrics import MENTION_TO_CARD, REPLIES_FAILED, Meter, families
from bridge.store.cases import Store


class Snapshot:
    def __init__(self, meter: Meter) -> None:
        self.meter = meter

    def collect(self) -> Iterator[Metric]:
        return families(self.meter.read())


def exposition(meter: Meter) -> str:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(Snapshot(meter))
    return generate_latest(registry).decode()


def test_two_meters_on_one_redis_add_up(store: Store) -> None:
    web, worker = Meter(store.r, store.prefix), Meter(store.r, store.prefix)
    web.count(REPLIES_FAILED, platform="x", reason="rejected")
    worker.count(REPLIES_FAILED, platform="x", reason="rejected")
    worker.count(REPLIES_FAILED, platform="x", reason="gave_up")
    text = exposition(web)
    assert 'bridge_replies_failed_total{platform="x",reason="rejected"} 2.0' in text
    assert 'bridge_replies_failed_total{platform="x",reason="gave_up"} 1.0' in text


def test_mention_to_card_is_a_histogram_with_cumulative_buckets(store: Store) -> None:
    meter = Meter(store.r, store.prefix)
    for seconds in (3, 20, 20, 4000):
        meter.observe(MENTION_TO_CARD, seconds, platform="x")
    text = exposition(meter)
    assert 'bridge_mention_to_card_seconds_bucket{le="5",platform="x"} 1.0' in text
    assert 'bridge_mention_to_card_seconds_bucket{le="30",platform="x"} 3.0' in text
    assert 'bridge_mention_to_card_seconds_bucket{le="3600",platform="x"} 3.0' in text
    assert 'bridge_mention_to_card_seconds_bucket{le="+Inf",platform="x"} 4.0' in text
    assert 'bridge_mention_to_card_seconds_count{platform="x"} 4.0' in text
    assert 'bridge_mention_to_card_seconds_sum{platform="x"} 4043.0' in text


def test_a_count_that_cannot_reach_redis_is_dropped_not_raised() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    meter = Meter(quick_client(f"redis://127.0.0.1:{port}/0"), "gone:")
    meter.count(REPLIES_FAILED, platform="x", reason="rejected")  # the work it counts goes on


def test_first_response_by_platform_and_the_backlog_are_exposed_from_every_process(store: Store) -> None:
    from bridge.app.health import Health
    from bridge.app.metrics import FIRST_RESPONSE
    from tests.support.cases import routed_case

    Meter(store.r, store.prefix).observe(FIRST_RESPONSE, 600, platform="x")
    Meter(store.r, store.prefix).observe(FIRST_RESPONSE, 7000, platform="mastodon")
    for post, platform in (("1", "x"), ("2", "x"), ("3", "mastodon")):
        store.create_case_once(routed_case(post, platform=platform))
    health = Health(store.r, "metrics-test-queue", store.prefix)
    health.status = health.check()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(health)
    text = generate_latest(registry).decode()
    assert 'bridge_first_response_seconds_bucket{le="900",platform="x"} 1.0' in text
    assert 'bridge_first_response_seconds_bucket{le="3600",platform="mastodon"} 0.0' in text
    assert 'bridge_backlog_cases{platform="x"} 2.0' in text
    assert 'bridge_backlog_cases{platform="mastodon"} 1.0' in text
    assert "bridge_backlog_oldest_seconds " in text


def test_counts_held_in_a_block_are_written_once_when_it_ends_and_add_up(store: Store) -> None:
    meter = Meter(store.r, store.prefix)
    with meter.held():
        for seconds in (1, 2, 400):
            meter.observe(MENTION_TO_CARD, seconds, platform="x")
        meter.count(REPLIES_FAILED, platform="x", reason="rejected")
        assert store.r.hgetall(meter.key(MENTION_TO_CARD)) == {}, "nothing written inside the block"
    text = exposition(meter)
    assert 'bridge_mention_to_card_seconds_count{platform="x"} 3.0' in text
    assert 'bridge_mention_to_card_seconds_sum{platform="x"} 403.0' in text
    assert 'bridge_replies_failed_total{platform="x",reason="rejected"} 1.0' in text
    meter.count(REPLIES_FAILED, platform="x", reason="rejected")  # outside the block: at once
    assert 'bridge_replies_failed_total{platform="x",reason="rejected"} 2.0' in exposition(meter)


def test_the_backlog_reads_an_open_cases_platform_once_not_at_every_check(store: Store) -> None:
    from bridge.app.health import Health
    from tests.support.cases import routed_case

    for post, platform in (("1", "x"), ("2", "mastodon")):
        store.create_case_once(routed_case(post, platform=platform))
    health = Health(store.r, "metrics-test-queue", store.prefix)
    assert health.check().backlog == {"x": 1, "mastodon": 1}
    read: list[object] = []
    real_hget = Pipeline.hget

    def noted_hget(pipe: Pipeline, name: str, key: str) -> object:
        read.append(name)
        return real_hget(pipe, name, key)

    with patch.object(Pipeline, "hget", autospec=True, side_effect=noted_hget):
        store.create_case_once(routed_case("3", platform="x"))
        assert health.check().backlog == {"x": 2, "mastodon": 1}
    assert read == [f"{store.prefix}case:1003"], "only the newly open case is read"
