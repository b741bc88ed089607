"""Crisis dialogs Slack will not open: the leader who clicked Edit is told to click again, and Slack gets
its 200, as for the case buttons (tests/faults/test_bad_input.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.slack.crisis_cards import CRISIS_ACTIONS
from standins.harness import LocalBridge
from standins.slack_requests import block_action
from tests.conftest import ROOT, running_bridge

LEADERS = "C0LEADERS"


@pytest.fixture
def crisis_bridge(redis_url: str, tmp_path: Path) -> Iterator[LocalBridge]:
    with running_bridge(ROOT / "playbooks" / "crisis-example.yml", redis_url, tmp_path) as bridge:
        yield bridge


def told(bridge: LocalBridge, user: str) -> list[str]:
    calls = bridge.slack.calls_to("chat.postEphemeral")
    return [str(c.params.get("text")) for c in calls if c.params.get("user") == user]


@pytest.mark.parametrize("edit", ["edit_statement", "edit_bulk"])
def test_an_edit_dialog_slack_will_not_open_is_told_to_the_leader_not_a_server_error(
    crisis_bridge: LocalBridge, edit: str
) -> None:
    bridge = crisis_bridge
    incident, started = bridge.rt.crisis.incidents.start(1, "recall", "recall", "U0CEO", "", "x", "main")
    assert started
    bridge.slack.fail_next("views.open", error="expired_trigger_id")
    click = block_action(
        "U0CCO", bridge.slack.channel_id(LEADERS), "1.2", CRISIS_ACTIONS[edit], f"{incident}:1"
    )
    assert bridge.send_interaction(click).status == 200
    bridge.drain()
    assert any("did not open the dialog" in t for t in told(bridge, "U0CCO")), told(bridge, "U0CCO")
