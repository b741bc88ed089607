"""The first schema: cases (one row of facts per closed case) and case_events (its timeline).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

__all__ = ["branch_labels", "depends_on", "down_revision", "downgrade", "revision", "upgrade"]

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


_TEXT_COLUMNS = (
    ("department", 100),
    ("expert", 100),
    ("approver", 100),
    ("service_model", 32),
    ("kind", 32),
    ("verdict", 32),
    ("priority", 32),
    ("language", 16),
    ("polarity_start", 16),
    ("polarity_end", 16),
    ("author_handle", 200),
    ("author_handle_folded", 200),
    ("author_id", 200),
    ("outcome", 32),
    ("erased_on", 10),
)
_OPTIONAL_TIMES = ("first_reply_at", "first_human_reply_at", "claimed_at", "answered_at", "resolved_at")
_OPTIONAL_NUMBERS = (
    "sentiment_start",
    "sentiment_end",
    "first_reply_seconds",
    "first_human_reply_seconds",
    "resolution_seconds",
    "sla_open_minutes",
)
_COUNTS = ("response_count", "handled_count", "answers", "reopened", "link_clicks", "link_conversions")


def _text_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("number", sa.BigInteger, primary_key=True, autoincrement=False),
        *(sa.Column(name, sa.String(32), nullable=False) for name in ("platform", "state")),
        *(
            sa.Column(name, sa.String(size), nullable=False, server_default="")
            for name, size in _TEXT_COLUMNS
        ),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
        sa.Column("post_url", sa.Text, nullable=False, server_default=""),
        sa.Column("survey_comment", sa.Text, nullable=True),
    ]


def _measure_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("hour_of_week", sa.Integer, nullable=False),
        sa.Column("week", sa.String(10), nullable=False),
        sa.Column("closed_at", sa.DateTime, nullable=False),
        *(sa.Column(name, sa.DateTime, nullable=True) for name in _OPTIONAL_TIMES),
        *(sa.Column(name, sa.Float, nullable=True) for name in _OPTIONAL_NUMBERS),
        *(sa.Column(name, sa.Integer, nullable=False, server_default="0") for name in _COUNTS),
        *(
            sa.Column(name, sa.Float, nullable=False, server_default="0")
            for name in ("response_seconds", "handling_seconds")
        ),
        *(
            sa.Column(name, sa.Boolean, nullable=False, server_default=sa.false())
            for name in ("needed_response", "set_aside")
        ),
        sa.Column("sla_minutes", sa.Integer, nullable=True),
        sa.Column("sla_met", sa.Boolean, nullable=True),
        sa.Column("csat", sa.Integer, nullable=True),
        sa.Column("nps", sa.Integer, nullable=True),
    ]


def upgrade() -> None:
    op.create_table("cases", *_text_columns(), *_measure_columns())
    op.create_index("ix_cases_created", "cases", ["created_at"])
    op.create_index("ix_cases_closed", "cases", ["closed_at"])
    op.create_index("ix_cases_author", "cases", ["author_handle_folded"])
    op.create_index("ix_cases_author_id", "cases", ["platform", "author_id"])
    op.create_index("ix_cases_department", "cases", ["department", "created_at"])
    op.create_index("ix_cases_state", "cases", ["state"])
    op.create_index("ix_cases_week", "cases", ["week", "hour_of_week"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("number", sa.BigInteger, sa.ForeignKey("cases.number", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False, server_default=""),
        sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("ix_case_events_number", "case_events", ["number", "seq"])


def downgrade() -> None:
    op.drop_table("case_events")
    op.drop_table("cases")
