"""Crisis notices as Teams cards: valid Adaptive Cards 1.5 (the official schema) for any input, what
the Slack notice shows, people by name, customers' words inert, and small enough for Teams."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings

from adapters.teams.cardkit import MAX_CARD_BYTES, size_of
from adapters.teams.crisis_cards import EditForm, notice_card
from adapters.teams.text import WORD_JOINER
from bridge.crisis.incident import Incident
from bridge.crisis.ports import Notice
from bridge.crisis.views import alert_notice, browse_url, bulk_notice, mass_notice, statement_notice
from tests.support.adaptive_cards import errors, texts, titles
from tests.support.adaptive_cards import validator as adaptive_validator
from tests.support.crisis_notices import RAISED, alert, any_notices, explanation

NAMES = {"aad-lou": "Lou Logistics", "aad-ann": "Ann Approver"}
LINK = re.compile(r"(?<!\\)\]\(([^)\s]*)\)")
HOSTILE = (
    "[win](https://evil.example) <at>CEO</at> visit https://evil.example/pay or www.evil.example "
    "{{DATE(2017-02-14T06:08:39Z, SHORT)}} **now**"
)


def name_of(user: str) -> str:
    return NAMES.get(user, user)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft6Validator:
    return adaptive_validator()


def incident(**changes: Any) -> Incident:
    values: dict[str, Any] = {
        "id": 1,
        "alert": 3,
        "topic": "recall",
        "label": "recall",
        "state": "statement_draft",
        "started_by": "aad-ann",
        "started_at": RAISED,
        "chat": "teams",
        "channel": "Leadership",
        "channel_name": "Leadership",
        "platform": "x",
        "account": "main",
        "account_handle": "Acme",
        "statement_version": 1,
        "statement_approved_version": 0,
        "statement_approver": "",
        "statement_url": "",
        "statement_id": "",
        "bulk_version": 0,
        "bulk_approved_version": 0,
        "bulk_approver": "",
        "bulk_sent": 0,
        "bulk_skipped": 0,
        "bulk_resume_at": None,
    }
    values.update(changes)
    return Incident(**values)


def actions(card: dict[str, Any]) -> list[tuple[str, str, Any]]:
    return [(a["title"], a["verb"], a["data"]) for a in card.get("actions", [])]


def live_links(card: dict[str, Any]) -> list[str]:
    """The targets of markdown links a person could click (an escaped ``\\]`` opens none)."""
    return LINK.findall(texts(card))


def readable(card: dict[str, Any]) -> str:
    """The card's text as a person reads it: the invisible word joiners that defuse links gone."""
    return texts(card).replace(WORD_JOINER, "")


def test_the_alert_card_explains_itself_and_offers_three_execute_buttons(
    validator: jsonschema.Draft6Validator,
) -> None:
    card = notice_card(alert_notice(alert()))
    assert not errors(validator, card) and card["version"] == "1.5"
    shown = texts(card)
    assert "Crisis alert: recall" in shown and "12 mentions of recall in the last 15 min" in shown
    assert "48× usual" in shown and "(usually 10%)" in shown and "48,000 followers" in shown
    assert "@maria\\_k (12,300 followers)" in shown and "Alert 3 · topic recall" in shown
    assert actions(card) == [
        ("Acknowledge", "crisis_ack", {"value": "3"}),
        ("Start incident", "crisis_start_incident", {"value": "3"}),
        ("Dismiss", "crisis_dismiss", {"value": "3"}),
    ]
    assert [a.get("style") for a in card["actions"]] == [None, "positive", "destructive"]
    assert live_links(card) == ["https://x.com/maria_k/status/1"]


def test_the_alert_card_follows_its_state_and_names_people(validator: jsonschema.Draft6Validator) -> None:
    card = notice_card(alert_notice(alert("acknowledged", acknowledged_by="aad-lou")), name_of=name_of)
    assert not errors(validator, card)
    assert "Acknowledged by **Lou Logistics**" in texts(card) and "aad-lou" not in texts(card)
    assert titles(card) == ["Start incident", "Dismiss"]
    assert titles(notice_card(alert_notice(alert("incident", incident=1)))) == []


def test_customers_words_and_handles_on_a_crisis_card_are_inert(
    validator: jsonschema.Draft6Validator,
) -> None:
    card = notice_card(alert_notice(alert(explanation=explanation(HOSTILE, handle="<at>boss</at>"))))
    assert not errors(validator, card)
    shown = texts(card)
    assert "<at>" not in shown and "{{DATE(" not in shown and "**now**" not in shown
    assert "https://evil" not in shown and "www.evil" not in shown
    assert live_links(card) == ["https://x.com/maria_k/status/1"], "only the bridge's own link is live"
    assert "visit https://evil.example/pay" in readable(card), "the customer's words are still there to read"


