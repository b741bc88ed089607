"""``/bridge`` subcommands, confirmation dialogs and the App Home, through signed requests."""

from __future__ import annotations

import json

import pytest

from adapters.slack.cards import ACTION_IDS
from bridge.lifecycle import State
from standins.harness import LocalBridge
from tests.e2e.test_concierge_loop import buttons, ephemerals_to, open_case

pytestmark = pytest.mark.e2e

SOCIAL = "U0SOC1"  # a social team member in playbooks/acme.yml


def say(bridge: LocalBridge, user: str, text: str, channel: str = "C0SOCIAL") -> str:
    answer = bridge.slash(user, channel, text)
    assert answer.status == 200, answer.text
    return str(answer.json()["text"])


def test_help_lists_every_subcommand(local_bridge: LocalBridge) -> None:
    text = say(local_bridge, SOCIAL, "help")
    for name in (
        "route",
        "assign",
        "unassign",
        "status",
        "queue",
        "ignore",
        "reopen",
        "resolve",
        "mute",
        "hide",
    ):
        assert f"`{name}" in text


def test_route_moves_the_card_to_the_new_department(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    old = bridge.rt.store.get(number)
    assert "now with logistics" in say(bridge, SOCIAL, f"route {number} logistics")
    bridge.drain()
    case = bridge.rt.store.get(number)
    assert case.channel == "C0LOGIST" and case.card_ts != old.card_ts
    moved_note = bridge.slack.thread(old.channel, old.card_ts)[-1]["text"]
    assert f"#{number} moved to logistics" in moved_note
    assert buttons(bridge.card_of(number)) == ["Claim", "Reassign", "Ignore"]
    assert bridge.slack.find_message("C0BILLING", old.card_ts) is not None


def test_route_errors_are_specific(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    assert "no department 'legal'" in say(bridge, SOCIAL, f"route {number} legal")
    assert "billing, logistics, social" in say(bridge, SOCIAL, f"route {number} legal")
    assert "There is no case #999999" in say(bridge, SOCIAL, "route 999999 billing")
    assert "Only billing or social team members" in say(bridge, "U0LOG1", f"route {number} logistics")
    assert "'abc' is not a case number" in say(bridge, SOCIAL, "route abc billing")
    assert "Usage: /bridge route" in say(bridge, SOCIAL, "route")
    assert "Unknown command 'fly'" in say(bridge, SOCIAL, "fly away")
    assert bridge.rt.store.get(number).department == "billing"


def test_assign_and_unassign_on_someones_behalf(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    assert "assigned to <@U0EXP2>" in say(bridge, SOCIAL, f"assign #{number} <@U0EXP2|bob>")
    bridge.drain()
    case = bridge.rt.store.get(number)
    assert case.state == State.CLAIMED and case.claimant == "U0EXP2"
    assert "Claimed by <@U0EXP2>" in repr(bridge.card_of(number)["blocks"])
    assert "is not an expert of billing" in say(bridge, SOCIAL, f"assign {number} <@U0LOG1>")
    assert "unassigned" in say(bridge, SOCIAL, f"unassign {number}")
    assert bridge.rt.store.get(number).state == State.ROUTED


def test_status_and_queue_show_state_owner_and_sla(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    status = say(bridge, SOCIAL, f"status {number}")
    assert f"#{number} · claimed · billing · owner <@U0EXP1>" in status
    assert "claim " in status and "ingested" in status
    queue = say(bridge, SOCIAL, "queue billing")
    assert f"#{number} claimed · billing" in queue and ("due in" in queue or "OVERDUE" in queue)
    assert "No open cases in logistics" in say(bridge, SOCIAL, "queue logistics")
    assert "no department 'nope'" in say(bridge, SOCIAL, "queue nope")


def test_ignore_reopen_resolve(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    say(bridge, SOCIAL, f"ignore {number} spam from a bot")
    assert bridge.rt.store.get(number).state == State.IGNORED
    say(bridge, SOCIAL, f"reopen {number}")
    assert bridge.rt.store.get(number).state == State.REOPENED
    say(bridge, SOCIAL, f"resolve {number}")
    assert bridge.rt.store.get(number).state == State.RESOLVED
    assert "Cannot resolve" in say(bridge, SOCIAL, f"resolve {number}")
    bridge.drain()
    actions = [e.action for e in bridge.rt.store.audit(number)]
    assert actions[-3:] == ["ignore", "reopen", "resolve"]


def test_mute_is_confirmed_first_then_done_and_audited(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    troll = bridge.x.add_user("troll_77", "Troll")
    answer = bridge.slash(SOCIAL, "C0SOCIAL", "mute @troll_77")
    assert answer.status == 200
    view = bridge.slack.calls_to("views.open")[-1].params["view"]
    assert view["callback_id"] == "confirm_action" and "Mute @troll_77?" in repr(view)
    assert troll not in bridge.x.muted_user_ids  # nothing happens before the confirmation
    bridge.submit(SOCIAL, "confirm_action", view["private_metadata"], {})
    bridge.drain()
    assert troll in bridge.x.muted_user_ids
    assert any("Done: mute @troll_77" in t for t in ephemerals_to(bridge, SOCIAL))
    actions = [e.action for e in bridge.rt.store.global_audit()]
    assert "mute_requested" in actions and "mute_done" in actions
    bridge.submit(
        SOCIAL,
        "confirm_action",
        json.dumps({"action": "unmute", "target": "troll_77", "channel": "C0SOCIAL"}),
        {},
    )
    bridge.drain()
    assert troll not in bridge.x.muted_user_ids


def test_only_the_social_team_mutes_blocks_or_hides(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    for text in ("mute @troll", "hide " + str(number), "block @troll"):
        assert "Only the social team" in say(bridge, "U0EXP1", text)
    forged = json.dumps({"action": "mute", "target": "troll", "channel": "C0BILLING"})
    bridge.submit("U0EXP1", "confirm_action", forged, {})
    bridge.drain()
    assert bridge.x.muted_user_ids == set()
    assert "X removed blocking" in say(bridge, SOCIAL, "block @troll")


def test_hiding_a_post_x_refuses_is_reported_and_audited(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    bridge.slash(SOCIAL, "C0SOCIAL", f"hide {number}")
    view = bridge.slack.calls_to("views.open")[-1].params["view"]
    bridge.submit(SOCIAL, "confirm_action", view["private_metadata"], {})
    bridge.drain()
    assert any(f"Could not hide #{number}" in t for t in ephemerals_to(bridge, SOCIAL))
    assert "hide_failed" in [e.action for e in bridge.rt.store.audit(number)]


def test_app_home_shows_my_cases_and_my_departments_queue(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    mine = open_case(bridge)
    waiting = open_case(bridge, "@AcmeHelp invoice is wrong", handle="sam")
    bridge.click("U0EXP1", mine, ACTION_IDS["claim"])
    answer = bridge.send_event(
        {"type": "app_home_opened", "user": "U0EXP1", "channel": "D0HOME", "tab": "home"}
    )
    assert answer.status == 200
    published = bridge.slack.calls_to("views.publish")[-1].params
    assert published["user_id"] == "U0EXP1"
    text = repr(published["view"])
    assert f"*#{mine}* claimed" in text and f"*#{waiting}* routed" in text and "billing queue" in text
