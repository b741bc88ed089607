"""A bridge killed while Bluesky holds its post answers the customer once after its restart: the
restarted worker looks for our reply in our own repository (``find_reply``) before posting again."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.slack.cards import ACTION_IDS
from bridge.domain.lifecycle import State
from standins.bluesky_api import APP_PASSWORD
from standins.harness import LocalBridge
from tests.conftest import PLAYBOOK, running_bridge
from tests.faults.bridge_processes import bridge_environment, kill_mid_post, restart_until_posted

pytestmark = pytest.mark.e2e

RECOVERY_BOUND_SECONDS = 45


def our_replies(bridge: LocalBridge, uri: str) -> list[str]:
    assert bridge.bluesky is not None
    return [p["uri"] for p in bridge.bluesky.posts if p["record"]["reply"]["parent"]["uri"] == uri]


# The post that went out is the double-post risk; the one that never did is the generic recovery that
# tests/faults/test_crash_recovery.py proves on X.
def test_a_bluesky_post_cut_off_by_sigkill_is_finished_once(redis_url: str, tmp_path: Path) -> None:
    with running_bridge(PLAYBOOK, redis_url, tmp_path, bluesky=True) as bridge:
        assert bridge.bluesky is not None
        post = bridge.bluesky.add_mention("maria.bsky.social", "charged twice for order 88231, refund please")
        bridge.poll()
        bridge.drain()
        number = bridge.rt.store.case_for_post("bluesky", post["uri"])
        assert number is not None
        bridge.click("U0EXP1", number, ACTION_IDS["claim"])
        bridge.reply_in_thread("U0EXP1", number, "Sorry Maria, the second charge is refunded today.")
        bridge.drain()
        bridge.bluesky.fail_next_post(502, after_write=True, stall_seconds=120)
        assert bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1").status == 200
        bluesky = {
            "BLUESKY_SERVICE_URL": bridge.rt.settings.bluesky_service_url,
            "BLUESKY_HANDLE": bridge.bluesky.me["handle"],
            "BLUESKY_APP_PASSWORD": APP_PASSWORD,
        }
        env = bridge_environment(bridge, tmp_path / "run", **bluesky)

        kill_mid_post(bridge, env, number, lambda: our_replies(bridge, post["uri"]), went_out=True)
        assert bridge.rt.store.get(number).state == State.POSTING
        restart_until_posted(bridge, env, number, bound_seconds=RECOVERY_BOUND_SECONDS)
        replies = our_replies(bridge, post["uri"])
        assert len(replies) == 1, "the answer must be on Bluesky exactly once"
        assert bridge.rt.store.get(number).reply_id == replies[0]
