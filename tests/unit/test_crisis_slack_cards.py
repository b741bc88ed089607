"""Crisis notices in Block Kit: what leadership sees, valid for any input, customers' words inert."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from adapters.slack.crisis_cards import edit_modal, notice_blocks
from bridge.crisis.ports import Notice
from bridge.crisis.views import alert_notice, browse_url, mass_notice
from tests.support.blockkit import block_errors, view_errors
from tests.support.crisis_notices import RAISED, alert, any_notices, explanation


def labels(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_the_alert_card_explains_itself_and_offers_the_three_buttons() -> None:
    blocks = notice_blocks(alert_notice(alert()))
    assert block_errors(blocks) == []
    text = repr(blocks)
    assert "Crisis alert: recall" in text and "12 mentions of recall in the last 15 min" in text
    assert "48× usual" in text and "75%" in text and "(usually 10%)" in text and "48,000 followers" in text
    assert "usually 0.2 in 15 min" in text and "@maria_k (12,300 followers)" in text
    assert labels(blocks) == ["Acknowledge", "Start incident", "Dismiss"]
    ids = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert ids == ["crisis_ack", "crisis_start_incident", "crisis_dismiss"]


def test_the_alert_card_follows_its_state() -> None:
    assert labels(notice_blocks(alert_notice(alert("acknowledged", acknowledged_by="U0VPC")))) == [
        "Start incident",
        "Dismiss",
    ]
    assert "Acknowledged by <@U0VPC>" in repr(
        notice_blocks(alert_notice(alert("acknowledged", acknowledged_by="U0VPC")))
    )
    assert labels(notice_blocks(alert_notice(alert("incident", incident=1)))) == []
    assert labels(notice_blocks(alert_notice(alert("calm")))) == []


def test_customers_words_on_crisis_cards_are_inert() -> None:
    hostile = "<!channel> <@U123> <https://evil|click>"
    blocks = notice_blocks(alert_notice(alert(explanation=explanation(hostile, handle="<!here>"))))
    text = repr(blocks)
    for live in ("<!channel>", "<@U123>", "<https://evil|click>", "<!here>"):
        assert live not in text
    assert "&lt;!channel&gt;" in text


def test_the_mass_card_counts_and_links_to_browse_them() -> None:
    url = browse_url(["recall", "recalled"], "recall", "AcmeHelp")
    assert url.startswith("https://x.com/search?q=") and "recall+OR+recalled" in url
    notice = mass_notice("recall", 19, list(explanation().examples), url, RAISED, 1031, 1049, None)
    blocks = notice_blocks(notice)
    assert block_errors(blocks) == []
    text = repr(blocks)
    assert "Mass issue: recall · 19 mentions" in text and "cases #1031–#1049" in text
    assert "Browse them on X" in text and labels(blocks) == []


@settings(max_examples=60, deadline=None)
@given(notice=any_notices())
def test_any_notice_is_valid_block_kit(notice: Notice) -> None:
    assert block_errors(notice_blocks(notice)) == []


def test_the_edit_dialogs_are_valid_views() -> None:
    assert view_errors(edit_modal("statement", "1", "Edit the statement", "An update " * 500)) == []
    assert view_errors(edit_modal("bulk", "1", "Edit the bulk reply", "")) == []
