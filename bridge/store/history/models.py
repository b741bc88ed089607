"""The case history's tables: one row of facts per closed case, and its timeline.

Columns hold what reports cut and aggregate by (platform, department, expert, service model,
verdict, creation time) and the per-case durations, already measured when the case was archived
(:mod:`bridge.reports.facts`), so a report over 100,000 cases is a handful of SQL aggregates rather
than a walk through every timeline. Times are stored as naive UTC (SQLite keeps no zone); the store
converts at its edge.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Base", "CaseEventRow", "CaseRow"]


class Base(DeclarativeBase):
    pass


class CaseRow(Base):
    """The facts of one case as it last closed; a reopened case that closes again replaces them."""

    __tablename__ = "cases"

    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    platform: Mapped[str] = mapped_column(String(32))
    department: Mapped[str] = mapped_column(String(100), default="")
    expert: Mapped[str] = mapped_column(String(100), default="")  # who claimed it last
    approver: Mapped[str] = mapped_column(String(100), default="")
    service_model: Mapped[str] = mapped_column(String(32), default="")
    kind: Mapped[str] = mapped_column(String(32), default="")
    verdict: Mapped[str] = mapped_column(String(32), default="")
    priority: Mapped[str] = mapped_column(String(32), default="")
    language: Mapped[str] = mapped_column(String(16), default="")
    sentiment_start: Mapped[float | None] = mapped_column(Float, nullable=True)
    sentiment_end: Mapped[float | None] = mapped_column(Float, nullable=True)
    polarity_start: Mapped[str] = mapped_column(String(16), default="")
    polarity_end: Mapped[str] = mapped_column(String(16), default="")
    author_handle: Mapped[str] = mapped_column(String(200), default="")
    author_handle_folded: Mapped[str] = mapped_column(String(200), default="")  # for lookups by handle
    author_id: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    post_url: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)  # the customer's first message
    hour_of_week: Mapped[int] = mapped_column(Integer)  # 0 = Monday 00:00 in the desk's zone
    week: Mapped[str] = mapped_column(String(10))  # the Monday of that week, YYYY-MM-DD, desk's zone
    first_reply_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # any reply
    first_human_reply_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # the first claim
    answered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # the last answer
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[datetime] = mapped_column(DateTime)
    first_reply_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    first_human_reply_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    response_count: Mapped[int] = mapped_column(Integer, default=0)  # customer messages answered
    response_seconds: Mapped[float] = mapped_column(Float, default=0.0)  # their waits, summed
    handled_count: Mapped[int] = mapped_column(Integer, default=0)  # claim → answer cycles
    handling_seconds: Mapped[float] = mapped_column(Float, default=0.0)  # their lengths, summed
    resolution_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    answers: Mapped[int] = mapped_column(Integer, default=0)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    needed_response: Mapped[bool] = mapped_column(Boolean, default=False)
    set_aside: Mapped[bool] = mapped_column(Boolean, default=False)
    sla_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sla_open_minutes: Mapped[float | None] = mapped_column(Float, nullable=True)  # to the first answer
    sla_met: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    state: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(32), default="")
    csat: Mapped[int | None] = mapped_column(Integer, nullable=True)
    nps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    survey_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    link_clicks: Mapped[int] = mapped_column(Integer, default=0)
    link_conversions: Mapped[int] = mapped_column(Integer, default=0)
    # our latest public answer's likes, replies and reposts, read back a while after posting
    engagement_likes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    engagement_replies: Mapped[int | None] = mapped_column(Integer, nullable=True)
    engagement_reposts: Mapped[int | None] = mapped_column(Integer, nullable=True)
    erased_on: Mapped[str] = mapped_column(String(10), default="")

    __table_args__ = (
        Index("ix_cases_created", "created_at"),
        Index("ix_cases_closed", "closed_at"),
        Index("ix_cases_author", "author_handle_folded"),
        Index("ix_cases_author_id", "platform", "author_id"),
        Index("ix_cases_department", "department", "created_at"),
        Index("ix_cases_state", "state"),
        Index("ix_cases_week", "week", "hour_of_week"),
    )


class CaseEventRow(Base):
    """One entry of a case's timeline: when, what, who, and the rest as JSON text."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, ForeignKey("cases.number", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)  # its place in the timeline
    at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")

    __table_args__ = (Index("ix_case_events_number", "number", "seq"),)
