"""Mastodon mentions pushed on the instance's streaming API become cases at once: a real ``bridge poll``
process (Mastodon.py's user stream in a daemon thread) against the Mastodon stand-in's server-sent
events, with a poll interval of an hour, so only the stream can bring the mention in time."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from standins.harness import LocalBridge
from standins.mastodon_api import TOKEN
from tests.faults.bridge_processes import BridgeProcess, bridge_environment, wait_until
from tests.support.platforms import instance

pytestmark = pytest.mark.e2e

REFUND = "I was charged twice for order 88231, I need a refund"


@pytest.fixture
def bridge(mastodon_bridge: LocalBridge) -> LocalBridge:
    return mastodon_bridge


def test_a_mention_pushed_on_the_stream_becomes_one_card_without_waiting_for_the_poll(
    bridge: LocalBridge, tmp_path: Path
) -> None:
    mastodon = instance(bridge)
    mastodon.heartbeat_seconds = 0.5
    env = bridge_environment(
        bridge,
        tmp_path / "poll",
        BRIDGE_POLL_SECONDS="3600",
        MASTODON_BASE_URL=str(bridge.rt.settings.mastodon_base_url),
        MASTODON_ACCESS_TOKEN=TOKEN,
    )
    early = mastodon.add_mention("early@remote.social", "where is my parcel 4411?")
    poll = BridgeProcess(env, command="poll", log=tmp_path / "poll.log")
    try:
        # the first poll reads the early mention; after it, the next poll is an hour away
        wait_until(lambda: bridge.rt.store.case_for_post("mastodon", early["id"]), timeout=60, what="a poll")
        wait_until(lambda: mastodon.listeners == 1, timeout=30, what="the user stream")

        status = mastodon.add_mention("maria@remote.social", REFUND, name="Maria K.")
        took = wait_until(
            lambda: bridge.rt.store.case_for_post("mastodon", status["id"]),
            timeout=30,
            what="the streamed mention's case (the poll would take an hour)",
        )
        assert poll.process.poll() is None, poll.output()
        poll.signal_group(signal.SIGTERM)
        code = poll.wait(timeout=30)
    finally:
        poll.kill_everything()
    assert code == 0, poll.output()
    assert took < 30
    wait_until(lambda: mastodon.listeners == 0, timeout=10, what="the stream closed on the way out")
    assert "mastodon_stream_started" in poll.output(tail=100_000)

    number = bridge.rt.store.case_for_post("mastodon", status["id"])
    assert number is not None
    bridge.poll()  # the poll, the fallback, reads the same mention again: still one case
    bridge.drain()
    assert bridge.rt.store.case_for_post("mastodon", status["id"]) == number
    cases = {bridge.rt.store.case_for_post("mastodon", s["id"]) for s in mastodon.state.statuses.values()}
    assert len(cases - {None}) == 2, "two mentions, two cases"
    assert "88231" in repr(bridge.card_of(number)["blocks"])


def test_when_the_stream_drops_the_poll_still_reads_mentions_and_the_stream_comes_back(
    bridge: LocalBridge, tmp_path: Path
) -> None:
    mastodon = instance(bridge)
    mastodon.heartbeat_seconds = 0.5
    env = bridge_environment(
        bridge,
        tmp_path / "poll",
        BRIDGE_POLL_SECONDS="1",
        MASTODON_BASE_URL=str(bridge.rt.settings.mastodon_base_url),
        MASTODON_ACCESS_TOKEN=TOKEN,
    )
    poll = BridgeProcess(env, command="poll", log=tmp_path / "poll.log")
    try:
        wait_until(lambda: mastodon.listeners == 1, timeout=30, what="the user stream")
        mastodon.streaming = False
        mastodon.end_streams()  # the streaming server goes away, and refuses reconnections for now
        wait_until(lambda: mastodon.listeners == 0, timeout=10, what="the stream to drop")
        status = mastodon.add_mention("maria@remote.social", REFUND, name="Maria K.")
        wait_until(
            lambda: bridge.rt.store.case_for_post("mastodon", status["id"]),
            timeout=30,
            what="the polled case",
        )
        mastodon.streaming = True
        wait_until(lambda: mastodon.listeners == 1, timeout=30, what="the stream to reconnect")
        assert mastodon.streams_opened == 2
        assert poll.process.poll() is None, poll.output()
        poll.signal_group(signal.SIGTERM)
        code = poll.wait(timeout=30)
    finally:
        poll.kill_everything()
    assert code == 0, poll.output()
