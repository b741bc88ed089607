"""A case's history in words, for ``bridge case 1042`` and ``/bridge status``."""

from __future__ import annotations

from bridge.domain.model import Case
from bridge.store.cases import AuditEntry
from bridge.store.history.records import CaseFacts, Event

__all__ = ["format_archived_timeline", "format_timeline"]

_SKIP = {"case", "from", "to"}


def format_timeline(case: Case, entries: list[AuditEntry]) -> str:
    lines = [
        f"Case {case.ref} · {case.platform} post {case.post_id} by @{case.author_handle}",
        f"State: {case.state.value} · department: {case.department or '-'} · "
        f"claimant: {case.claimant or '-'}" + (f" · reply: {case.reply_url}" if case.reply_url else ""),
        "",
    ]
    return "\n".join(lines + _entries(entries))


def _entries(entries: list[AuditEntry]) -> list[str]:
    lines: list[str] = []
    for entry in entries:
        details = " ".join(f"{k}={v}" for k, v in entry.fields.items() if k not in _SKIP and v)
        move = ""
        if entry.fields.get("from") and entry.fields.get("to") and entry.fields["from"] != entry.fields["to"]:
            move = f" [{entry.fields['from']} → {entry.fields['to']}]"
        lines.append(
            f"{entry.at:%Y-%m-%d %H:%M:%S} {entry.action:<16} by {entry.by}{move} {details}".rstrip()
        )
    return lines


def format_archived_timeline(facts: CaseFacts, events: list[Event]) -> str:
    """The same story from the case history, for a case Redis keeps no more (compacted or removed)."""
    entries = [AuditEntry(e.at, e.kind, e.actor, e.detail) for e in events]
    lines = [
        f"Case #{facts.number} · {facts.platform} by @{facts.author_handle} (from the case history)",
        (
            f"State: {facts.state} · department: {facts.department or '-'} · "
            f"expert: {facts.expert or '-'} · closed {facts.closed_at:%Y-%m-%d %H:%M:%S}"
        ),
        "",
    ]
    return "\n".join(lines + _entries(entries))
