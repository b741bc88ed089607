"""A closed case's facts, measured from its hash and timeline, against values worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bridge.playbook.hours import OpeningHours
from bridge.playbook.model import load_playbook
from bridge.reports.facts import build_facts, events_from, week_slot
from tests.conftest import PLAYBOOK

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 09:00 UTC


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def raw(**values: str) -> dict[str, str]:
    base = {
        "number": "1001",
        "state": "posted",
        "platform": "x",
        "created_at": T0.isoformat(),
        "department": "billing",
        "claimant": "U0EXP1",
        "approver": "U0APP1",
        "verdict": "respond",
        "sentiment": "-0.6",
        "polarity": "negative",
        "author_handle": "Carol",
        "author_id": "42",
        "text": "I was charged twice",
        "card_ts": "1.1",
    }
    base.update(values)
    return base


#: ack at 2 min, claim at 5, answer at 20; customer writes at 30, reopen, claim 40, answer 50.
TIMELINE = [
    {"action": "ingested", "by": "bridge", "at": at(0.5)},
    {"action": "triaged", "by": "bridge", "at": at(0.5)},
    {"action": "card_posted", "by": "bridge", "at": at(1)},
    {"action": "out_of_hours_ack", "by": "bridge", "at": at(2)},
    {"action": "claim", "by": "U0EXP1", "at": at(5)},
    {"action": "posted", "by": "bridge", "at": at(20)},
    {"action": "customer_follow_up", "by": "Carol", "at": at(30), "text": "Thanks, that fixed it!"},
    {"action": "reopen", "by": "bridge", "at": at(30)},
    {"action": "claim", "by": "U0EXP1", "at": at(40)},
    {"action": "posted", "by": "bridge", "at": at(50)},
]


def test_each_measure_of_a_reopened_and_answered_case() -> None:
    playbook = load_playbook(PLAYBOOK)
    facts = build_facts(raw(), events_from(TIMELINE), playbook, lambda text: 0.7, T0)
    assert facts.first_reply_seconds == 120  # the acknowledgement counts as a reply
    assert facts.first_human_reply_seconds == 20 * 60  # the answer
    # the first post waited 20 min, the follow-up 20 min (30 → 50)
    assert (facts.response_count, facts.response_seconds) == (2, 40 * 60)
    # claim 5 → answer 20, claim 40 → answer 50
    assert (facts.handled_count, facts.handling_seconds) == (2, 25 * 60)
    assert facts.resolution_seconds == 50 * 60  # left answered: resolved at its last answer
    assert facts.reopened == 1 and facts.answers == 2
    assert facts.needed_response and not facts.set_aside
    assert facts.sla_minutes == 15 and facts.sla_met is False  # 20 min > X's 15
    assert (facts.sentiment_start, facts.polarity_start) == (-0.6, "negative")
    assert (facts.sentiment_end, facts.polarity_end) == (0.7, "positive")  # their last message
    assert facts.closed_at == T0 + timedelta(minutes=50)
    assert (facts.hour_of_week, facts.week) == (9, "2026-11-02")
    assert facts.expert == "U0EXP1" and facts.author_handle_folded == "carol"


def test_survey_answers_and_link_counts_are_copied_when_present() -> None:
    playbook = load_playbook(PLAYBOOK)
    extra = raw(csat="4", nps="9", survey_comment="quick!", link_clicks="3", link_conversions="1")
    facts = build_facts(extra, events_from(TIMELINE), playbook, lambda text: 0.0, T0)
    assert (facts.csat, facts.nps, facts.survey_comment) == (4, 9, "quick!")
    assert (facts.link_clicks, facts.link_conversions) == (3, 1)
    plain = build_facts(raw(), events_from(TIMELINE), playbook, lambda text: 0.0, T0)
    assert (plain.csat, plain.nps, plain.survey_comment, plain.link_clicks) == (None, None, None, 0)


def test_a_case_set_aside_by_triage_needs_no_response_and_has_no_sla() -> None:
    playbook = load_playbook(PLAYBOOK)
    timeline = [
        {"action": "ingested", "by": "bridge", "at": at(0)},
        {"action": "triaged", "by": "bridge", "at": at(0)},
        {"action": "ignore", "by": "bridge", "at": at(0), "reason": "spam"},
    ]
    facts = build_facts(
        raw(state="ignored", cardless="1", card_ts=""), events_from(timeline), playbook, lambda t: 0.0, T0
    )
    assert facts.set_aside and not facts.needed_response
    assert facts.sla_met is None and facts.resolution_seconds is None


def test_the_sla_counts_open_minutes_only() -> None:
    playbook = load_playbook(PLAYBOOK).model_copy(
        update={"hours": OpeningHours(timezone="UTC", weekly={"mon-fri": "09:00-17:00"})}
    )
    friday_evening = datetime(2026, 11, 6, 16, 55, tzinfo=UTC)
    timeline = [
        {"action": "claim", "by": "U0EXP1", "at": "2026-11-09T09:00:00+00:00"},
        {"action": "posted", "by": "bridge", "at": "2026-11-09T09:08:00+00:00"},  # Monday 09:08
    ]
    facts = build_facts(
        raw(created_at=friday_evening.isoformat()), events_from(timeline), playbook, lambda t: 0.0, T0
    )
    assert facts.sla_open_minutes == pytest.approx(13)  # 5 on Friday + 8 on Monday
    assert facts.sla_met is True
    assert facts.first_human_reply_seconds == pytest.approx((2 * 24 * 60 + 16 * 60 + 13) * 60)


def test_the_week_slot_is_in_the_desk_zone() -> None:
    from zoneinfo import ZoneInfo

    # Sunday 23:30 UTC is Monday 00:30 in Berlin: the first hour of that week
    assert week_slot(datetime(2026, 11, 1, 23, 30, tzinfo=UTC), ZoneInfo("Europe/Berlin")) == (
        0,
        "2026-11-02",
    )


def test_a_case_a_person_ignored_needed_no_response() -> None:
    playbook = load_playbook(PLAYBOOK)
    timeline = [
        {"action": "card_posted", "by": "bridge", "at": at(1)},
        {"action": "ignore", "by": "U0SOC1", "at": at(3), "reason": "troll"},
    ]
    facts = build_facts(raw(state="ignored"), events_from(timeline), playbook, lambda t: 0.0, T0)
    assert not facts.needed_response and not facts.set_aside and facts.sla_met is None
    unanswered = build_facts(raw(state="resolved"), events_from(timeline[:1]), playbook, lambda t: 0.0, T0)
    assert unanswered.needed_response and unanswered.sla_met is False  # closed without an answer: missed
