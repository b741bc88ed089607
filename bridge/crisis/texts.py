"""The words crisis mode writes from playbook templates: the statement, each bulk reply, and the
incident channel's name. Templates use the same sandboxed renderer as case drafts."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bridge.crisis.incident import Incident
from bridge.crisis.rules import CrisisRules
from bridge.model import Case
from bridge.templates import case_context, render

CHANNEL_NAME_MAX = 80
_CHANNEL_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def incident_context(brand: str, incident: Incident, statement_url: str = "") -> dict[str, Any]:
    return {
        "brand": {"name": brand},
        "topic": incident.label,
        "incident": {"number": incident.id, "topic": incident.topic},
        "date": f"{incident.started_at:%Y-%m-%d}",
        "statement": {"url": statement_url or incident.statement_url},
    }


def render_statement(template: str, brand: str, incident: Incident) -> str:
    return render(template, incident_context(brand, incident)).strip()


def bulk_reply_text(template: str, brand: str, incident: Incident, case: Case) -> str:
    """The bulk reply as this customer reads it: their handle, the statement's link."""
    context = incident_context(brand, incident)
    context.update({k: v for k, v in case_context(case, brand).items() if k != "brand"})
    return render(template, context).strip()


def channel_name(rules: CrisisRules, incident: Incident, when: datetime | None = None) -> str:
    """A Slack-safe channel name from the playbook's pattern (lower case, no spaces, ≤ 80 chars)."""
    moment = when or incident.started_at
    try:
        raw = rules.incident_channel_name.format(
            date=f"{moment:%Y-%m-%d}", topic=incident.topic, id=incident.id
        )
    except (KeyError, IndexError, ValueError):
        raw = f"incident-{moment:%Y-%m-%d}-{incident.topic}"
    name = _CHANNEL_UNSAFE.sub("-", raw.casefold()).strip("-")
    return name[:CHANNEL_NAME_MAX] or f"incident-{incident.id}"
