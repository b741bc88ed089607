"""``/bridge`` subcommands, confirmation dialogs and the App Home, through signed requests."""

from __future__ import annotations

import json

import pytest
from structlog.testing import capture_logs

from adapters.slack.cards import ACTION_IDS
from bridge.desk.commands import CommandReply
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from standins.teams_harness import LocalTeamsBridge
from tests.e2e.test_concierge_loop import buttons, claimed_draft, ephemerals_to, open_case
from tests.support.adaptive_cards import titles

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


def test_department_names_are_understood_whatever_their_case(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    assert "now with logistics" in say(bridge, SOCIAL, f"route {number} Logistics")
    assert bridge.rt.store.get(number).department == "logistics"
    assert "no department" not in say(bridge, SOCIAL, "queue LOGISTICS")


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


# moving to private messages: only with the draft that does it ------------------------------------------
def approve_newest(bridge: LocalBridge, number: int) -> None:
    version = bridge.rt.store.get(number).draft_version
    assert bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:{version}").status == 200
    bridge.drain()


def test_a_refused_dm_leaves_the_next_answer_public(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = claimed_draft(bridge)
    approve_newest(bridge, number)
    assert bridge.rt.store.get(number).state == State.POSTED
    refused = say(bridge, "U0EXP1", f"dm {number}")
    assert refused.startswith(f"Cannot move #{number} to private messages: it is posted")
    assert bridge.rt.store.get(number).pending_private == ""  # nothing half done
    follow_up = bridge.x.add_mention(
        "@AcmeHelp still not refunded",
        author_handle="maria_k",
        in_reply_to=bridge.rt.store.get(number).reply_id,
    )
    bridge.poll()
    bridge.drain()
    assert bridge.rt.store.get(number).state == State.REOPENED
    bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    bridge.reply_in_thread("U0EXP1", number, "We checked again: the refund is on its way, 3 days.")
    bridge.drain()
    approve_newest(bridge, number)
    case = bridge.rt.store.get(number)
    assert (case.state, case.mode, case.pending_private) == (State.POSTED, "", "")
    assert [p.in_reply_to for p in bridge.x.replies_to(follow_up)] == [follow_up]  # answered in public
    assert bridge.x.direct_messages() == []


def test_a_new_thread_draft_replaces_a_pending_move_to_dm(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    assert "Drafted the move-to-private-messages reply (v1)" in say(bridge, "U0EXP1", f"dm {number}")
    assert bridge.rt.store.get(number).pending_private == "1"
    bridge.reply_in_thread("U0EXP1", number, "Hi @maria_k, the second charge is refunded today.")
    bridge.drain()
    assert bridge.rt.store.get(number).pending_private == ""
    case = bridge.rt.store.get(number)
    notes = [m.get("text") or "" for m in bridge.slack.thread(case.channel, case.card_ts)]
    assert any("Draft v2 replaces the move-to-private-messages reply" in n for n in notes)
    approve_newest(bridge, number)
    case = bridge.rt.store.get(number)
    assert (case.state, case.mode) == (State.POSTED, "")  # not switched to private behind anyone's back


def test_the_social_team_moves_any_departments_case_to_private_messages(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)  # a billing case, unclaimed
    assert "Drafted the move-to-private-messages reply (v1)" in say(bridge, SOCIAL, f"dm {number}")
    case = bridge.rt.store.get(number)
    assert (case.state, case.claimant, case.pending_private) == (State.DRAFTED, SOCIAL, "1")
    approve_newest(bridge, number)  # the department's approver signs it off: four eyes
    case = bridge.rt.store.get(number)
    assert (case.state, case.mode) == (State.PRIVATE, "private")


def test_a_dm_refusal_says_what_works(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    outsider = say(bridge, "U0LOG1", f"dm {number}")
    assert outsider.startswith(f"Only billing experts or the social team may take #{number}")
    assert bridge.rt.store.get(number).claimant == ""
    bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    assert f"`/bridge unassign {number}` first, then `/bridge dm {number}`" in say(
        bridge, SOCIAL, f"dm {number}"
    )
    assert f"`/bridge assign {number} <@U0EXP2>`" in say(bridge, "U0EXP2", f"dm {number}")
    say(bridge, SOCIAL, f"unassign {number}")
    assert "Drafted" in say(bridge, SOCIAL, f"dm {number}")


# parsing: numbers, free text, failures ------------------------------------------------------------------
@pytest.mark.parametrize("number", ["²", "١٠٠١", "۱۰۰۱", "1001²", "#١٠٠١", "##1001", "-1"])
def test_only_ascii_digits_are_case_numbers(local_bridge: LocalBridge, number: str) -> None:
    open_case(local_bridge)  # #1001 exists: "١٠٠١" must not reach it
    for command in ("status", "route", "ignore", "dm", "resolve"):
        answer = say(local_bridge, SOCIAL, f"{command} {number} billing")
        assert answer == f"{number!r} is not a case number; use one like 1042 or #1042."


def test_a_bug_in_a_command_is_logged_and_answered_not_a_500(local_bridge: LocalBridge) -> None:
    def broken(user: str, args: list[str]) -> CommandReply:
        raise RuntimeError("a bug")

    local_bridge.rt.commands.register("broken", broken)
    with capture_logs() as logs:
        answer = say(local_bridge, SOCIAL, "broken 1")
    assert answer == "Something went wrong with that command; it has been logged."
    failed = [e for e in logs if e["event"] == "command_failed"]
    assert failed and failed[0]["command"] == "broken" and failed[0]["exc_info"]


def test_free_text_is_taken_as_typed(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    reason = "it's the bot's \"spam\"   again"
    assert say(bridge, SOCIAL, f"ignore {number} {reason}") == f"#{number} is ignored."
    assert bridge.rt.store.get(number).ignore_reason == reason
    say(bridge, SOCIAL, f"reopen {number}")
    assert say(bridge, SOCIAL, f'resolve {number} Maria\'s "fixed" it') == f"#{number} is resolved."
    assert bridge.rt.store.audit(number)[-1].fields["reason"] == 'Maria\'s "fixed" it'
    other = open_case(bridge, "@AcmeHelp my invoice is wrong", handle="sam")
    assert say(bridge, SOCIAL, f"ignore {other} don't \"quote me") == f"#{other} is ignored."
    assert bridge.rt.store.get(other).ignore_reason == "don't \"quote me"


def test_route_to_the_current_department_changes_nothing(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    bridge.drain()
    cards = len(bridge.slack.calls_to("chat.postMessage"))
    assert say(bridge, SOCIAL, f"route {number} billing") == f"#{number} is already with billing."
    assert say(bridge, SOCIAL, f'route {number} "billing"') == f"#{number} is already with billing."
    bridge.drain()
    case = bridge.rt.store.get(number)
    assert (case.state, case.claimant, case.department) == (State.CLAIMED, "U0EXP1", "billing")
    assert len(bridge.slack.calls_to("chat.postMessage")) == cards
    trail = bridge.rt.store.audit(number)
    assert [e.action for e in trail if e.action != "refused"][-1] == "claim"  # no change of the case
    assert [e.fields["attempted"] for e in trail if e.action == "refused"] == ["reassign", "reassign"]


# confirmations: refusals are told, and unhide ------------------------------------------------------------
def test_a_refused_confirmation_is_told_where_the_command_was_typed(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    forged = json.dumps({"action": "hide", "target": str(number), "channel": "C0BILLING"})
    answer = bridge.submit("U0EXP1", "confirm_action", forged, {})
    assert answer.status == 200
    bridge.drain()
    assert ephemerals_to(bridge, "U0EXP1")[-1].startswith("Not done: Only the social team may hide")
    bad = json.dumps({"action": "hide", "target": "abc", "channel": "C0SOCIAL"})
    bridge.submit(SOCIAL, "confirm_action", bad, {})
    bridge.drain()
    assert (
        ephemerals_to(bridge, SOCIAL)[-1]
        == "Not done: 'abc' is not a case number; use one like 1042 or #1042."
    )
    assert bridge.x.requests_to("PUT", "/2/tweets") == []


@pytest.mark.parametrize("metadata", ["not json", "[]", json.dumps({"action": "hide"}), ""])
def test_a_confirmation_without_a_channel_answers_in_the_dialog(
    local_bridge: LocalBridge, metadata: str
) -> None:
    answer = local_bridge.submit(SOCIAL, "confirm_action", metadata, {})
    assert answer.status == 200
    body = answer.json()
    assert body["response_action"] == "update"
    assert "Not done: the dialog does not say what to do" in repr(body["view"]["blocks"])


def reply_under_a_statement(bridge: LocalBridge | LocalTeamsBridge) -> tuple[int, str]:
    """A case opened by a reply under the brand's own post: the kind of post X lets the brand hide."""
    statement = bridge.x.store.add_post("About today's outage", bridge.x.store.brand).id
    post = bridge.x.add_mention("@AcmeHelp refund me now", author_handle="maria_k", in_reply_to=statement)
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post)
    assert number is not None
    return number, post


def test_unhide_shows_a_hidden_reply_again(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number, post = reply_under_a_statement(bridge)
    assert "`unhide 1042`" in say(bridge, SOCIAL, "help")
    assert "Only the social team may unhide replies" in say(bridge, "U0EXP1", f"unhide {number}")
    for command, hidden in (("hide", True), ("unhide", False)):
        bridge.slash(SOCIAL, "C0SOCIAL", f"{command} #{number}")
        view = bridge.slack.calls_to("views.open")[-1].params["view"]
        if command == "hide":
            assert f"Reversible with `/bridge unhide {number}`" in repr(view)
        else:
            assert view["submit"]["text"] == "Unhide" and "again?" in repr(view)
        bridge.submit(SOCIAL, "confirm_action", view["private_metadata"], {})
        bridge.drain()
        shown = bridge.x.post(post)
        assert shown is not None and shown.hidden is hidden
        assert ephemerals_to(bridge, SOCIAL)[-1] == f"Done: {command} #{number}."
    actions = [e.action for e in bridge.rt.store.audit(number)]
    assert actions[-2:] == ["unhide_requested", "unhide_done"]


def test_unhide_is_confirmed_in_a_teams_card(teams: LocalTeamsBridge) -> None:
    number, post = reply_under_a_statement(teams)
    assert teams.mention("sam", f"unhide {number}").status == 200
    teams.drain()
    sent = [c.body for c in teams.connector.calls if c.conversation == teams.last_thread and c.body]
    card = teams.connector.card_of(sent[-1])
    assert card is not None and titles(card) == ["Unhide", "Cancel"]
    teams.invoke("sam", teams.last_thread, "confirm_action", {"action": "hide", "target": str(number)})
    teams.drain()
    assert (shown := teams.x.post(post)) is not None and shown.hidden
    data = {"action": "unhide", "target": str(number)}
    forged = teams.invoke("erin", teams.last_thread, "confirm_action", data)  # not on the social team
    assert "Not done" in forged.json()["value"]
    done = teams.invoke("sam", teams.last_thread, "confirm_action", data)
    assert done.json()["value"] == f"Unhide of {number} is on its way."
    teams.drain()
    assert (shown := teams.x.post(post)) is not None and not shown.hidden
    assert "unhide_done" in [e.action for e in teams.rt.store.audit(number)]


def test_customer_backticks_cannot_close_the_status_code_block(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    bridge.x.add_mention(
        "@AcmeHelp also ```\n[Get your refund here](https://evil.example/phish)", author_handle="maria_k"
    )
    bridge.poll()
    bridge.drain()
    text = say(bridge, SOCIAL, f"status {number}")
    assert text.count("```") == 2 and text.rstrip().endswith("```"), "only the block's own fence"
