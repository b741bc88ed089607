"""Opening hours: when the team is there, so deadlines and out-of-hours replies tell customers the truth.

Weekly hours are written in the playbook's time zone; holidays close a day or give it other hours. The
arithmetic builds each day's open intervals in local time and converts them to UTC through zoneinfo, so
a daylight-saving change makes a day 23 or 25 hours long and every minute counted is a real minute. A
playbook without ``weekly`` hours is open around the clock (holidays still close their days).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from itertools import pairwise
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_TITLES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MINUTES_PER_DAY = 24 * 60
#: How far ahead to look for the next open minute: a year of holidays and then some.
MAX_SEARCH_DAYS = 400
CLOSED = "closed"

Interval = tuple[int, int]  # minutes after local midnight: [start, end)
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")
_ALIASES = {"daily": "mon-sun", "weekdays": "mon-fri", "weekends": "sat-sun", "weekend": "sat-sun"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_spans(value: str | list[str]) -> tuple[Interval, ...]:
    """``"08:00-12:00, 13:00-17:00"``, a list of such spans, ``"closed"`` or ``"00:00-24:00"``."""
    parts = value if isinstance(value, list) else value.split(",")
    spans: list[Interval] = []
    for raw in parts:
        text = str(raw).strip()
        if text.casefold() == CLOSED:
            continue
        match = _SPAN.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a span like 08:00-17:30 (or 'closed')")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if h1 > 23 or m1 > 59 or m2 > 59 or end > MINUTES_PER_DAY:
            raise ValueError(f"{text!r} is not a time of day (00:00 to 24:00)")
        if end <= start:
            raise ValueError(
                f"{text!r} ends before it starts; for a night shift write 22:00-24:00 on one day "
                "and 00:00-06:00 on the next"
            )
        spans.append((start, end))
    spans.sort()
    for (_, end), (start, _) in pairwise(spans):
        if start < end:
            raise ValueError(f"spans in {value!r} overlap")
    return tuple(spans)


def _day(text: str) -> str | None:
    """``mon``, ``Mon``, ``monday``, ``thurs``: a day's name or a start of it of three letters or more."""
    word = text.strip().casefold()
    found = [
        day for day, name in zip(DAYS, DAY_NAMES, strict=True) if len(word) >= 3 and name.startswith(word)
    ]
    return found[0] if found else None


def parse_days(key: str) -> tuple[int, ...]:
    """``"mon"``, ``"mon-fri"``, ``"fri-mon"`` (wraps), ``"sat,sun"``, ``"daily"``, ``"weekdays"``."""
    found: list[int] = []
    for part in _ALIASES.get(key.strip().casefold(), key).split(","):
        bounds = [_day(b) for b in part.split("-")]
        if len(bounds) > 2 or None in bounds:
            raise ValueError(f"{key!r} is not a day or range of days (mon..sun, mon-fri, sat,sun, daily)")
        first, last = DAYS.index(str(bounds[0])), DAYS.index(str(bounds[-1]))
        found.extend((first + i) % 7 for i in range((last - first) % 7 + 1))
    return tuple(found)


def _span_text(spans: tuple[Interval, ...]) -> str:
    if not spans:
        return CLOSED
    return ", ".join(f"{s // 60:02d}:{s % 60:02d}–{e // 60:02d}:{e % 60:02d}" for s, e in spans)


def _joined(value: object) -> object:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else value


#: Spans as one string; a YAML list of spans is joined ("08:00-12:00, 13:00-17:00").
Spans = Annotated[str, BeforeValidator(_joined, json_schema_input_type=str | list[str])]


class Holiday(_Strict):
    """A date with other hours than its weekday: closed unless ``hours`` says otherwise."""

    date: date
    name: str = ""
    hours: Spans = CLOSED

    @field_validator("hours")
    @classmethod
    def _spans(cls, value: str) -> str:
        parse_spans(value)
        return value


def _as_holiday(value: object) -> object:
    return {"date": value} if isinstance(value, (date, str)) else value


#: A holiday is a bare date (closed all day) or a mapping with a name and other hours.
HolidayItem = Annotated[Holiday, BeforeValidator(_as_holiday, json_schema_input_type=date | Holiday)]


