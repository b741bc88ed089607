"""Teams cards: valid Adaptive Cards 1.5 (the official schema), the Slack card's content, inert text,
and small enough for Teams whatever a customer wrote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
import pytest

from adapters.teams.cardkit import MAX_CARD_BYTES, size_of
from adapters.teams.cards import DraftForm, case_card, confirm_card, note_card, preview_card
from bridge.domain.ports import CardView, DraftPreview
from tests.support.adaptive_cards import errors, texts, titles
from tests.support.adaptive_cards import validator as adaptive_validator

NOW = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
NAMES = {"aad-erin": "Erin Expert", "aad-ann": "Ann Approver"}
ACTION_SETS = [
    ("claim", "reassign", "ignore"),
    ("draft", "reassign", "ignore"),
    ("reassign",),
    ("draft", "reassign"),
    (),
]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft6Validator:
    checker = adaptive_validator()
    assert checker.schema["$schema"].startswith("http://json-schema.org/draft-06/")  # hence Draft6Validator
    return checker


def assert_valid(validator: jsonschema.Draft6Validator, card: dict[str, Any]) -> None:
    assert not errors(validator, card)


def view(**overrides: Any) -> CardView:
    fields: dict[str, Any] = {
        "number": 1042,
        "state": "routed",
        "state_label": "Waiting for someone to claim it",
        "department": "billing",
        "author_handle": "maria_k",
        "author_name": "Maria K.",
        "author_followers": 1234,
        "text": "@AcmeHelp I was charged twice for order 88231, I need a refund",
        "post_url": "https://x.com/maria_k/status/1879",
        "platform": "x",
        "created_at": NOW,
        "sla_due": NOW + timedelta(minutes=15),
        "verdict": "respond",
        "priority": "high",
        "kind": "service",
        "reasons": ("keyword 'refund' → billing",),
        "actions": ("claim", "reassign", "ignore"),
    }
    fields.update(overrides)
    return CardView(**fields)


def preview(**overrides: Any) -> DraftPreview:
    fields: dict[str, Any] = {
        "number": 1042,
        "version": 2,
        "text": "Hi @maria_k, sorry! The second charge is refunded today.",
        "author": "aad-erin",
        "length_label": "58/280",
        "can_approve": True,
        "approvers": ("aad-ann",),
    }
    fields.update(overrides)
    return DraftPreview(**fields)


@pytest.mark.parametrize("actions", ACTION_SETS)
def test_case_card_is_a_valid_adaptive_card_in_every_state(
    validator: jsonschema.Draft6Validator, actions: tuple[str, ...]
) -> None:
    card = case_card(
        view(actions=actions, reply_url="https://x.com/AcmeHelp/status/9", claim_due=NOW),
        name_of=NAMES.get,  # type: ignore[arg-type]
        departments=["billing", "logistics", "social"],
        notice=("You claimed #1042.", "good"),
    )
    assert card["version"] == "1.5"
    assert_valid(validator, card)


def test_case_card_shows_what_the_slack_card_shows() -> None:
    card = case_card(view(state_label="Claimed by <@aad-erin>"), name_of=lambda u: NAMES.get(u, u))
    shown = texts(card)
    for expected in (
        "Case #1042",
        "X mention",
        "Maria K.",
        "(@maria\\_k)",
        "1,234 followers",
        "[View on X](https://x.com/maria_k/status/1879)",
        "first response due",
        "billing",
        "Claimed by **Erin Expert**",
        "respond · high priority · service issue",
        "Why here",
    ):
        assert expected in shown, expected
    assert titles(card) == ["Claim", "Reassign", "Ignore"]
    assert [a["type"] for a in card["actions"]] == ["Action.Execute", "Action.ShowCard", "Action.ShowCard"]
    claim = card["actions"][0]
    assert claim["verb"] == "case_claim" and claim["data"] == {"case": 1042}


def test_reassign_offers_the_departments_and_ignore_asks_for_a_reason() -> None:
    card = case_card(view(), departments=["billing", "logistics", "social"])
    reassign, ignore = card["actions"][1]["card"], card["actions"][2]["card"]
    picker = reassign["body"][0]
    assert picker["id"] == "department" and picker["value"] == "billing"
    assert [c["value"] for c in picker["choices"]] == ["billing", "logistics", "social"]
    assert reassign["actions"][0]["verb"] == "case_reassign"
    assert ignore["body"][0]["id"] == "reason" and ignore["actions"][0]["verb"] == "case_ignore"


def test_the_draft_form_is_prefilled_and_offers_templates(validator: jsonschema.Draft6Validator) -> None:
    form = DraftForm("Hi @maria_k, ", [("apology", "Apology"), ("ack", "Acknowledgement")], "apology")
    card = case_card(view(actions=("draft", "reassign", "ignore")), draft_form=form)
    assert_valid(validator, card)
    inputs = {e["id"]: e for e in card["body"] if e.get("id")}
    assert inputs["draft"]["value"] == "Hi @maria_k, " and inputs["template"]["value"] == "apology"
    verbs = [a["verb"] for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    assert verbs == ["case_draft_template", "case_draft", "case_view"]


def test_customer_text_on_the_card_is_inert() -> None:
    hostile = "[win](https://evil.example) <at>CEO</at> {{DATE(2017-02-14T06:08:39Z, SHORT)}} **now**"
    card = case_card(view(text=hostile, author_name="[Support](https://evil.example)"))
    shown = texts(card)
    assert "](https://evil" not in shown and "<at>" not in shown and "\\[Support\\]" in shown
    assert "{{DATE(2017" not in shown and "**now**" not in shown


def test_a_huge_post_still_fits_in_a_teams_message() -> None:
    card = case_card(view(text="🙏返" * 20_000, author_name="名" * 500))
    assert size_of(card) <= MAX_CARD_BYTES
    assert "more characters" in texts(card)


def test_preview_shows_length_and_offers_approve_and_request_changes(
    validator: jsonschema.Draft6Validator,
) -> None:
    card = preview_card(preview(), name_of=lambda u: NAMES.get(u, u), refresh_for=["29:ann"])
    assert_valid(validator, card)
    shown = texts(card)
    assert "Draft v2" in shown and "Erin Expert" in shown and "58/280" in shown
    assert titles(card) == ["Approve", "Request changes"]
    approve = card["actions"][0]
    assert approve["type"] == "Action.Execute" and approve["data"] == {"case": 1042, "version": 2}
    comment = card["actions"][1]["card"]
    assert comment["body"][0]["id"] == "comment" and comment["actions"][0]["verb"] == "draft_request_changes"
    assert card["refresh"]["userIds"] == ["29:ann"] and card["refresh"]["action"]["verb"] == "preview_refresh"


def test_a_draft_over_the_limit_cannot_be_approved(validator: jsonschema.Draft6Validator) -> None:
    card = preview_card(
        preview(text="x" * 290, length_label="290/280 — 10 over the limit", can_approve=False)
    )
    assert_valid(validator, card)
    assert titles(card) == ["Request changes"] and "cannot be approved until it fits" in texts(card)


def test_a_decided_preview_shows_its_status_instead_of_buttons(validator: jsonschema.Draft6Validator) -> None:
    card = preview_card(
        preview(), name_of=lambda u: NAMES.get(u, u), status="Approved by <@aad-ann> · posting"
    )
    assert_valid(validator, card)
    assert titles(card) == [] and "Approved by **Ann Approver**" in texts(card)


def test_notes_and_confirmations_are_valid(validator: jsonschema.Draft6Validator) -> None:
    assert_valid(validator, note_card("Maria wrote again:", "[x](https://evil.example) <at>a</at>"))
    card = confirm_card("Mute @troll? Reversible.", "mute", "troll")
    assert_valid(validator, card)
    assert titles(card) == ["Mute", "Cancel"]
    assert card["actions"][0]["data"] == {"action": "mute", "target": "troll"}
