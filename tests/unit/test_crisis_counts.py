"""Rolling per-topic counts and the hour-of-week baseline, on real Redis, with a manual clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bridge.crisis.budget import PostingBudget
from bridge.crisis.counts import RollingCounts, describe_slot, hour_of_week
from bridge.domain.clock import ManualClock
from bridge.store.cases import Store

MONDAY = datetime(2025, 3, 3, 0, 0, tzinfo=UTC)


@pytest.fixture
def counts(store: Store) -> RollingCounts:
    return RollingCounts(store.r, store.k("crisis", ""), alpha=0.5)


def test_hour_of_week_starts_on_monday_midnight_utc() -> None:
    assert hour_of_week(MONDAY) == 0
    assert hour_of_week(MONDAY + timedelta(days=6, hours=23, minutes=59)) == 167
    assert describe_slot(hour_of_week(MONDAY + timedelta(hours=14))) == "Mon 14:00–15:00 UTC"


def test_the_window_counts_mentions_negatives_and_reach_and_rolls_off(counts: RollingCounts) -> None:
    now = MONDAY + timedelta(hours=9)
    for i in range(5):
        stats = counts.observe("recall", at=now, now=now, window_minutes=15, negative=i < 2, reach=100)
    assert (stats.count, stats.negative, stats.reach) == (5, 2, 500)
    assert stats.negative_share == pytest.approx(0.4)
    later = counts.window("recall", now=now + timedelta(minutes=14), window_minutes=15)
    assert later.count == 5
    gone = counts.window("recall", now=now + timedelta(minutes=15), window_minutes=15)
    assert gone.count == 0


def test_a_late_mention_counts_in_its_own_minute_and_a_future_one_now(counts: RollingCounts) -> None:
    now = MONDAY + timedelta(hours=9, minutes=30)
    counts.observe("outage", at=now - timedelta(minutes=20), now=now, window_minutes=15)
    stats = counts.observe("outage", at=now + timedelta(hours=1), now=now, window_minutes=15)
    assert stats.count == 1, "20 minutes old is outside the window; a clock ahead of ours counts now"


def test_the_baseline_learns_per_hour_of_week_and_falls_back_to_all_hours(counts: RollingCounts) -> None:
    # week 1, Monday 09:00–10:00: four mentions; the hour is folded once 10:00 has passed
    for minute in (5, 15, 25, 35):
        at = MONDAY + timedelta(hours=9, minutes=minute)
        counts.observe("recall", at=at, now=at, window_minutes=15)
    tuesday = MONDAY + timedelta(days=1, hours=9)
    stats = counts.window("recall", now=tuesday, window_minutes=15)
    assert stats.baseline.source == "all hours", "Tuesday 09:00 has not been seen yet"
    # the folded hours are 9 (four mentions) and the 23 quiet hours after it: the average is low
    assert 0 < stats.baseline.hourly < 1
    week_two = MONDAY + timedelta(days=7, hours=9)
    stats = counts.window("recall", now=week_two, window_minutes=15)
    assert stats.baseline.source == "same hour of week" and stats.baseline.weeks == 1
    assert stats.baseline.hourly == pytest.approx(4.0)
    assert stats.baseline.expected(15) == pytest.approx(1.0)


def test_the_baseline_is_an_exponentially_weighted_average_of_past_weeks(counts: RollingCounts) -> None:
    for week, mentions in enumerate((4, 8)):
        for i in range(mentions):
            at = MONDAY + timedelta(days=7 * week, hours=9, minutes=i)
            counts.observe("recall", at=at, now=at, window_minutes=15, negative=i % 2 == 0)
    stats = counts.window("recall", now=MONDAY + timedelta(days=14, hours=9), window_minutes=15)
    assert stats.baseline.weeks == 2
    assert stats.baseline.hourly == pytest.approx(0.5 * 8 + 0.5 * 4)
    assert stats.baseline.negative_share == pytest.approx(0.5)


def test_a_cluster_is_compared_with_its_own_previous_two_hours(counts: RollingCounts) -> None:
    start = MONDAY + timedelta(hours=9)
    for i in range(90):  # a question people ask all day: one every two minutes for three hours
        at = start + timedelta(minutes=2 * i)
        stats = counts.observe("cluster-1", at=at, now=at, window_minutes=15, learn=False)
    assert stats.baseline.source == "previous 2 hours"
    assert stats.baseline.hourly == pytest.approx(30, rel=0.1)
    assert stats.baseline.expected(15) == pytest.approx(stats.count, rel=0.2), "steady: as usual"
    burst = counts.observe("cluster-2", at=start, now=start, window_minutes=15, learn=False)
    assert (burst.baseline.source, burst.baseline.hourly) == ("previous 2 hours", 0), "a new cluster"


def test_hours_with_an_open_alert_are_not_learned(store: Store, counts: RollingCounts) -> None:
    alert_key = store.k("crisis", "active", "recall")
    store.r.set(alert_key, "1")
    for minute in range(0, 60, 2):  # a fire: 30 mentions in Monday 09:00–10:00
        at = MONDAY + timedelta(hours=9, minutes=minute)
        counts.observe("recall", at=at, now=at, window_minutes=15, alert_key=alert_key)
    store.r.delete(alert_key)
    at = MONDAY + timedelta(hours=10, minutes=5)
    counts.observe("recall", at=at, now=at, window_minutes=15, alert_key=alert_key)
    stats = counts.window("recall", now=MONDAY + timedelta(days=7, hours=9), window_minutes=15)
    assert stats.baseline.hourly < 1, "the fire's hour taught nothing; the quiet hours after it did"


def test_the_posting_budget_grants_up_to_capacity_then_says_how_long_to_wait(store: Store) -> None:
    clock = ManualClock(MONDAY)
    budget = PostingBudget(store.r, store.k("budget"), clock)
    assert [budget.take(3, 900) for _ in range(3)] == [0, 0, 0]
    clock.advance(minutes=5)
    assert budget.take(3, 900) == pytest.approx(600)
    clock.advance(minutes=10)
    assert budget.take(3, 900) == 0 and budget.used(900) == 1
