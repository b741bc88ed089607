"""The KPIs in SQL: the same :class:`~bridge.reports.kpis.Totals` as the pure functions, aggregated
by the database, so a report over 100,000 closed cases is one indexed query, not 100,000 rows in
Python. A test holds both to the same answers (``tests/unit/test_reports_kpis.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, case, func, literal, select

from bridge.reports.kpis import Cut, Totals
from bridge.reports.periods import previous_weeks  # re-exported: the forecast's weeks, named there
from bridge.store.history import CaseRow, naive

__all__ = ["HOURS_OF_WEEK", "Reports", "WeekCounts", "previous_weeks"]

HOURS_OF_WEEK = 168


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _n(column: Any) -> ColumnElement[Any]:
    return func.count(column)


def _sum(column: Any) -> ColumnElement[Any]:
    return func.coalesce(func.sum(column), 0)


def _aggregates() -> list[ColumnElement[Any]]:
    c = CaseRow
    answered = c.answers > 0
    return [
        func.count().label("cases"),
        _count(c.needed_response == literal(True)).label("needed_response"),
        _count(c.set_aside == literal(True)).label("set_aside"),
        _n(c.first_reply_seconds).label("first_reply_n"),
        _sum(c.first_reply_seconds).label("first_reply_sum"),
        _n(c.first_human_reply_seconds).label("first_human_n"),
        _sum(c.first_human_reply_seconds).label("first_human_sum"),
        _sum(c.response_count).label("response_n"),
        _sum(c.response_seconds).label("response_sum"),
        _sum(c.handled_count).label("handled_n"),
        _sum(c.handling_seconds).label("handling_sum"),
        _n(c.resolution_seconds).label("resolution_n"),
        _sum(c.resolution_seconds).label("resolution_sum"),
        _count(and_(c.needed_response == literal(True), c.sla_met == literal(True))).label("sla_met"),
        _count(answered).label("answered"),
        _count(and_(answered, c.reopened > 0)).label("reopened"),
        _n(c.sentiment_start).label("sentiment_start_n"),
        _sum(c.sentiment_start).label("sentiment_start_sum"),
        _n(c.sentiment_end).label("sentiment_end_n"),
        _sum(c.sentiment_end).label("sentiment_end_sum"),
        _count(c.polarity_start == "negative").label("negative_start"),
        _count(and_(c.polarity_start == "negative", c.polarity_end.in_(("neutral", "positive")))).label(
            "negative_improved"
        ),
        _n(c.csat).label("csat_n"),
        _sum(c.csat).label("csat_sum"),
        _count(c.csat >= 4).label("csat_satisfied"),
        _n(c.nps).label("nps_n"),
        _count(c.nps >= 9).label("promoters"),
        _count(c.nps <= 6).label("detractors"),
        _sum(c.link_clicks).label("link_clicks"),
        _sum(c.link_conversions).label("link_conversions"),
        _n(c.engagement_likes).label("engaged_n"),
        _sum(
            func.coalesce(c.engagement_likes, 0)
            + func.coalesce(c.engagement_replies, 0)
            + func.coalesce(c.engagement_reposts, 0)
        ).label("engagement_sum"),
    ]


def _where(cut: Cut) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if cut.since is not None:
        out.append(CaseRow.created_at >= naive(cut.since))
    if cut.until is not None:
        out.append(CaseRow.created_at < naive(cut.until))
    out.extend(getattr(CaseRow, name) == value for name, value in cut.equals().items())
    return out


@dataclass(frozen=True)
class WeekCounts:
    """Cases per hour of the week for each of the last weeks, oldest week first."""

    weeks: tuple[str, ...]  # each week's Monday
    counts: tuple[tuple[int, ...], ...]  # one row of 168 per week


class Reports:
    """Read-only KPI queries over the history (the dashboard, chat reports and digests call these)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def totals(self, cut: Cut) -> Totals:
        query = select(*_aggregates()).where(*_where(cut))
        with self.engine.connect() as conn:
            row = conn.execute(query).one()
        return Totals.from_mapping(dict(row._mapping))

    def totals_by(self, cut: Cut, field: str) -> dict[str, Totals]:
        """Totals per value of ``field`` (platform, department, expert, service_model, verdict)."""
        column = getattr(CaseRow, field)
        query = (
            select(column.label("group"), *_aggregates())
            .where(*_where(cut))
            .group_by(column)
            .order_by(column)
        )
        with self.engine.connect() as conn:
            return {str(r.group): Totals.from_mapping(dict(r._mapping)) for r in conn.execute(query)}

    def volume_by_hour(self, cut: Cut, by: str = "") -> dict[str, list[int]]:
        """Cases per hour of the week (0 = Monday 00:00, the desk's zone), per ``by`` value or in all."""
        group = getattr(CaseRow, by) if by else literal("all")
        query = (
            select(group.label("group"), CaseRow.hour_of_week, func.count())
            .where(*_where(cut))
            .group_by(group, CaseRow.hour_of_week)
        )
        out: dict[str, list[int]] = {}
        with self.engine.connect() as conn:
            for name, hour, count in conn.execute(query):
                out.setdefault(str(name), [0] * HOURS_OF_WEEK)[int(hour)] = int(count)
        return out

    def week_counts(self, cut: Cut, weeks: Sequence[str]) -> WeekCounts:
        """Cases per hour of the week in each of ``weeks`` (Mondays, YYYY-MM-DD), for the forecast."""
        query = (
            select(CaseRow.week, CaseRow.hour_of_week, func.count())
            .where(*_where(cut), CaseRow.week.in_(list(weeks)))
            .group_by(CaseRow.week, CaseRow.hour_of_week)
        )
        rows = {week: [0] * HOURS_OF_WEEK for week in weeks}
        with self.engine.connect() as conn:
            for week, hour, count in conn.execute(query):
                rows[str(week)][int(hour)] = int(count)
        return WeekCounts(tuple(weeks), tuple(tuple(rows[w]) for w in weeks))

    def daily_volume(self, cut: Cut) -> dict[str, int]:
        """Cases per day of creation (UTC), for trend charts."""
        day = _day()
        query = select(day.label("day"), func.count()).where(*_where(cut)).group_by(day).order_by(day)
        with self.engine.connect() as conn:
            return {str(d): int(n) for d, n in conn.execute(query)}

    def totals_by_day(self, cut: Cut) -> dict[str, Totals]:
        """Totals per day of creation (UTC, YYYY-MM-DD), oldest first: every KPI's trend."""
        day = _day()
        query = select(day.label("group"), *_aggregates()).where(*_where(cut)).group_by(day).order_by(day)
        with self.engine.connect() as conn:
            return {str(r.group): Totals.from_mapping(dict(r._mapping)) for r in conn.execute(query)}


def _day() -> ColumnElement[Any]:
    """The UTC day of a case's first message as YYYY-MM-DD, the same on SQLite and PostgreSQL."""
    return func.substr(func.cast(CaseRow.created_at, CaseRow.week.type), 1, 10)