def test_the_statement_preview_shows_exactly_what_will_be_posted_inert(
    validator: jsonschema.Draft6Validator,
) -> None:
    notice = statement_notice(incident(), 2, HOSTILE, "aad-ann", "140/280", True)
    card = notice_card(notice, name_of=name_of)
    assert not errors(validator, card)
    shown = texts(card)
    assert "**Draft v2** by **Ann Approver**" in shown and "main brand account @Acme" in shown
    assert "<at>" not in shown and "https://evil" not in shown and live_links(card) == []
    assert actions(card) == [
        ("Approve", "crisis_approve_statement", {"value": "1:2"}),
        ("Edit", "crisis_edit_statement", {"value": "1:2"}),
    ]


def test_a_bulk_reply_too_long_for_some_handles_can_only_be_edited(
    validator: jsonschema.Draft6Validator,
) -> None:
    notice = bulk_notice(incident(), 1, "Hi @a, …", "aad-ann", "290/280", False, 34, "at most 90 per 15 min")
    card = notice_card(notice)
    assert not errors(validator, card)
    assert titles(card) == ["Edit"] and "too long for some handles" in texts(card)
    assert "goes to 34 unanswered mentions" in texts(card)


def test_the_mass_card_counts_and_links_to_browse_them_on_x(validator: jsonschema.Draft6Validator) -> None:
    url = browse_url(["recall", "recalled"], "recall", "AcmeHelp")
    card = notice_card(mass_notice("recall", 19, list(explanation().examples), url, RAISED, 1031, 1049, None))
    assert not errors(validator, card)
    shown = texts(card)
    assert "Mass issue: recall · 19 mentions" in shown and "cases #1031–#1049" in shown
    assert f"[Browse them on X]({url})" in shown and titles(card) == []


def test_the_edit_form_opens_with_the_current_text_and_saves_a_new_version(
    validator: jsonschema.Draft6Validator,
) -> None:
    notice = statement_notice(incident(), 1, "An update from Acme", "aad-ann", "19/280", True)
    card = notice_card(notice, edit=EditForm("statement", "1:1", "An update from Acme"))
    assert not errors(validator, card)
    field = next(e for e in card["body"] if e["type"] == "Input.Text")
    assert field["id"] == "text" and field["isMultiline"] is True
    assert field["value"] == "An update from Acme" and field["maxLength"] == 2000
    form_buttons = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    assert [(a["title"], a["verb"], a["data"]) for a in form_buttons] == [
        ("Save new version", "crisis_save_statement", {"value": "1:1"}),
        ("Cancel", "crisis_view_statement", {"value": "1:1"}),
    ]
    bulk = notice_card(notice, edit=EditForm("bulk", "1:1", ""))
    assert not errors(validator, bulk) and "{{ author.handle }}" in readable(bulk)


def test_the_core_answer_is_shown_to_the_clicker_with_names(validator: jsonschema.Draft6Validator) -> None:
    answer = ("Only leadership may acknowledge alerts: <@aad-ann>, <@aad-lou>.", "attention")
    card = notice_card(alert_notice(alert()), name_of=name_of, answer=answer)
    assert not errors(validator, card)
    line = card["body"][-1]
    assert line["color"] == "attention"
    assert line["text"] == "Only leadership may acknowledge alerts: **Ann Approver**, **Lou Logistics**."


def test_a_huge_notice_still_fits_in_a_teams_message() -> None:
    notice = Notice(
        title="名" * 400,
        text="🙏" * 10_000,
        quotes=tuple("<返>" * 5_000 for _ in range(8)),
        preview="[x]" * 5_000,
        fields=tuple(("f" * 300, "<@x> " * 2_000) for _ in range(12)),
    )
    card = notice_card(notice)
    assert size_of(card) <= MAX_CARD_BYTES and "more characters" in texts(card)


@settings(max_examples=60, deadline=None)
@given(notice=any_notices())
def test_any_notice_is_a_valid_adaptive_card_within_teams_size(notice: Notice) -> None:
    card = notice_card(notice, edit=EditForm("statement", "1:2", notice.preview))
    assert not errors(adaptive_validator(), card)
    assert size_of(card) <= MAX_CARD_BYTES
