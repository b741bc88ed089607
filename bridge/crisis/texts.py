"""The words crisis mode writes from playbook templates: the statement, each bulk reply, and the
incident channel's name. Templates use the same sandboxed renderer as case drafts, but never fall back to
the raw template text: a text that cannot be filled in raises :class:`TemplateRefused`, and the caller
refuses the draft or skips the case and tells leadership, so raw Jinja never reaches a customer."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bridge.crisis.incident import Incident
from bridge.domain.errors import TemplateRefused
from bridge.domain.model import Case
from bridge.playbook.crisis_rules import CrisisRules
from bridge.playbook.placeholders import (
    BULK_PLACEHOLDERS,
    STATEMENT_PLACEHOLDERS,
    bulk_sample,
    crisis_context,
    with_case,
)
from bridge.playbook.templates import case_context, render_strict

__all__ = [
    "CHANNEL_NAME_MAX",
    "bulk_reply_text",
    "channel_name",
    "check_reply",
    "incident_context",
    "render_statement",
]

CHANNEL_NAME_MAX = 80
_CHANNEL_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def incident_context(brand: str, incident: Incident, statement_url: str = "") -> dict[str, Any]:
    return crisis_context(
        brand,
        incident.label,
        incident.id,
        incident.topic,
        f"{incident.started_at:%Y-%m-%d}",
        statement_url or incident.statement_url,
    )


def render_statement(template: str, brand: str, incident: Incident) -> str:
    """The statement's first draft; raises :class:`TemplateRefused` rather than return raw text."""
    try:
        return render_strict(template, incident_context(brand, incident), STATEMENT_PLACEHOLDERS).strip()
    except ValueError as exc:
        raise TemplateRefused(str(exc)) from None


def bulk_reply_text(template: str, brand: str, incident: Incident, case: Case) -> str:
    """The bulk reply as this customer reads it: their handle, the statement's link. Raises
    :class:`TemplateRefused` rather than return raw text."""
    context = with_case(incident_context(brand, incident), case_context(case, brand))
    try:
        return render_strict(template, context, BULK_PLACEHOLDERS).strip()
    except ValueError as exc:
        raise TemplateRefused(str(exc)) from None


def check_reply(template: str) -> None:
    """Raise :class:`TemplateRefused` unless a bulk reply template fills in with sample values."""
    try:
        render_strict(template, bulk_sample(), BULK_PLACEHOLDERS)
    except ValueError as exc:
        raise TemplateRefused(str(exc)) from None


def channel_name(rules: CrisisRules, incident: Incident, when: datetime | None = None) -> str:
    """A Slack-safe channel name from the playbook's pattern (lower case, no spaces, ≤ 80 chars)."""
    moment = when or incident.started_at
    try:
        raw = rules.incident_channel_name.format(
            date=f"{moment:%Y-%m-%d}", topic=incident.topic, id=incident.id
        )
    except (KeyError, IndexError, ValueError, AttributeError):  # checked on load; never fail here
        raw = f"incident-{moment:%Y-%m-%d}-{incident.topic}"
    name = _CHANNEL_UNSAFE.sub("-", raw.casefold()).strip("-")
    return name[:CHANNEL_NAME_MAX] or f"incident-{incident.id}"
