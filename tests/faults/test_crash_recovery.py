"""A bridge killed mid-post finishes the answer after its restart: within seconds, once, unaided.

Before, the case stayed ``posting`` until RQ's abandoned-job sweep (818 s in one run) or a person's
``/bridge retry``, and the work horse, in a process group of its own, went on posting after its
bridge had been killed.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from rq.registry import ScheduledJobRegistry

from adapters.slack.cards import ACTION_IDS
from bridge.app.enqueue import RETRY_INTERVALS_SECONDS
from bridge.app.recovery import recovery_for
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from standins.x_api import TIMEOUT
from tests.conftest import PLAYBOOK, running_bridge
from tests.e2e.test_concierge_loop import claimed_draft
from tests.faults.bridge_processes import (
    BridgeProcess,
    bridge_environment,
    kill_mid_post,
    restart_until_posted,
    wait_until,
)

pytestmark = pytest.mark.e2e

RECOVERY_BOUND_SECONDS = 45
"""Far above what recovery takes (about the posting lease, 10 s), far below the 818 s it took."""


def state(bridge: LocalBridge, number: int) -> State:
    return bridge.rt.store.get(number).state


def our_replies(bridge: LocalBridge, post_id: str) -> list[str]:
    return [p.id for p in bridge.x.replies_to(post_id) if p.author_id == bridge.x.user_id]


@pytest.mark.parametrize("went_out", [True, False], ids=["x-recorded-the-post", "x-never-got-it"])
def test_a_post_cut_off_by_sigkill_is_finished_once_soon_after_the_restart(
    redis_url: str, tmp_path: Path, went_out: bool
) -> None:
    with running_bridge(PLAYBOOK, redis_url, tmp_path) as bridge:
        number = claimed_draft(bridge)
        post_id = bridge.rt.store.get(number).post_id
        bridge.x.fail_next("POST /2/tweets", status=TIMEOUT, stall_seconds=120, after_effect=went_out)
        assert bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1").status == 200
        env = bridge_environment(bridge, tmp_path / "run")
        kill_mid_post(bridge, env, number, lambda: our_replies(bridge, post_id), went_out=went_out)
        assert state(bridge, number) == State.POSTING
        took, code = restart_until_posted(bridge, env, number, bound_seconds=RECOVERY_BOUND_SECONDS)
        assert len(our_replies(bridge, post_id)) == 1, "the answer must be on X exactly once"
        case = bridge.rt.store.get(number)
        assert case.reply_id == our_replies(bridge, post_id)[0]
        assert code == 0
        print(f"recovered {took:.1f} s after the restart")


# the sweep itself, run in this process against the same Redis and RQ -------------------------------
def failed_once(bridge: LocalBridge) -> int:
    """An approved answer whose first post X answered with a 503: ``posting``, a retry scheduled."""
    number = claimed_draft(bridge)
    bridge.x.fail_next("POST /2/tweets", status=503)
    assert bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1").status == 200
    bridge.drain()
    assert state(bridge, number) == State.POSTING
    return number


def test_the_sweep_leaves_a_post_waiting_for_its_retry_alone(local_bridge: LocalBridge) -> None:
    """X being down is answered by RQ's back-off; the sweep must not overtake it every 2 s."""
    failed_once(local_bridge)
    assert local_bridge.scheduled(), "RQ's retry waits"
    assert recovery_for(local_bridge.rt).sweep() == []


def test_an_orphaned_post_is_recovered_by_one_sweeper_and_posted_once(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = failed_once(bridge)
    registry = ScheduledJobRegistry(queue=bridge.rt.queue)
    for job in bridge.scheduled():  # the job is lost with its worker
        registry.remove(job)
    sweepers = [recovery_for(bridge.rt), recovery_for(bridge.rt)]
    assert [sweeper.sweep() for sweeper in sweepers] == [[number], []]
    bridge.drain()
    post_id = bridge.rt.store.get(number).post_id
    assert state(bridge, number) == State.POSTED
    assert len(our_replies(bridge, post_id)) == 1
    assert recovery_for(bridge.rt).sweep() == []
    assert bridge.rt.publisher.leases.marked() == [], "a posted case leaves the index"


def test_a_post_the_bridge_gave_up_on_waits_for_a_person(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = claimed_draft(bridge)
    bridge.x.fail_next("POST /2/tweets", status=503, times=len(RETRY_INTERVALS_SECONDS) + 1)
    assert bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1").status == 200
    bridge.drain(include_scheduled=True, rounds=len(RETRY_INTERVALS_SECONDS) + 3)
    assert any(entry.action == "post_gave_up" for entry in bridge.rt.store.audit(number))
    assert state(bridge, number) == State.POSTING
    assert recovery_for(bridge.rt).sweep() == []


def test_scheduled_work_resumes_within_seconds_of_a_restart_after_sigkill(
    redis_url: str, tmp_path: Path
) -> None:
    """The killed scheduler's lock used to hold every scheduled job for another minute."""
    with running_bridge(PLAYBOOK, redis_url, tmp_path) as bridge:
        number = claimed_draft(bridge)
        bridge.x.fail_next("POST /2/tweets", status=429, reset_in=5)
        env = bridge_environment(bridge, tmp_path / "run")
        first = BridgeProcess(env)
        try:
            assert bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1").status == 200
            wait_until(bridge.scheduled, timeout=90, what="X's rate limit to defer the post")
            first.signal_group(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            first.kill_everything()
        second = BridgeProcess(env, log=tmp_path / "second.log")
        try:
            took = wait_until(
                lambda: state(bridge, number) == State.POSTED,
                timeout=RECOVERY_BOUND_SECONDS,
                what="the deferred post after the restart",
            )
        finally:
            second.signal_group(signal.SIGTERM)
            second.wait(timeout=30)
            second.kill_everything()
        assert took < 30, f"{took:.0f} s: the dead scheduler's lock held the deferred post"
        assert len(our_replies(bridge, bridge.rt.store.get(number).post_id)) == 1
