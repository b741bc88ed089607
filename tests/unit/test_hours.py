"""Opening hours: weekly spans in the playbook's zone, holidays, and arithmetic that survives DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bridge.playbook.hours import OpeningHours, parse_days, parse_spans

LONDON_WEEK = {"mon-fri": "09:00-17:00", "sat": "10:00-14:00"}


def london(**extra: object) -> OpeningHours:
    return OpeningHours.model_validate({"timezone": "Europe/London", "weekly": LONDON_WEEK, **extra})


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- reading the playbook's words ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "days"),
    [
        ("mon", (0,)),
        ("mon-fri", (0, 1, 2, 3, 4)),
        ("fri-mon", (4, 5, 6, 0)),
        ("sat,sun", (5, 6)),
        ("daily", (0, 1, 2, 3, 4, 5, 6)),
        ("weekdays", (0, 1, 2, 3, 4)),
        ("Tuesday", (1,)),
    ],
)
def test_day_keys_name_single_days_ranges_lists_and_aliases(key: str, days: tuple[int, ...]) -> None:
    assert parse_days(key) == days


def test_spans_take_lists_commas_closed_and_a_whole_day() -> None:
    assert parse_spans("08:00-12:00, 13:00-17:30") == ((480, 720), (780, 1050))
    assert parse_spans(["13:00-17:00", "08:00-12:00"]) == ((480, 720), (780, 1020))
    assert parse_spans("closed") == ()
    assert parse_spans("00:00-24:00") == ((0, 1440),)


@pytest.mark.parametrize(
    ("weekly", "problem"),
    [
        ({"mon": "9-17"}, "is not a span like 08:00-17:30"),
        ({"mon": "22:00-02:00"}, "for a night shift write 22:00-24:00"),
        ({"mon": "08:00-12:00, 11:00-13:00"}, "overlap"),
        ({"mon": "08:00-25:00"}, "is not a time of day"),
        ({"mondays-fri": "08:00-12:00"}, "is not a day or range of days"),
        ({"mon-fri": "08:00-12:00", "fri": "09:00-10:00"}, "fri is given twice"),
        ({"mon-sun": "closed"}, "never open"),
    ],
)
def test_impossible_hours_are_refused_with_what_is_wrong(weekly: dict[str, str], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        OpeningHours(weekly=weekly)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown time zone 'Europe/Londn'"):
        OpeningHours(timezone="Europe/Londn")


def test_a_holiday_listed_twice_is_refused() -> None:
    with pytest.raises(ValidationError, match="listed twice"):
        OpeningHours.model_validate(
            {"holidays": [date(2025, 12, 25), {"date": date(2025, 12, 25), "hours": "10:00-12:00"}]}
        )


def test_the_week_is_described_with_equal_days_folded() -> None:
    assert london().describe_week() == "Mon–Fri 09:00–17:00 · Sat 10:00–14:00 · Sun closed"
    assert OpeningHours().describe_week() == "around the clock"


# --- open or closed --------------------------------------------------------------------------------


def test_open_and_closed_follow_local_time_not_utc() -> None:
    hours = london()
    assert hours.is_open(utc(2025, 3, 24, 9, 0))  # Monday 09:00 GMT
    assert not hours.is_open(utc(2025, 3, 24, 17, 0))  # 17:00 is closing time
    assert hours.is_open(utc(2025, 6, 2, 8, 0))  # 08:00 UTC is 09:00 BST in summer: open ...
    assert not hours.is_open(utc(2025, 6, 2, 16, 30))  # ... and 16:30 UTC is 17:30 BST: closed
    assert not hours.is_open(utc(2025, 3, 30, 12, 0))  # Sunday


def test_without_weekly_hours_the_desk_is_always_open_except_on_holidays() -> None:
    hours = OpeningHours.model_validate({"timezone": "Europe/Paris", "holidays": [date(2025, 12, 25)]})
    assert hours.is_open(utc(2025, 12, 24, 3, 0))
    assert not hours.is_open(utc(2025, 12, 25, 12, 0))
    assert hours.next_open(utc(2025, 12, 25, 12, 0)) == utc(2025, 12, 25, 23, 0)  # midnight in Paris


def test_a_holiday_closes_its_day_and_a_special_day_has_its_own_hours() -> None:
    hours = london(holidays=[date(2025, 12, 25), {"date": date(2025, 12, 24), "hours": "09:00-12:00"}])
    assert not hours.is_open(utc(2025, 12, 25, 10, 0))
    assert hours.is_open(utc(2025, 12, 24, 11, 0)) and not hours.is_open(utc(2025, 12, 24, 13, 0))
    assert hours.next_open(utc(2025, 12, 24, 13, 0)) == utc(2025, 12, 26, 9, 0)


def test_next_open_is_now_when_open_and_the_next_morning_when_closed() -> None:
    hours = london()
    assert hours.next_open(utc(2025, 3, 24, 10, 0)) == utc(2025, 3, 24, 10, 0)
    assert hours.next_open(utc(2025, 3, 24, 18, 0)) == utc(2025, 3, 25, 9, 0)


def test_next_open_across_the_spring_change_uses_summer_time() -> None:
    # Saturday 29 March 2025 after closing; clocks go forward on Sunday; Monday opens at 09:00 BST.
    back = london().next_open(utc(2025, 3, 29, 15, 0))
    assert back == utc(2025, 3, 31, 8, 0)
    assert back is not None and london().describe_moment(back) == "Monday 31 March at 09:00 BST"


# --- counting open minutes -------------------------------------------------------------------------


def test_open_minutes_stop_at_closing_and_resume_at_opening() -> None:
    hours = london()
    assert hours.add_open_minutes(utc(2025, 3, 24, 16, 50), 15) == utc(2025, 3, 25, 9, 5)
    assert hours.add_open_minutes(utc(2025, 3, 24, 6, 0), 15) == utc(2025, 3, 24, 9, 15)
    assert hours.add_open_minutes(utc(2025, 3, 24, 10, 0), 0) == utc(2025, 3, 24, 10, 0)


def test_open_minutes_over_the_spring_forward_weekend() -> None:
    # Friday 28 March 16:50 GMT: 10 minutes left; Saturday 10:00 GMT opens (still winter time).
    assert london().add_open_minutes(utc(2025, 3, 28, 16, 50), 15) == utc(2025, 3, 29, 10, 5)
    # Saturday 13:55 GMT: 5 minutes left; Monday 09:00 BST = 08:00 UTC.
    assert london().add_open_minutes(utc(2025, 3, 29, 13, 55), 15) == utc(2025, 3, 31, 8, 10)


def test_a_whole_day_on_the_change_is_23_or_25_real_hours() -> None:
    always = OpeningHours(timezone="Europe/London", weekly={"daily": "00:00-24:00"})
    spring = always.intervals_on(date(2025, 3, 30))
    autumn = always.intervals_on(date(2025, 10, 26))
    assert [b - a for a, b in spring] == [timedelta(hours=23)]
    assert [b - a for a, b in autumn] == [timedelta(hours=25)]
    # at 00:59 UTC on the spring day, 15 minutes of open time end at 01:14 UTC (02:14 BST)
    assert always.add_open_minutes(utc(2025, 3, 30, 0, 59), 15) == utc(2025, 3, 30, 1, 14)


def test_a_span_inside_the_autumn_repeat_hour_counts_real_minutes() -> None:
    night = OpeningHours(timezone="America/New_York", weekly={"sun": "00:00-03:00"})
    # 2 November 2025: 01:00-02:00 happens twice, so the 3-hour span is 4 real hours long
    [(opens, closes)] = night.intervals_on(date(2025, 11, 2))
    assert closes - opens == timedelta(hours=4)
    assert night.add_open_minutes(opens, 210) == opens + timedelta(minutes=210)


def test_holidays_are_skipped_when_counting() -> None:
    hours = london(holidays=[date(2025, 12, 25), date(2025, 12, 26)])
    assert hours.add_open_minutes(utc(2025, 12, 24, 16, 55), 15) == utc(2025, 12, 27, 10, 10)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    minutes=st.integers(min_value=0, max_value=5_000),
    zone=st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]),
)
def test_open_minutes_always_land_inside_the_hours_and_never_before_the_start(
    start: datetime, minutes: int, zone: str
) -> None:
    hours = OpeningHours(timezone=zone, weekly={"mon-fri": "08:00-18:00", "sat": "09:00-12:00"})
    due = hours.add_open_minutes(start, minutes)
    assert due >= start + timedelta(minutes=minutes) or due >= start
    assert hours.is_open(due - timedelta(microseconds=1)) or hours.is_open(due)
    assert due - start >= timedelta(minutes=minutes)
