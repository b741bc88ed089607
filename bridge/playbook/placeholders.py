"""What crisis templates may say: the values the statement and each bulk reply are rendered with, and
sample values to check a playbook's templates with when it loads.

One place builds both, so the check at load time (:mod:`bridge.playbook.crisis_rules`) and the rendering at
run time (:mod:`bridge.crisis.texts`) cannot drift apart: a template that passes ``bridge playbook
check`` has every placeholder it uses at run time.
"""

from __future__ import annotations

from typing import Any

from bridge.playbook.templates import PLACEHOLDERS, sample_context

__all__ = [
    "BULK_PLACEHOLDERS",
    "CHANNEL_NAME_FIELDS",
    "STATEMENT_PLACEHOLDERS",
    "bulk_sample",
    "channel_sample",
    "crisis_context",
    "statement_sample",
    "with_case",
]

STATEMENT_PLACEHOLDERS = "brand.name, topic, incident.number, incident.topic, date, statement.url"
BULK_PLACEHOLDERS = f"{STATEMENT_PLACEHOLDERS}, {PLACEHOLDERS.replace('brand.name, ', '')}"
#: ``incident_channel_name`` is a Python format string with these fields.
CHANNEL_NAME_FIELDS = ("date", "topic", "id")


def crisis_context(
    brand: str, label: str, number: int, topic: str, date: str, statement_url: str
) -> dict[str, Any]:
    """The statement's values (the bulk reply has these and a case's, see :func:`with_case`)."""
    return {
        "brand": {"name": brand},
        "topic": label,
        "incident": {"number": number, "topic": topic},
        "date": date,
        "statement": {"url": statement_url},
    }


def with_case(context: dict[str, Any], case_values: dict[str, Any]) -> dict[str, Any]:
    """A bulk reply's values: the incident's, and the case's (author, case, hours) but its brand."""
    return {**context, **{k: v for k, v in case_values.items() if k != "brand"}}


def statement_sample() -> dict[str, Any]:
    return crisis_context("Brand", "recall", 1, "recall", "2025-01-06", "https://x.com/brand/status/1")


def bulk_sample() -> dict[str, Any]:
    return with_case(statement_sample(), sample_context())


def channel_sample() -> dict[str, Any]:
    return {"date": "2025-01-06", "topic": "recall", "id": 1}
