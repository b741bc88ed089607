from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack.cards import (
    card_blocks,
    draft_modal,
    ignore_modal,
    preview_blocks,
    reassign_modal,
    request_changes_modal,
)
from bridge.domain.ports import CardView, DraftPreview
from tests.support.blockkit import block_errors, view_errors


def card(text: str = "@AcmeHelp charged twice", **overrides: object) -> CardView:
    values: dict[str, object] = {
        "number": 1042,
        "state": "routed",
        "state_label": "Waiting for someone to claim it",
        "department": "billing",
        "author_handle": "maria_k",
        "author_name": "Maria K.",
        "author_followers": 1200,
        "text": text,
        "post_url": "https://x.com/maria_k/status/1",
        "platform": "x",
        "created_at": datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
        "sla_due": datetime(2026, 11, 26, 9, 15, tzinfo=UTC),
        "reasons": ("routed to billing: keyword 'charged'",),
        "actions": ("claim", "reassign", "ignore"),
    }
    values.update(overrides)
    return CardView(**values)  # type: ignore[arg-type]


def all_text(blocks: list[dict[str, Any]]) -> str:
    return repr(blocks)


def test_card_shows_case_number_author_text_link_deadline_and_the_three_buttons() -> None:
    blocks = card_blocks(card())
    assert block_errors(blocks) == []
    text = all_text(blocks)
    assert "Case #1042" in text and "Maria K." in text and "@maria_k" in text
    assert "charged twice" in text and "https://x.com/maria_k/status/1" in text
    assert "first response due <!date^" in text
    buttons = [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Claim", "Reassign", "Ignore"]


def test_hostile_mention_renders_inert_on_the_card() -> None:
    hostile = "<!channel> <@U123> <https://evil|click>"
    blocks = card_blocks(card(hostile, author_name="<!here>"))
    text = all_text(blocks)
    for live in ("<!channel>", "<@U123>", "<https://evil|click>", "<!here>"):
        assert live not in text
    assert "&lt;!channel&gt;" in text and "&lt;https://evil|click&gt;" in text


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(max_size=20000),
    name=st.text(max_size=500),
    handle=st.text(max_size=200),
    reasons=st.lists(st.text(max_size=3000), max_size=5),
)
def test_any_input_gives_a_card_within_block_kit_limits(
    text: str, name: str, handle: str, reasons: list[str]
) -> None:
    blocks = card_blocks(card(text, author_name=name, author_handle=handle, reasons=tuple(reasons)))
    assert block_errors(blocks) == []


@settings(max_examples=40, deadline=None)
@given(text=st.text(max_size=20000))
def test_any_draft_preview_is_valid_block_kit(text: str) -> None:
    preview = DraftPreview(
        number=7, version=3, text=text, author="U0EXP1", length_label="12/280", can_approve=bool(text)
    )
    blocks = preview_blocks(preview)
    assert block_errors(blocks) == []
    labels = [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert labels == (["Approve", "Request changes"] if text else ["Request changes"])


def test_every_modal_is_a_valid_view() -> None:
    for view in (
        draft_modal(1042, "Hi @maria_k, " * 400),
        request_changes_modal(1042, 2),
        ignore_modal(1042),
        reassign_modal(1042, ["billing", "social"], "billing"),
    ):
        assert view_errors(view) == []
