"""A bridge killed while Mastodon holds its post answers the customer once after its restart: the
restarted worker asks the instance for our reply (``find_reply``) before posting again."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.slack.cards import ACTION_IDS
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from standins.mastodon_api import TOKEN
from tests.conftest import PLAYBOOK, running_bridge
from tests.faults.bridge_processes import bridge_environment, kill_mid_post, restart_until_posted

pytestmark = pytest.mark.e2e

RECOVERY_BOUND_SECONDS = 45


def our_replies(bridge: LocalBridge, post_id: str) -> list[str]:
    assert bridge.mastodon is not None
    return [p["id"] for p in bridge.mastodon.posts if p["in_reply_to_id"] == post_id]


# The post that went out is the double-post risk; the one that never did is the generic recovery that
# tests/faults/test_crash_recovery.py proves on X.
def test_a_mastodon_post_cut_off_by_sigkill_is_finished_once(redis_url: str, tmp_path: Path) -> None:
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
        bridge.mastodon.fail_next_post(504, after_write=True, stall_seconds=120)
        assert bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1").status == 200
        mastodon = {
            "MASTODON_BASE_URL": str(bridge.rt.settings.mastodon_base_url),
            "MASTODON_ACCESS_TOKEN": TOKEN,
        }
        env = bridge_environment(bridge, tmp_path / "run", **mastodon)

        kill_mid_post(bridge, env, number, lambda: our_replies(bridge, status["id"]), went_out=True)
        assert bridge.rt.store.get(number).state == State.POSTING
        restart_until_posted(bridge, env, number, bound_seconds=RECOVERY_BOUND_SECONDS)
        replies = our_replies(bridge, status["id"])
        assert len(replies) == 1, "the answer must be on Mastodon exactly once"
        assert bridge.rt.store.get(number).reply_id == replies[0]
