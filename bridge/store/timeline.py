"""A case's history in words, for ``bridge case 1042`` and ``/bridge status``."""

from __future__ import annotations

from bridge.domain.model import Case
from bridge.store.cases import AuditEntry

__all__ = ["format_timeline"]

_SKIP = {"case", "from", "to"}


def format_timeline(case: Case, entries: list[AuditEntry]) -> str:
    lines = [
        f"Case {case.ref} · {case.platform} post {case.post_id} by @{case.author_handle}",
        f"State: {case.state.value} · department: {case.department or '-'} · "
        f"claimant: {case.claimant or '-'}" + (f" · reply: {case.reply_url}" if case.reply_url else ""),
        "",
    ]
    for entry in entries:
        details = " ".join(f"{k}={v}" for k, v in entry.fields.items() if k not in _SKIP and v)
        move = ""
        if entry.fields.get("from") and entry.fields.get("to") and entry.fields["from"] != entry.fields["to"]:
            move = f" [{entry.fields['from']} → {entry.fields['to']}]"
        lines.append(
            f"{entry.at:%Y-%m-%d %H:%M:%S} {entry.action:<16} by {entry.by}{move} {details}".rstrip()
        )
    return "\n".join(lines)
