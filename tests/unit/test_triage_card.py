"""What triage and the SLA put on a Slack card, and the Draft modal's template picker, as valid Block Kit."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.slack.cards import DRAFT_TEMPLATE_ACTION, card_blocks, draft_modal
from bridge.domain.ports import CardView
from tests.support.blockkit import block_errors, view_errors

CREATED = datetime(2025, 3, 28, 16, 50, tzinfo=UTC)


def card(**overrides: object) -> CardView:
    values: dict[str, object] = {
        "number": 1042,
        "state": "routed",
        "state_label": "Waiting for someone to claim it",
        "department": "orders",
        "author_handle": "night_owl",
        "author_name": "Night Owl",
        "author_followers": 12,
        "text": "@NorthwindHelp my parcel went to the wrong address",
        "post_url": "https://x.com/night_owl/status/1",
        "platform": "x",
        "created_at": CREATED,
        "sla_due": datetime(2025, 3, 31, 8, 5, tzinfo=UTC),
        "claim_due": datetime(2025, 3, 28, 16, 57, tzinfo=UTC),
        "verdict": "respond",
        "priority": "high",
        "kind": "service",
        "reply_account": "NorthwindHelp",
        "reasons": ("routed to orders: keyword 'parcel'", "needs a reply: score +3.22 ≥ -0.43"),
        "actions": ("claim", "reassign", "ignore"),
    }
    values.update(overrides)
    return CardView(**values)  # type: ignore[arg-type]


def test_the_card_shows_the_verdict_priority_kind_account_deadlines_and_reasons() -> None:
    blocks = card_blocks(card())
    assert block_errors(blocks) == []
    text = repr(blocks)
    assert "*Triage*\\nrespond · high priority · service issue" in text
    assert "*Answer from*\\n@NorthwindHelp" in text
    assert f"claim by <!date^{int(datetime(2025, 3, 28, 16, 57, tzinfo=UTC).timestamp())}^" in text
    assert "first response due <!date^" in text
    assert "Why here: routed to orders: keyword 'parcel'; needs a reply: score +3.22" in text


def test_a_monitored_case_shows_its_verdict_and_no_deadline() -> None:
    blocks = card_blocks(
        card(
            verdict="monitor",
            priority="low",
            sla_due=None,
            claim_due=None,
            reply_account="",
            actions=("reassign",),
        )
    )
    assert block_errors(blocks) == []
    text = repr(blocks)
    assert "monitor · low priority" in text and "first response due" not in text and "Answer from" not in text


def test_a_card_from_before_triage_looks_as_it_did() -> None:
    blocks = card_blocks(card(verdict="", priority="", kind="", reply_account="", claim_due=None))
    assert block_errors(blocks) == []
    assert "Triage" not in repr(blocks)


TEMPLATES = [
    ("apology", "Apology (suggested)"),
    ("acknowledgement", "Acknowledgement"),
    ("x" * 200, "y" * 200),
]


def test_the_draft_modal_offers_the_playbooks_templates_in_a_select() -> None:
    view = draft_modal(1042, "Hi @night_owl, ", TEMPLATES)
    assert view_errors(view) == []
    picker = next(b for b in view["blocks"] if b["type"] == "actions")
    select = picker["elements"][0]
    assert select["type"] == "static_select" and select["action_id"] == DRAFT_TEMPLATE_ACTION
    assert [o["value"] for o in select["options"]][:2] == ["apology", "acknowledgement"]
    assert "initial_option" not in select
    answer = view["blocks"][-1]
    assert answer["block_id"] == "draft" and answer["element"]["initial_value"] == "Hi @night_owl, "
    assert view["private_metadata"] == "1042"


def test_choosing_a_template_renews_the_answer_block_so_slack_shows_the_new_text() -> None:
    view = draft_modal(1042, "Sorry!", TEMPLATES, chosen="apology", revision=2)
    assert view_errors(view) == []
    select = view["blocks"][1]["elements"][0]
    assert select["initial_option"]["value"] == "apology"
    assert view["blocks"][-1]["block_id"] == "draft.2"
    assert view["private_metadata"] == "1042:2"


def test_without_templates_the_modal_is_as_before() -> None:
    view = draft_modal(7, "Hi")
    assert view_errors(view) == []
    assert [b["type"] for b in view["blocks"]] == ["section", "input"]
