"""``@Bridge assign 1042 <person>`` in Microsoft Teams: the person given as a Teams @mention (whole, or
split into one ``<at>`` per name as newer clients send it) or as an Entra object id gets the case under
the same id a click on Claim gives, so they can draft at once. The real botbuilder adapter behind
``/api/messages`` over HTTP, the Bot Connector stand-in, real Redis and a real RQ worker."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bridge.domain.lifecycle import State
from standins.teams_harness import BOT, BOT_NAME, PEOPLE, LocalTeamsBridge
from tests.e2e.test_concierge_loop import open_case
from tests.support.adaptive_cards import texts

pytestmark = pytest.mark.e2e

SOCIAL_DESK = "19:social-desk@thread.tacv2"


def mention_of(name: str, who: str) -> dict[str, Any]:
    """The entity Teams sends for ``<at>name</at>``: only the account id and the shown name."""
    return {
        "type": "mention",
        "text": f"<at>{name}</at>",
        "mentioned": {"id": PEOPLE[who].account, "name": name},
    }


def command(bridge: LocalTeamsBridge, who: str, text: str, mentions: list[dict[str, Any]]) -> dict[str, Any]:
    """``@Bridge <text>`` posted in the social desk with the people it mentions; returns the answer."""
    message_id = bridge.next_id()
    tag = f"<at>{BOT_NAME}</at>"
    bot = {"type": "mention", "text": tag, "mentioned": {"id": BOT, "name": BOT_NAME}}
    conversation = f"{SOCIAL_DESK};messageid={message_id}"
    activity = bridge.activity("message", who, conversation, text=f"{tag} {text}", entities=[bot, *mentions])
    activity["id"] = message_id
    assert bridge.deliver(activity).status == 200
    bridge.drain()
    answers = [c.body for c in bridge.connector.calls if c.conversation == conversation and c.body]
    assert answers, f"no answer to {text!r}"
    return dict(answers[-1])


def mentioned_accounts(answer: dict[str, Any]) -> list[str]:
    return [e["mentioned"]["id"] for e in answer.get("entities") or [] if e.get("type") == "mention"]


def drafts_after_assignment(bridge: LocalTeamsBridge, number: int, who: str) -> None:
    """The assignee's reply in the card's thread is accepted as the case's first draft."""
    answer, _ = bridge.reply(who, number, "Hi @maria_k, the second charge is refunded today.")
    assert answer.status == 200
    bridge.drain()
    case = bridge.rt.store.get(number)
    assert (case.state, case.draft_version) == (State.DRAFTED, 1)


def test_assign_by_teams_mention_gives_the_case_to_that_person_who_can_then_draft(
    teams: LocalTeamsBridge,
) -> None:
    number = open_case(teams)
    answer = command(
        teams, "sam", f"assign {number} <at>Erin Expert</at>", [mention_of("Erin Expert", "erin")]
    )
    assert f"#{number} is assigned to <at>Erin Expert</at>." in answer["text"]
    assert mentioned_accounts(answer) == [PEOPLE["erin"].account]  # a live mention, not an id
    case = teams.rt.store.get(number)
    assert (case.state, case.claimant) == (State.CLAIMED, PEOPLE["erin"].aad)  # the id Claim gives
    assert "Claimed by **Erin Expert**" in texts(teams.card(number))
    drafts_after_assignment(teams, number, "erin")


def test_a_mention_teams_split_into_one_tag_per_name_is_one_person(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    split = [mention_of("Eddie", "eddie"), mention_of("Expert", "eddie")]
    answer = command(teams, "sam", f"assign {number} <at>Eddie</at> <at>Expert</at>", split)
    assert f"#{number} is assigned to" in answer["text"]
    assert teams.rt.store.get(number).claimant == PEOPLE["eddie"].aad
    drafts_after_assignment(teams, number, "eddie")


def test_assign_by_entra_object_id_matches_the_id_the_claim_button_uses(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    typed = PEOPLE["eddie"].aad.upper()  # as copied from an admin centre; Teams sends it lower-cased
    answer = command(teams, "sam", f"assign {number} {typed}", [])
    assert f"#{number} is assigned to <at>Eddie Expert</at>." in answer["text"]
    assert teams.rt.store.get(number).claimant == PEOPLE["eddie"].aad
    refused = teams.execute("erin", number, "case_claim").json()
    assert "already claimed by **Eddie Expert**" in texts(refused["value"])
    drafts_after_assignment(teams, number, "eddie")


def test_assigning_someone_outside_the_department_is_refused_by_name(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    answer = command(
        teams, "sam", f"assign {number} <at>Lou Logistics</at>", [mention_of("Lou Logistics", "lou")]
    )
    assert "<at>Lou Logistics</at> is not an expert of billing" in answer["text"]
    assert teams.rt.store.get(number).claimant == ""


def test_a_colleague_who_is_not_a_person_token_is_explained(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    answer = command(teams, "sam", f"assign {number} erin", [])
    assert "'erin' is not a person; mention them like @alice." in answer["text"]


def test_a_registered_command_in_a_cards_thread_is_a_command_not_a_draft(teams: LocalTeamsBridge) -> None:
    """``incident`` is registered by crisis mode, not in the command table itself."""
    assert "incident" in teams.rt.commands.names()
    number = open_case(teams)
    teams.execute("erin", number, "case_claim")
    tag = f"<at>{BOT_NAME}</at>"
    bot = {"type": "mention", "text": tag, "mentioned": {"id": BOT, "name": BOT_NAME}}
    teams.reply("erin", number, f"{tag} incident", entities=[bot])
    teams.drain()
    assert teams.rt.store.get(number).draft_version == 0
    assert any("@Bridge incident status" in (m.get("text") or "") for m in teams.thread(number))


def test_a_thread_reply_mentioning_a_colleague_is_talk_not_a_draft(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    command(teams, "sam", f"assign {number} <at>Erin Expert</at>", [mention_of("Erin Expert", "erin")])
    before = len(teams.connector.calls)
    answer, _ = teams.reply(
        "erin",
        number,
        "<at>Ann Approver</at> can you check this one?",
        entities=[mention_of("Ann Approver", "ann")],
    )
    assert answer.status == 200
    teams.drain()
    assert teams.rt.store.get(number).draft_version == 0
    said = [json.dumps(c.body) for c in teams.connector.calls[before:]]
    assert any("Not taken as a draft" in s for s in said)
    drafts_after_assignment(teams, number, "erin")  # an answer without the mention is a draft
