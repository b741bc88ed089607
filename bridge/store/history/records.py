"""What the history holds, as plain typed data: a closed case's facts and its timeline's events.

:class:`CaseFacts` has one attribute per column of ``cases`` (same names), so the pure KPI functions
(:mod:`bridge.reports.kpis`) and the store speak the same words. Times are aware UTC datetimes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

__all__ = ["CaseFacts", "CustomerHistory", "Event", "aware", "naive"]


def naive(at: datetime | None) -> datetime | None:
    """UTC without a zone, as the database keeps it."""
    if at is None:
        return None
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


def aware(at: datetime | None) -> datetime | None:
    """A database time back as aware UTC."""
    if at is None:
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


@dataclass(frozen=True)
class Event:
    """One entry of a case's timeline."""

    at: datetime
    kind: str
    actor: str
    detail: dict[str, str] = field(default_factory=dict)

    def detail_json(self) -> str:
        return json.dumps(self.detail, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class CaseFacts:
    """The facts of one closed case. Durations are seconds, ``*_at`` aware UTC."""

    number: int
    platform: str
    created_at: datetime
    closed_at: datetime
    state: str
    hour_of_week: int = 0
    week: str = ""
    department: str = ""
    expert: str = ""
    approver: str = ""
    service_model: str = ""
    kind: str = ""
    verdict: str = ""
    priority: str = ""
    language: str = ""
    sentiment_start: float | None = None
    sentiment_end: float | None = None
    polarity_start: str = ""
    polarity_end: str = ""
    author_handle: str = ""
    author_handle_folded: str = ""
    author_id: str = ""
    text: str = ""
    post_url: str = ""
    first_reply_at: datetime | None = None
    first_human_reply_at: datetime | None = None
    claimed_at: datetime | None = None
    answered_at: datetime | None = None
    resolved_at: datetime | None = None
    first_reply_seconds: float | None = None
    first_human_reply_seconds: float | None = None
    response_count: int = 0
    response_seconds: float = 0.0
    handled_count: int = 0
    handling_seconds: float = 0.0
    resolution_seconds: float | None = None
    answers: int = 0
    reopened: int = 0
    needed_response: bool = False
    set_aside: bool = False
    sla_minutes: int | None = None
    sla_open_minutes: float | None = None
    sla_met: bool | None = None
    outcome: str = ""
    csat: int | None = None
    nps: int | None = None
    survey_comment: str | None = None
    link_clicks: int = 0
    link_conversions: int = 0
    engagement_likes: int | None = None  # None: not read (private answer, not due yet, post gone)
    engagement_replies: int | None = None
    engagement_reposts: int | None = None
    erased_on: str = ""

    def columns(self) -> dict[str, Any]:
        """The row's values as the database takes them (naive UTC times)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = naive(value) if isinstance(value, datetime) else value
        return out

    @classmethod
    def from_row(cls, row: Any) -> CaseFacts:
        """From a ``cases`` row (an ORM object or a result row with the same names)."""
        mapping = getattr(row, "_mapping", None)  # a result row: its mapping is the quick way in
        values = dict(mapping) if mapping is not None else {name: getattr(row, name) for name in _NAMES}
        for name in _TIMES:
            value = values[name]
            if value is not None:
                values[name] = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return cls(**values)


_NAMES = tuple(f.name for f in fields(CaseFacts))
_TIMES = tuple(f.name for f in fields(CaseFacts) if f.name.endswith("_at"))


@dataclass(frozen=True)
class CustomerHistory:
    """What a new card says about the customer's earlier cases (none: ``earlier`` is 0)."""

    earlier: int
    last_number: int | None = None
    last_outcome: str = ""
    last_polarity: str = ""
    last_sentiment: float | None = None
    last_closed_at: datetime | None = None
