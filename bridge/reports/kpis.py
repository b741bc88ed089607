"""The KPIs as pure functions over case facts: the specification the SQL layer must agree with.

:func:`totals` adds up closed cases into :class:`Totals` (counts and sums only, so the same totals come
out of one SQL query in :mod:`bridge.reports.query`); :func:`figures` turns totals into
:class:`Figure` objects, each with its unit, target and definition (:mod:`bridge.reports.definitions`).
A :class:`Cut` selects cases by period (creation time), platform, department, expert, service model
and verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from bridge.reports.definitions import DEFINITIONS, LABELS
from bridge.store.history import CaseFacts

__all__ = ["CUT_FIELDS", "Cut", "Figure", "Targets", "Totals", "figures", "sla_by_platform", "totals"]

CUT_FIELDS = ("platform", "department", "expert", "service_model", "verdict")
SATISFIED_FROM = 4
PROMOTER_FROM = 9
DETRACTOR_UP_TO = 6


@dataclass(frozen=True)
class Cut:
    """Which cases a report covers: created in [since, until) and equal on every field given."""

    since: datetime | None = None
    until: datetime | None = None
    platform: str = ""
    department: str = ""
    expert: str = ""
    service_model: str = ""
    verdict: str = ""

    def equals(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in CUT_FIELDS if getattr(self, name)}

    def matches(self, facts: CaseFacts) -> bool:
        if self.since is not None and facts.created_at < self.since:
            return False
        if self.until is not None and facts.created_at >= self.until:
            return False
        return all(getattr(facts, name) == value for name, value in self.equals().items())


@dataclass
class Totals:
    """Counts and sums over a set of closed cases; every KPI is a ratio of two of them."""

    cases: int = 0
    needed_response: int = 0
    set_aside: int = 0
    first_reply_n: int = 0
    first_reply_sum: float = 0.0
    first_human_n: int = 0
    first_human_sum: float = 0.0
    response_n: int = 0
    response_sum: float = 0.0
    handled_n: int = 0
    handling_sum: float = 0.0
    resolution_n: int = 0
    resolution_sum: float = 0.0
    sla_met: int = 0
    answered: int = 0
    reopened: int = 0
    sentiment_start_n: int = 0
    sentiment_start_sum: float = 0.0
    sentiment_end_n: int = 0
    sentiment_end_sum: float = 0.0
    negative_start: int = 0
    negative_improved: int = 0
    csat_n: int = 0
    csat_sum: float = 0.0
    csat_satisfied: int = 0
    nps_n: int = 0
    promoters: int = 0
    detractors: int = 0
    link_clicks: int = 0
    link_conversions: int = 0
    engaged_n: int = 0  # public answers whose engagement was read
    engagement_sum: int = 0  # their likes, replies and reposts together

    def add(self, f: CaseFacts) -> None:
        self.cases += 1
        self.needed_response += f.needed_response
        self.set_aside += f.set_aside
        if f.first_reply_seconds is not None:
            self.first_reply_n += 1
            self.first_reply_sum += f.first_reply_seconds
        if f.first_human_reply_seconds is not None:
            self.first_human_n += 1
            self.first_human_sum += f.first_human_reply_seconds
        self.response_n += f.response_count
        self.response_sum += f.response_seconds
        self.handled_n += f.handled_count
        self.handling_sum += f.handling_seconds
        if f.resolution_seconds is not None:
            self.resolution_n += 1
            self.resolution_sum += f.resolution_seconds
        self.sla_met += bool(f.needed_response and f.sla_met)
        self.answered += f.answers > 0
        self.reopened += f.answers > 0 and f.reopened > 0
        self._sentiment(f)
        self._surveys(f)
        self.link_clicks += f.link_clicks
        self.link_conversions += f.link_conversions
        if f.engagement_likes is not None:
            self.engaged_n += 1
            self.engagement_sum += (
                f.engagement_likes + (f.engagement_replies or 0) + (f.engagement_reposts or 0)
            )

    def _sentiment(self, f: CaseFacts) -> None:
        if f.sentiment_start is not None:
            self.sentiment_start_n += 1
            self.sentiment_start_sum += f.sentiment_start
        if f.sentiment_end is not None:
            self.sentiment_end_n += 1
            self.sentiment_end_sum += f.sentiment_end
        if f.polarity_start == "negative":
            self.negative_start += 1
            self.negative_improved += f.polarity_end in ("neutral", "positive")

    def _surveys(self, f: CaseFacts) -> None:
        if f.csat is not None:
            self.csat_n += 1
            self.csat_sum += f.csat
            self.csat_satisfied += f.csat >= SATISFIED_FROM
        if f.nps is not None:
            self.nps_n += 1
            self.promoters += f.nps >= PROMOTER_FROM
            self.detractors += f.nps <= DETRACTOR_UP_TO

    def __add__(self, other: Totals) -> Totals:
        """Totals are counts and sums, so the totals of two sets of cases add up field by field
        (the overview adds the per-platform totals instead of asking the database twice)."""
        out = Totals()
        for f in fields(self):
            setattr(out, f.name, getattr(self, f.name) + getattr(other, f.name))
        return out

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Totals:
        out = cls()
        for f in fields(cls):
            value = values.get(f.name)
            if value is not None:
                setattr(out, f.name, type(getattr(out, f.name))(value))
        return out


def totals(rows: Iterable[CaseFacts], cut: Cut | None = None) -> Totals:
    """Add up the closed cases in ``rows`` that ``cut`` selects."""
    out = Totals()
    for facts in rows:
        if cut is None or cut.matches(facts):
            out.add(facts)
    return out


def sla_by_platform(rows: Iterable[CaseFacts], cut: Cut | None = None) -> dict[str, Totals]:
    """Totals per platform: SLA attainment is judged against each platform's own target."""
    out: dict[str, Totals] = {}
    for facts in rows:
        if cut is None or cut.matches(facts):
            out.setdefault(facts.platform, Totals()).add(facts)
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class Targets:
    """What the figures are held against (the playbook's ``sla`` and ``reports.targets``)."""

    first_response_minutes: float | None = None
    sla_attainment_percent: float | None = None
    csat_average: float | None = None
    nps: float | None = None


