"""SLA deadlines: per-platform targets, counted in opening hours, across DST changes and holidays."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bridge.playbook.model import Playbook
from bridge.triage.sla import claim_due, deadlines, first_response_due


def playbook(**extra: Any) -> Playbook:
    data: dict[str, Any] = {
        "brand": {"name": "Acme"},
        "default_department": "social",
        "departments": {"social": {"slack_channel": "C0SOCIAL", "approvers": ["U0SOC2"]}},
    }
    data.update(extra)
    return Playbook.model_validate(data)


LONDON = {"timezone": "Europe/London", "weekly": {"mon-fri": "09:00-17:00"}, "holidays": ["2025-12-25"]}
MONDAY_10 = datetime(2025, 3, 24, 10, 0, tzinfo=UTC)


def test_defaults_are_15_minutes_on_x_and_an_hour_on_facebook() -> None:
    book = playbook()
    assert first_response_due(book, "x", MONDAY_10) == datetime(2025, 3, 24, 10, 15, tzinfo=UTC)
    assert first_response_due(book, "facebook", MONDAY_10) == datetime(2025, 3, 24, 11, 0, tzinfo=UTC)
    assert first_response_due(book, "some-new-network", MONDAY_10) == datetime(2025, 3, 24, 11, 0, tzinfo=UTC)


def test_the_playbook_sets_its_own_targets() -> None:
    book = playbook(sla={"first_response_minutes": {"x": 5}})
    assert first_response_due(book, "x", MONDAY_10) == datetime(2025, 3, 24, 10, 5, tzinfo=UTC)
    assert first_response_due(book, "facebook", MONDAY_10) == datetime(2025, 3, 24, 11, 0, tzinfo=UTC)


def test_a_friday_evening_mention_is_due_on_monday_after_the_clocks_changed() -> None:
    book = playbook(hours=LONDON)
    friday = datetime(2025, 3, 28, 16, 50, tzinfo=UTC)  # 16:50 GMT, 10 open minutes left
    assert first_response_due(book, "x", friday) == datetime(2025, 3, 31, 8, 5, tzinfo=UTC)  # 09:05 BST
    assert claim_due(book, "x", friday) == datetime(2025, 3, 28, 16, 57, 30, tzinfo=UTC)


def test_autumn_back_weekend_is_counted_in_real_minutes() -> None:
    book = playbook(hours=LONDON)
    friday = datetime(2025, 10, 24, 15, 55, tzinfo=UTC)  # 16:55 BST, 5 open minutes left
    assert first_response_due(book, "x", friday) == datetime(2025, 10, 27, 9, 10, tzinfo=UTC)  # 09:10 GMT


def test_a_holiday_is_not_counted() -> None:
    book = playbook(hours=LONDON)
    christmas_eve = datetime(2025, 12, 24, 16, 50, tzinfo=UTC)
    assert first_response_due(book, "x", christmas_eve) == datetime(2025, 12, 26, 9, 5, tzinfo=UTC)


def test_respect_hours_false_counts_on_the_clock() -> None:
    book = playbook(hours=LONDON, sla={"respect_hours": False})
    friday = datetime(2025, 3, 28, 16, 50, tzinfo=UTC)
    assert first_response_due(book, "x", friday) == datetime(2025, 3, 28, 17, 5, tzinfo=UTC)


def test_the_claim_reminder_is_due_at_half_the_open_minutes() -> None:
    book = playbook()
    assert claim_due(book, "facebook", MONDAY_10) == datetime(2025, 3, 24, 10, 30, tzinfo=UTC)


def test_deadlines_explain_themselves_in_the_desks_time_zone() -> None:
    book = playbook(hours=LONDON)
    found = deadlines(book, "x", datetime(2025, 3, 28, 16, 50, tzinfo=UTC))
    assert found.reason == (
        "first response due Monday 31 March at 09:05 BST (15 open minutes on x; the desk was closed)"
    )
    plain = deadlines(playbook(), "x", MONDAY_10)
    assert plain.reason == "first response due 2025-03-24 10:15 UTC (15 minutes on x)"
    assert plain.claim < plain.first_response
