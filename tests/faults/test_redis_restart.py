"""Redis restarts (its data kept) while the bridge runs: scheduled work and polling carry on.

Before, RQ's scheduler died of the ``ConnectionError`` and came back about 13.6 minutes later (a
post deferred by a 3-second rate limit went out 815 s late), and ``bridge poll`` died with a
traceback, taking ``bridge run`` down with it.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.slack.cards import ACTION_IDS
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from tests.conftest import PLAYBOOK, running_bridge
from tests.e2e.test_concierge_loop import claimed_draft
from tests.e2e.test_hot_buttons import open_case
from tests.faults.bridge_processes import BridgeProcess, ThrowawayRedis, bridge_environment, wait_until

pytestmark = pytest.mark.e2e

DOWN_SECONDS = 8.0
"""Longer than redis-py's own retries (ten, capped at a second each) can bridge."""
RESUME_BOUND_SECONDS = 30
"""Far above what resuming takes (a few seconds), far below the 815 s it took."""


@pytest.fixture
def throwaway_redis(tmp_path: Path) -> Iterator[ThrowawayRedis]:
    with ThrowawayRedis(tmp_path / "redis") as server:
        yield server


@pytest.fixture
def bridge(throwaway_redis: ThrowawayRedis, tmp_path: Path) -> Iterator[LocalBridge]:
    with running_bridge(PLAYBOOK, throwaway_redis.url, tmp_path) as bridge:
        yield bridge


def our_replies(bridge: LocalBridge, post_id: str) -> list[str]:
    return [p.id for p in bridge.x.replies_to(post_id) if p.author_id == bridge.x.user_id]


def stop(process: BridgeProcess) -> int:
    process.signal_group(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    finally:
        process.kill_everything()


def test_a_post_deferred_by_a_rate_limit_goes_out_within_seconds_of_redis_coming_back(
    bridge: LocalBridge, throwaway_redis: ThrowawayRedis, tmp_path: Path
) -> None:
    number = claimed_draft(bridge)
    post_id = bridge.rt.store.get(number).post_id
    bridge.x.fail_next("POST /2/tweets", status=429, reset_in=3)
    run = BridgeProcess(bridge_environment(bridge, tmp_path / "run"), log=tmp_path / "run.log")
    try:
        assert bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1").status == 200
        wait_until(bridge.scheduled, timeout=90, what="X's rate limit to defer the post to a scheduled job")
        assert bridge.rt.store.get(number).state == State.APPROVED
        back = throwaway_redis.restart(DOWN_SECONDS)
        try:
            wait_until(
                lambda: bridge.rt.store.get(number).state == State.POSTED,
                timeout=RESUME_BOUND_SECONDS,
                what="the deferred post after Redis came back",
            )
        except AssertionError as late:  # what bridge run said, so a rare miss can be read, not guessed
            pytest.fail(f"{late}; bridge run said:\n{run.output(12000)}")
        resumed = time.monotonic() - back
        assert run.process.poll() is None, "bridge run must live through a Redis restart"
    finally:
        code = stop(run)
    assert len(our_replies(bridge, post_id)) == 1
    assert code == 0
    print(f"the deferred post went out {resumed:.1f} s after Redis came back")


def test_bridge_poll_keeps_polling_through_redis_restarts(
    bridge: LocalBridge, throwaway_redis: ThrowawayRedis, tmp_path: Path
) -> None:
    poll = BridgeProcess(bridge_environment(bridge, tmp_path / "poll"), command="poll")
    try:
        before = bridge.x.add_mention("@AcmeHelp my parcel never came", author_handle="tom_r")
        wait_until(lambda: bridge.rt.store.case_for_post("x", before), timeout=60, what="the first case")
        for _ in range(2):
            throwaway_redis.restart(DOWN_SECONDS)
            assert poll.process.poll() is None, "bridge poll must wait for Redis, not die"
        after = bridge.x.add_mention("@AcmeHelp still no parcel", author_handle="ana_p")
        wait_until(
            lambda: bridge.rt.store.case_for_post("x", after), timeout=30, what="a case after the restarts"
        )
    finally:
        code = stop(poll)
    assert code == 0


def test_a_claim_after_redis_restarts_is_acknowledged_and_recorded(
    bridge: LocalBridge, throwaway_redis: ThrowawayRedis
) -> None:
    """The web process answers Claims on a connection of its own (:mod:`bridge.store.pipelined`);
    Redis closing it must not leave the next click failing."""
    before, after = open_case(bridge, 1), open_case(bridge, 2)
    assert bridge.click("U0EXP1", before, ACTION_IDS["claim"]).status == 200  # the connection is open
    throwaway_redis.restart(1.0)
    assert bridge.click("U0EXP1", after, ACTION_IDS["claim"]).status == 200
    case = bridge.rt.store.get(after)
    assert (case.state, case.claimant) == (State.CLAIMED, "U0EXP1")
