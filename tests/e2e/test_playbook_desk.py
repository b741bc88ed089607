"""The playbook running the desk end to end: triage decides what gets a card, the card says why and by
when, the out-of-hours acknowledgement goes out once, and the Draft modal offers the templates.

Real tweepy, Bolt and slack_sdk over HTTP against the stand-ins, real Redis, a real RQ worker."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.slack.cards import ACTION_IDS, DRAFT_TEMPLATE_ACTION
from bridge.domain.clock import ManualClock
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from standins.slack_requests import view_submission
from tests.conftest import PLAYBOOK, running_bridge
from tests.e2e.test_concierge_loop import buttons

pytestmark = pytest.mark.e2e

SATURDAY_NIGHT = datetime(2025, 3, 29, 21, 0, tzinfo=UTC)  # the desk below is closed until Monday
MONDAY_MORNING = datetime(2025, 3, 31, 9, 30, tzinfo=UTC)
COMPLAINT = "@AcmeHelp I was charged twice for order 88231 and nobody answers, I want a refund"
SOCIAL, EXPERT = "U0SOC1", "U0EXP1"


def desk_playbook(tmp_path: Path, **changes: Any) -> Path:
    data = yaml.safe_load(PLAYBOOK.read_text(encoding="utf-8"))
    data["accounts"]["x"]["main_handle"] = "Acme"
    data["hours"] = {"timezone": "Europe/London", "weekly": {"mon-fri": "09:00-17:00"}}
    data.update(changes)
    path = tmp_path / "desk.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def desk(redis_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[LocalBridge]:
    changes, start = getattr(request, "param", ({}, MONDAY_MORNING))
    clock = ManualClock(start)
    with running_bridge(desk_playbook(tmp_path, **changes), redis_url, tmp_path, clock=clock) as bridge:
        yield bridge


def arrive(bridge: LocalBridge, text: str, handle: str = "maria_k", **fields: Any) -> int:
    when = bridge.clock.now() if bridge.clock else datetime.now(UTC)
    post_id = bridge.x.add_mention(text, author_handle=handle, author_name=handle, created_at=when, **fields)
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post_id)
    assert number is not None, "every mention but our own becomes a case"
    return number


def cards(bridge: LocalBridge) -> list[Any]:
    return [c for c in bridge.slack.calls_to("chat.postMessage") if not c.params.get("thread_ts")]


def audit(bridge: LocalBridge, number: int) -> dict[str, dict[str, str]]:
    return {e.action: e.fields for e in bridge.rt.store.audit(number)}


# --- what triage decides ------------------------------------------------------------------------------


def test_spam_is_recorded_as_ignored_with_its_reasons_and_gets_a_card_only_when_reopened(
    desk: LocalBridge,
) -> None:
    number = arrive(desk, "@AcmeHelp huge bitcoin airdrop today only https://x.example/claim", "coinbot")
    case = desk.rt.store.get(number)
    assert case.state == State.IGNORED and case.verdict == "ignore" and not case.card_ts
    assert case.ignore_reason.startswith("ignored by triage: matched rule spam.crypto_links")
    assert cards(desk) == [] and number not in desk.rt.store.open_cases()
    trail = audit(desk, number)
    assert trail["triaged"]["verdict"] == "ignore" and "spam.crypto_links" in trail["triaged"]["reasons"]
    assert trail["ignore"]["reason"].startswith("ignored by triage")
    # a person disagrees: reopening brings the case to its department's channel, once
    answer = desk.slash(SOCIAL, "C0SOCIAL", f"reopen {number}")
    assert "reopened" in answer.json()["text"]
    desk.drain()
    desk.slash(SOCIAL, "C0SOCIAL", f"assign {number} <@U0SOC2>")
    desk.drain()
    assert len(cards(desk)) == 1 and cards(desk)[0].params["channel"] == "C0SOCIAL"
    assert "Claimed by <@U0SOC2>" in repr(desk.card_of(number)["blocks"])


def test_a_troll_is_monitored_in_the_social_teams_channel_not_answered(desk: LocalBridge) -> None:
    number = arrive(desk, "@AcmeHelp you absolute morons, refund my money", "troll_t")
    case = desk.rt.store.get(number)
    assert case.state == State.MONITORING and case.department == "social" and case.sla_due is None
    [card] = cards(desk)
    assert card.params["channel"] == "C0SOCIAL"
    message = desk.card_of(number)
    assert buttons(message) == ["Reassign"]
    assert "monitor · " in repr(message["blocks"]) and "first response due" not in repr(message["blocks"])


def test_praise_is_noise_tagged_for_insight_without_a_card(desk: LocalBridge) -> None:
    number = arrive(desk, "@AcmeHelp thank you so much, great service as always!", "fan_f")
    case = desk.rt.store.get(number)
    assert (case.state, case.verdict, case.priority) == (State.IGNORED, "noise", "low")
    assert case.sentiment > 0.5 and cards(desk) == []
    assert audit(desk, number)["triaged"]["verdict"] == "noise"


@pytest.mark.parametrize("desk", [({"triage": {"noise_gets_card": True}}, MONDAY_MORNING)], indirect=True)
def test_noise_gets_a_card_when_the_playbook_asks(desk: LocalBridge) -> None:
    number = arrive(desk, "@AcmeHelp thank you so much, great service as always!", "fan_f")
    assert desk.rt.store.get(number).state == State.ROUTED and len(cards(desk)) == 1


def test_the_card_shows_verdict_priority_deadlines_and_the_answering_account(desk: LocalBridge) -> None:
    number = arrive(desk, COMPLAINT, followers_count=25_000)
    case = desk.rt.store.get(number)
    assert (case.verdict, case.kind, case.department, case.reply_account) == (
        "respond",
        "service",
        "billing",
        "AcmeHelp",
    )
    assert case.sla_due == datetime(2025, 3, 31, 9, 45, tzinfo=UTC)
    assert case.claim_due == datetime(2025, 3, 31, 9, 37, 30, tzinfo=UTC)
    text = repr(desk.card_of(number)["blocks"])
    assert f"*Triage*\\nrespond · {case.priority} priority · service issue" in text
    assert "*Answer from*\\n@AcmeHelp" in text and "claim by <!date^" in text
    assert "Why here: routed to billing: keyword 'charged'" in text
    assert len(desk.scheduled(timers=True)) == 2  # the claim reminder and the deadline alert


def test_a_brand_matter_on_the_main_account_is_answered_from_it(desk: LocalBridge) -> None:
    number = arrive(
        desk, "@Acme @AcmeHelp your new ad campaign is racist. Why would you do this?", "critic_c"
    )
    case = desk.rt.store.get(number)
    assert case.kind == "brand" and case.reply_account == "Acme"
    assert "answer from @Acme (main brand account: a brand matter)" in case.reasons


# --- out of hours ------------------------------------------------------------------------------------

AUTO_ACK = {"out_of_hours": {"auto_acknowledge": {"x": True}}}


@pytest.mark.parametrize("desk", [(AUTO_ACK, SATURDAY_NIGHT)], indirect=True)
def test_out_of_hours_the_customer_is_told_once_when_the_desk_is_back(desk: LocalBridge) -> None:
    number = arrive(desk, COMPLAINT)
    case = desk.rt.store.get(number)
    [ack] = desk.x.replies_to(case.post_id)
    assert ack.text.startswith("Hi @maria_k, thanks for your message.")
    assert "back Monday 31 March at 09:00 BST" in ack.text
    assert case.sla_due == datetime(2025, 3, 31, 8, 15, tzinfo=UTC)  # 15 open minutes from Monday 09:00 BST
    # the job runs again (a retry, a second enqueue): still one acknowledgement
    desk.rt.dispatch.out_of_hours_ack(number)
    desk.drain()
    assert len(desk.x.replies_to(case.post_id)) == 1
    assert [e.action for e in desk.rt.store.audit(number)].count("out_of_hours_ack") == 1
    thread = [m.get("text", "") for m in desk.slack.thread(case.channel, case.card_ts)]
    assert any(t.startswith("Out of hours: the bridge told @maria_k when the desk is back") for t in thread)
    assert desk.rt.store.get(number).state == State.ROUTED  # the real answer is still owed


@pytest.mark.parametrize("desk", [(AUTO_ACK, SATURDAY_NIGHT)], indirect=True)
def test_a_rate_limited_acknowledgement_is_retried_and_still_posted_once(desk: LocalBridge) -> None:
    desk.x.fail_next("POST /2/tweets", status=429, reset_in=1)
    number = arrive(desk, COMPLAINT)
    post_id = desk.rt.store.get(number).post_id
    assert desk.x.replies_to(post_id) == []  # refused: nothing went out, so the job may try again
    desk.drain(include_scheduled=True)
    assert len(desk.x.replies_to(post_id)) == 1


@pytest.mark.parametrize("desk", [(AUTO_ACK, SATURDAY_NIGHT)], indirect=True)
def test_an_acknowledgement_with_an_unknown_outcome_is_never_sent_twice(desk: LocalBridge) -> None:
    desk.x.fail_next("POST /2/tweets", status=503, after_effect=True)
    number = arrive(desk, COMPLAINT)
    desk.drain(include_scheduled=True)
    desk.rt.dispatch.out_of_hours_ack(number)
    desk.drain(include_scheduled=True)
    assert len(desk.x.replies_to(desk.rt.store.get(number).post_id)) == 1  # the one that did go out
    assert "out_of_hours_ack_unknown" in audit(desk, number)


@pytest.mark.parametrize("desk", [({}, SATURDAY_NIGHT)], indirect=True)
def test_out_of_hours_acknowledgement_is_off_by_default(desk: LocalBridge) -> None:
    number = arrive(desk, COMPLAINT)
    assert desk.x.replies_to(desk.rt.store.get(number).post_id) == []
    assert "out of hours, back Monday 31 March at 09:00 BST: no automatic acknowledgement on x" in (
        desk.rt.store.get(number).reasons
    )


@pytest.mark.parametrize("desk", [(AUTO_ACK, MONDAY_MORNING)], indirect=True)
def test_nothing_automatic_while_the_desk_is_open(desk: LocalBridge) -> None:
    number = arrive(desk, COMPLAINT)
    assert desk.x.replies_to(desk.rt.store.get(number).post_id) == []


# --- the Draft modal's templates ------------------------------------------------------------------------


def template_pick(user: str, view: dict[str, Any], value: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": "T0TEAM", "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM"},
        "api_app_id": "A0BRIDGE",
        "token": "verification-token-unused",
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": f"{time.time()}.trigger",
        "view": {**view, "state": {"values": {}}},
        "actions": [
            {
                "type": "static_select",
                "action_id": DRAFT_TEMPLATE_ACTION,
                "block_id": "template",
                "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value},
                "action_ts": str(time.time()),
            }
        ],
    }


def _view(params: dict[str, Any]) -> dict[str, Any]:
    view = params["view"]
    parsed: dict[str, Any] = json.loads(view) if isinstance(view, str) else view
    return parsed


def test_the_draft_modal_offers_the_templates_and_a_pick_refills_the_answer(desk: LocalBridge) -> None:
    number = arrive(desk, COMPLAINT)
    desk.click(EXPERT, number, ACTION_IDS["claim"])
    desk.drain()
    desk.click(EXPERT, number, ACTION_IDS["draft"])
    opened = _view(desk.slack.calls_to("views.open")[-1].params)
    select = next(b for b in opened["blocks"] if b["type"] == "actions")["elements"][0]
    labels = [o["text"]["text"] for o in select["options"]]
    assert labels[0] == "Apology (suggested)" and "Out of hours" in labels and "Closing" in labels
    [stored] = desk.slack.views.values()
    assert desk.send_interaction(template_pick(EXPERT, stored, "apology")).status == 200
    updated = _view(desk.slack.calls_to("views.update")[-1].params)
    answer = updated["blocks"][-1]
    assert answer["block_id"] == "draft.1"
    assert answer["element"]["initial_value"].startswith("Hi @maria_k, we're really sorry about this")
    text = answer["element"]["initial_value"] + "the second charge is refunded today."
    submitted = view_submission(
        EXPERT,
        "draft_submit",
        updated["private_metadata"],
        {"draft.1": {"type": "plain_text_input", "value": text}},
    )
    assert desk.send_interaction(submitted).status == 200
    desk.drain()
    case = desk.rt.store.get(number)
    assert case.state == State.DRAFTED and desk.rt.store.draft(number, 1).text == text  # type: ignore[union-attr]