@dataclass(frozen=True)
class Figure:
    """One KPI: its value in ``unit`` (None: no case to measure), target, and what it means."""

    key: str
    value: float | None
    unit: str  # "minutes", "percent", "cases", "score"
    over: int  # how many cases (or answers, or messages) it is computed over
    target: float | None = None
    higher_is_better: bool = False

    @property
    def label(self) -> str:
        return LABELS[self.key]

    @property
    def definition(self) -> str:
        return DEFINITIONS[self.key]

    @property
    def on_target(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def shown(self) -> str:
        """The value as people read it: ``12.5 min``, ``87.0%``, ``+0.21``, ``4.3``, ``—``."""
        if self.value is None:
            return "—"
        if self.unit == "minutes":
            return f"{self.value:.1f} min" if self.value < 120 else f"{self.value / 60:.1f} h"
        if self.unit == "percent":
            return f"{self.value:.1f}%"
        if self.unit == "cases":
            return f"{self.value:,.0f}"
        if self.unit == "sentiment":
            return f"{self.value:+.2f}"
        return f"{self.value:.1f}"


def _mean(total: float, n: int, scale: float = 1.0) -> float | None:
    return total / n / scale if n else None


def _share(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def figures(t: Totals, targets: Targets | None = None) -> list[Figure]:
    """The headline KPIs of ``t``, in the order reports show them."""
    goal = targets or Targets()
    minute = 60.0
    nps = (100.0 * (t.promoters - t.detractors) / t.nps_n) if t.nps_n else None
    return [
        Figure("cases", float(t.cases), "cases", t.cases),
        Figure(
            "first_response_any",
            _mean(t.first_reply_sum, t.first_reply_n, minute),
            "minutes",
            t.first_reply_n,
        ),
        Figure(
            "first_response_human",
            _mean(t.first_human_sum, t.first_human_n, minute),
            "minutes",
            t.first_human_n,
            goal.first_response_minutes,
        ),
        Figure("average_response", _mean(t.response_sum, t.response_n, minute), "minutes", t.response_n),
        Figure("resolution", _mean(t.resolution_sum, t.resolution_n, minute), "minutes", t.resolution_n),
        Figure("handling", _mean(t.handling_sum, t.handled_n, minute), "minutes", t.handled_n),
        Figure(
            "sla_attainment",
            _share(t.sla_met, t.needed_response),
            "percent",
            t.needed_response,
            goal.sla_attainment_percent,
            higher_is_better=True,
        ),
        Figure("reopen_rate", _share(t.reopened, t.answered), "percent", t.answered),
        Figure("needed_response", _share(t.needed_response, t.cases), "percent", t.cases),
        Figure("set_aside", float(t.set_aside), "cases", t.cases),
        Figure(
            "sentiment_start",
            _mean(t.sentiment_start_sum, t.sentiment_start_n),
            "sentiment",
            t.sentiment_start_n,
        ),
        Figure(
            "sentiment_end", _mean(t.sentiment_end_sum, t.sentiment_end_n), "sentiment", t.sentiment_end_n
        ),
        Figure(
            "sentiment_improved",
            _share(t.negative_improved, t.negative_start),
            "percent",
            t.negative_start,
            higher_is_better=True,
        ),
        Figure("csat_average", _mean(t.csat_sum, t.csat_n), "score", t.csat_n, goal.csat_average, True),
        Figure(
            "csat_satisfied", _share(t.csat_satisfied, t.csat_n), "percent", t.csat_n, higher_is_better=True
        ),
        Figure("nps", nps, "score", t.nps_n, goal.nps, higher_is_better=True),
        Figure("link_clicks", float(t.link_clicks), "cases", t.link_clicks),
        Figure("link_conversions", float(t.link_conversions), "cases", t.link_conversions),
        Figure(
            "engagement", _mean(t.engagement_sum, t.engaged_n), "score", t.engaged_n, higher_is_better=True
        ),
    ]
