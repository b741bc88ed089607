"""A bridge killed while Mastodon holds its post answers the customer once after its restart: the
restarted worker asks the instance for our reply (``find_reply``) before posting again."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from adapters.slack.cards import ACTION_IDS
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from standins.mastodon_api import TOKEN
from tests.conftest import PLAYBOOK, running_bridge
from tests.faults.bridge_processes import BridgeProcess, bridge_environment, wait_until

pytestmark = pytest.mark.e2e

RECOVERY_BOUND_SECONDS = 45


def our_replies(bridge: LocalBridge, post_id: str) -> list[str]:
    assert bridge.mastodon is not None
    return [p["id"] for p in bridge.mastodon.posts if p["in_reply_to_id"] == post_id]


# The post that went out is the double-post risk; the one that never did is the generic recovery that
# tests/faults/test_crash_recovery.py proves on X (and the loop test, a lost answer on Mastodon).
@pytest.mark.parametrize("went_out", [True], ids=["instance-recorded-it"])
def test_a_mastodon_post_cut_off_by_sigkill_is_finished_once(
    redis_url: str, tmp_path: Path, went_out: bool
) -> None:
    with running_bridge(PLAYBOOK, redis_url, tmp_path, mastodon=True) as bridge:
        assert bridge.mastodon is not None
        status = bridge.mastodon.add_mention(
            "maria@remote.social", "charged twice for order 88231, refund please"
        )
        bridge.poll()
        bridge.drain()
        number = bridge.rt.store.case_for_post("mastodon", status["id"])
        assert number is not None
        bridge.click("U0EXP1", number, ACTION_IDS["claim"])
        bridge.reply_in_thread("U0EXP1", number, "Sorry Maria, the second charge is refunded today.")
        bridge.drain()
        bridge.mastodon.fail_next_post(504, after_write=went_out, stall_seconds=120)
        assert bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1").status == 200
        mastodon = {
            "MASTODON_BASE_URL": str(bridge.rt.settings.mastodon_base_url),
            "MASTODON_ACCESS_TOKEN": TOKEN,
        }
        env = bridge_environment(bridge, tmp_path / "run", **mastodon)

        first = BridgeProcess(env)
        try:
            posting = lambda: bridge.rt.store.get(number).state == State.POSTING  # noqa: E731
            wait_until(posting, timeout=90, what="the post to begin")
            if went_out:
                wait_until(
                    lambda: our_replies(bridge, status["id"]), timeout=10, what="the instance to keep it"
                )
            else:
                time.sleep(1.0)  # the request is in flight, held by the stand-in
            first.signal_group(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            first.kill_everything()
        assert bridge.rt.store.get(number).state == State.POSTING

        second = BridgeProcess(env)
        try:
            wait_until(
                lambda: bridge.rt.store.get(number).state == State.POSTED,
                timeout=RECOVERY_BOUND_SECONDS,
                what="the restarted bridge to finish the post",
            )
            time.sleep(3)  # a second attempt, had there been one, would have posted by now
        finally:
            second.signal_group(signal.SIGTERM)
            second.wait(timeout=30)
            second.kill_everything()
        replies = our_replies(bridge, status["id"])
        assert len(replies) == 1, "the answer must be on Mastodon exactly once"
        assert bridge.rt.store.get(number).reply_id == replies[0]