class OpeningHours(_Strict):
    """``hours:`` in a playbook. Days left out of ``weekly`` are closed; no ``weekly`` means always open."""

    timezone: str = "UTC"
    weekly: dict[str, Spans] = Field(default_factory=dict)
    holidays: list[HolidayItem] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r} (use an IANA name like Europe/London)") from None
        return name

    @model_validator(mode="after")
    def _check(self) -> OpeningHours:
        seen: dict[int, str] = {}
        for key, value in self.weekly.items():
            try:
                parse_spans(value)
                days = parse_days(key)
            except ValueError as exc:
                raise ValueError(f"weekly.{key}: {exc}") from None  # the loader points at that key
            for day in days:
                if day in seen:
                    raise ValueError(f"weekly.{key}: {DAYS[day]} is given twice ({seen[day]!r} and {key!r})")
                seen[day] = key
        if self.weekly and not any(self.week):
            raise ValueError("weekly: never open; give at least one day a span like 09:00-17:00")
        dates = [h.date for h in self.holidays]
        if len(dates) != len(set(dates)):
            raise ValueError("holidays: a date is listed twice")
        return self

    # compiled forms ----------------------------------------------------------------------------------
    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def week(self) -> tuple[tuple[Interval, ...], ...]:
        if not self.weekly:
            return tuple(((0, MINUTES_PER_DAY),) for _ in DAYS)
        days: list[tuple[Interval, ...]] = [() for _ in DAYS]
        for key, value in self.weekly.items():
            for day in parse_days(key):
                days[day] = parse_spans(value)
        return tuple(days)

    @cached_property
    def special(self) -> dict[date, tuple[Interval, ...]]:
        return {item.date: parse_spans(item.hours) for item in self.holidays}

    # arithmetic --------------------------------------------------------------------------------------
    def local_spans(self, day: date) -> tuple[Interval, ...]:
        special = self.special.get(day)
        return special if special is not None else self.week[day.weekday()]

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open intervals of a local calendar day, as aware UTC datetimes."""
        out = []
        for start, end in self.local_spans(day):
            opens = datetime.combine(day, time(start // 60, start % 60), self.zone)
            if end == MINUTES_PER_DAY:
                closes = datetime.combine(day + timedelta(days=1), time(0), self.zone)
            else:
                closes = datetime.combine(day, time(end // 60, end % 60), self.zone)
            out.append((opens.astimezone(UTC), closes.astimezone(UTC)))
        return out

    def _open_intervals(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals that end after ``at``, in order, for up to :data:`MAX_SEARCH_DAYS` days."""
        day = at.astimezone(self.zone).date() - timedelta(days=1)  # a span of yesterday may still run
        for offset in range(MAX_SEARCH_DAYS):
            for opens, closes in self.intervals_on(day + timedelta(days=offset)):
                if closes > at:
                    yield opens, closes

    def is_open(self, at: datetime) -> bool:
        today = at.astimezone(self.zone).date()
        return any(opens <= at < closes for opens, closes in self.intervals_on(today))

    def next_open(self, at: datetime) -> datetime | None:
        """``at`` itself when open, else the next opening; None if the hours never open again."""
        for opens, _ in self._open_intervals(at):
            return max(opens, at)
        return None

    def add_open_minutes(self, start: datetime, minutes: float) -> datetime:
        """The moment when ``minutes`` of open time have passed since ``start`` (real minutes)."""
        remaining = timedelta(minutes=minutes)
        for opens, closes in self._open_intervals(start):
            begin = max(opens, start)
            if begin + remaining <= closes:
                return begin + remaining
            remaining -= closes - begin
        return start + timedelta(minutes=minutes)  # never open again: the clock alone decides

    def open_minutes_between(self, start: datetime, end: datetime) -> float:
        """Minutes of open time from ``start`` to ``end`` (0 when ``end`` is not later): how long a
        customer waited in the hours the desk promised to be there."""
        if end <= start:
            return 0.0
        total = timedelta()
        for opens, closes in self._open_intervals(start):
            if opens >= end:
                break
            total += min(closes, end) - max(opens, start)
        return total.total_seconds() / 60

    # words -------------------------------------------------------------------------------------------
    def describe_moment(self, moment: datetime) -> str:
        """``Monday 31 March at 09:00 BST``: how a customer reads a time in the team's zone."""
        local = moment.astimezone(self.zone)
        return f"{local:%A} {local.day} {local:%B} at {local:%H:%M} {local:%Z}".strip()

    def describe_week(self) -> str:
        """``Mon–Fri 08:00–20:00 · Sat 09:00–17:00 · Sun closed``, runs of equal days folded."""
        if not self.weekly:
            return "around the clock"
        parts: list[str] = []
        day = 0
        while day < 7:
            last = day
            while last + 1 < 7 and self.week[last + 1] == self.week[day]:
                last += 1
            days = DAY_TITLES[day] if last == day else f"{DAY_TITLES[day]}–{DAY_TITLES[last]}"
            parts.append(f"{days} {_span_text(self.week[day])}")
            day = last + 1
        return " · ".join(parts)

    def describe_day(self, at: datetime) -> str:
        return _span_text(self.local_spans(at.astimezone(self.zone).date()))


__all__ = ["DAYS", "MAX_SEARCH_DAYS", "Holiday", "OpeningHours", "parse_days", "parse_spans"]
