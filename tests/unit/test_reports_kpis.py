"""The KPIs against values computed by hand, and the SQL layer against the pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bridge.reports.kpis import Cut, Targets, figures, sla_by_platform, totals
from bridge.reports.query import Reports
from bridge.store.history import CaseFacts
from tests.support.history import sqlite_history

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


def _case(number: int, **values: object) -> CaseFacts:
    base: dict[str, object] = {
        "number": number,
        "platform": "x",
        "created_at": T0 + timedelta(hours=number - 1),
        "closed_at": T0 + timedelta(hours=number),
        "state": "posted",
        "department": "billing",
        "verdict": "respond",
        "service_model": "concierge",
    }
    base.update(values)
    return CaseFacts(**base)  # type: ignore[arg-type]


#: Four cases whose figures are worked out by hand in the tests below.
CASES = [
    _case(
        1,
        expert="alice",
        first_reply_seconds=300,
        first_human_reply_seconds=600,
        response_count=2,
        response_seconds=600 + 1200,
        handled_count=1,
        handling_seconds=240,
        resolution_seconds=3600,
        answers=1,
        needed_response=True,
        sla_met=True,
        sentiment_start=-0.6,
        sentiment_end=0.3,
        polarity_start="negative",
        polarity_end="positive",
        csat=5,
        nps=10,
        link_clicks=3,
        link_conversions=1,
    ),
    _case(
        2,
        expert="bob",
        platform="mastodon",
        first_reply_seconds=1800,
        first_human_reply_seconds=1800,
        response_count=1,
        response_seconds=1800,
        handled_count=2,
        handling_seconds=600 + 1200,
        resolution_seconds=7200,
        answers=2,
        reopened=1,
        needed_response=True,
        sla_met=False,
        sentiment_start=-0.5,
        sentiment_end=-0.7,
        polarity_start="negative",
        polarity_end="negative",
        csat=2,
        nps=6,
    ),
    _case(
        3, state="ignored", set_aside=True, sentiment_start=0.1, sentiment_end=0.1, polarity_start="neutral"
    ),
    _case(
        4,
        department="legal",
        expert="alice",
        needed_response=True,
        state="resolved",
        resolution_seconds=600,
        csat=4,
        nps=8,
    ),
]


def test_each_kpi_matches_the_hand_computed_value() -> None:
    shown = {
        f.key: f
        for f in figures(totals(CASES), Targets(first_response_minutes=15, sla_attainment_percent=90))
    }
    assert shown["cases"].value == 4
    assert shown["first_response_any"].value == pytest.approx((300 + 1800) / 2 / 60)  # 17.5 min
    assert shown["first_response_human"].value == pytest.approx((600 + 1800) / 2 / 60)  # 20 min
    assert shown["first_response_human"].on_target is False  # 20 > 15
    assert shown["average_response"].value == pytest.approx((600 + 1200 + 1800) / 3 / 60)  # 20 min
    assert shown["handling"].value == pytest.approx((240 + 600 + 1200) / 3 / 60)
    assert shown["resolution"].value == pytest.approx((3600 + 7200 + 600) / 3 / 60)  # 63.3 min
    assert shown["sla_attainment"].value == pytest.approx(100 / 3)  # 1 of 3 that needed a response
    assert shown["sla_attainment"].on_target is False
    assert shown["reopen_rate"].value == pytest.approx(50.0)  # 1 of 2 answered
    assert shown["needed_response"].value == pytest.approx(75.0)
    assert shown["set_aside"].value == 1
    assert shown["sentiment_start"].value == pytest.approx((-0.6 - 0.5 + 0.1) / 3)
    assert shown["sentiment_end"].value == pytest.approx((0.3 - 0.7 + 0.1) / 3)
    assert shown["sentiment_improved"].value == pytest.approx(50.0)  # of 2 negative starts, 1 improved
    assert shown["csat_average"].value == pytest.approx(11 / 3)
    assert shown["csat_satisfied"].value == pytest.approx(200 / 3)  # 5 and 4 of 5, 2, 4
    assert shown["nps"].value == pytest.approx(0.0)  # promoters 1 (10), detractors 1 (6), passive 8
    assert shown["link_clicks"].value == 3
    assert shown["link_conversions"].value == 1
    assert all(f.definition for f in shown.values())


def test_cuts_select_by_period_platform_department_expert_and_verdict() -> None:
    assert totals(CASES, Cut(platform="mastodon")).cases == 1
    assert totals(CASES, Cut(department="legal")).cases == 1
    assert totals(CASES, Cut(expert="alice")).cases == 2
    assert totals(CASES, Cut(since=T0 + timedelta(hours=1), until=T0 + timedelta(hours=3))).cases == 2
    assert totals(CASES, Cut(verdict="noise")).cases == 0
    assert list(sla_by_platform(CASES)) == ["mastodon", "x"]
    assert sla_by_platform(CASES)["x"].sla_met == 1


def test_no_cases_give_no_figure_rather_than_zero() -> None:
    shown = {f.key: f for f in figures(totals([]))}
    assert shown["first_response_any"].value is None
    assert shown["first_response_any"].shown() == "—"
    assert shown["nps"].value is None


@pytest.mark.parametrize(
    "cut",
    [Cut(), Cut(platform="x"), Cut(department="billing", expert="alice"), Cut(since=T0 + timedelta(hours=2))],
)
def test_sql_totals_equal_the_pure_totals(tmp_path: Path, cut: Cut) -> None:
    history = sqlite_history(tmp_path)
    for facts in CASES:
        history.save(facts, [])
    reports = Reports(history.engine)
    assert reports.totals(cut) == totals(CASES, cut)
    assert reports.totals_by(cut, "platform") == sla_by_platform(CASES, cut)


def test_volume_by_hour_of_week_counts_each_case_in_its_slot(tmp_path: Path) -> None:
    history = sqlite_history(tmp_path)
    for facts in CASES:
        history.save(facts, [])
    history.save(_case(5, hour_of_week=10, department="legal"), [])
    volume = Reports(history.engine).volume_by_hour(Cut(), by="department")
    assert volume["billing"][0] == 3 and volume["legal"][0] == 1 and volume["legal"][10] == 1


def test_totals_add_up_so_per_platform_totals_make_the_whole() -> None:
    parts = sla_by_platform(CASES)
    assert parts["x"] + parts["mastodon"] == totals(CASES)


def test_totals_by_day_are_each_days_pure_totals(tmp_path: Path) -> None:
    history = sqlite_history(tmp_path)
    spread = [_case(n, created_at=T0 + timedelta(days=n % 2)) for n in range(1, 5)]
    for facts in spread:
        history.save(facts, [])
    by_day = Reports(history.engine).totals_by_day(Cut())
    assert list(by_day) == ["2026-11-02", "2026-11-03"]
    assert by_day["2026-11-03"] == totals([f for f in spread if f.number % 2])
