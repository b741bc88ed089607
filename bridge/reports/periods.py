"""Report periods as people type them: ``today``, ``yesterday``, ``7d``, ``week``, ``last-week``,
``month``, ``2026-11``, ``2026-11-02``, ``2026-11-01..2026-11-30``. Days and weeks are the desk's
(its playbook zone), so "today" ends at the team's midnight, not UTC's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bridge.domain.errors import NotAllowed

__all__ = ["DEFAULT_PERIOD", "PERIOD_HELP", "Period", "looks_like_period", "parse_period", "previous_weeks"]

DEFAULT_PERIOD = "7d"
PERIOD_HELP = (
    "today, yesterday, 7d (any number of days), week, last-week, month, 2026-11, 2026-11-02 or "
    "2026-11-01..2026-11-30"
)
_DAYS = re.compile(r"^(\d{1,3})d$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime
    label: str

    @property
    def days(self) -> float:
        return (self.until - self.since).total_seconds() / 86_400


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise NotAllowed(f"{text!r} is not a date (YYYY-MM-DD).") from None


def looks_like_period(word: str) -> bool:
    word = word.lower()
    return bool(
        word in ("today", "yesterday", "week", "last-week", "month")
        or _DAYS.match(word)
        or _MONTH.match(word)
        or _DAY.match(word)
        or ".." in word
    )


def parse_period(word: str, now: datetime, zone: tzinfo | None = None) -> Period:
    """The period ``word`` names, as of ``now``; refuses what it cannot read, listing what it can."""
    zone = zone or UTC
    word = word.strip().lower()
    today = now.astimezone(zone).date()
    if word == "today":
        return Period(_midnight(today, zone), now, "today")
    if word == "yesterday":
        return Period(_midnight(today - timedelta(days=1), zone), _midnight(today, zone), "yesterday")
    if word in ("week", "month") or _DAYS.match(word):
        days = {"week": 7, "month": 30}.get(word) or int(word[:-1])
        if not 1 <= days <= MAX_DAYS:
            raise NotAllowed(f"A period of days is 1d to {MAX_DAYS}d.")
        return Period(now - timedelta(days=days), now, f"last {days} days")
    if word == "last-week":
        monday = today - timedelta(days=today.weekday())
        return Period(_midnight(monday - timedelta(days=7), zone), _midnight(monday, zone), "last week")
    month = _MONTH.match(word)
    if month:
        year, number = int(month[1]), int(month[2])
        if not 1 <= number <= 12:
            raise NotAllowed(f"{word!r} is not a month (YYYY-MM).")
        first = date(year, number, 1)
        following = date(year + (number == 12), number % 12 + 1, 1)
        return Period(_midnight(first, zone), _midnight(following, zone), first.strftime("%B %Y"))
    if _DAY.match(word):
        day = _day(word)
        return Period(_midnight(day, zone), _midnight(day + timedelta(days=1), zone), day.isoformat())
    if ".." in word:
        start, _, end = word.partition("..")
        first, last = _day(start), _day(end)
        if last < first:
            raise NotAllowed(f"{word!r} ends before it starts.")
        return Period(_midnight(first, zone), _midnight(last + timedelta(days=1), zone), f"{first} to {last}")
    raise NotAllowed(f"{word!r} is not a period. Try {PERIOD_HELP}.")


def previous_weeks(monday: datetime, count: int) -> list[str]:
    """The ``count`` Mondays before ``monday``'s week, oldest first, as YYYY-MM-DD."""
    return [(monday - timedelta(weeks=i)).date().isoformat() for i in range(count, 0, -1)]
