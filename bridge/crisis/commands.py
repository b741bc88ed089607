"""``/bridge incident status|close [n]``: text answers for people, the same on every chat platform.

Registered with :class:`bridge.desk.commands.Commands` as the ``incident`` subcommand by the runtime.
Without a number, ``status`` shows the newest open incident and ``close`` closes the only open one
(with several open it asks which). A first word that looks like a number but is not one (``I1``,
``#x1``) is refused rather than read as a reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bridge.crisis.incident import Incident
from bridge.crisis.service import Crisis
from bridge.crisis.views import incident_summary, statement_links
from bridge.desk.commands import CommandReply
from bridge.desk.desk import who
from bridge.domain.errors import NotAllowed

__all__ = ["CASES_LISTED", "TIMELINE_LIMIT", "USAGE", "incident_close", "incident_command", "incident_status"]

TIMELINE_LIMIT = 25
#: Bookkeeping entries left out of the status view (they stay in the audit stream).
_QUIET_ACTIONS = {
    "alert_explained",
    "alert_posted",
    "mass_card_posted",
    "realert_posted",
    "digest_posted",
    "statement_preview_posted",
    "bulk_preview_posted",
}
CASES_LISTED = 20
USAGE = "Usage: /bridge incident status [number] · /bridge incident close [number] [reason]"
_SKIP = {"incident", "alert", "from", "to", "summary"}


_NUMBER = re.compile(r"#?[0-9]+")


def _looks_numbered(word: str) -> bool:
    return word.startswith("#") or any(c.isdigit() for c in word)


def _pick(crisis: Crisis, args: list[str], *, only: bool = False) -> tuple[Incident, list[str]]:
    """The incident the first word numbers, and the words after it; without a number the newest open
    one, or with ``only`` the one open incident (several open: refused, listing them)."""
    if args and _NUMBER.fullmatch(args[0]):
        incident = crisis.incidents.get(int(args[0].lstrip("#")))
        if incident is None:
            raise NotAllowed(f"There is no incident {args[0]}.")
        return incident, args[1:]
    if args and _looks_numbered(args[0]):
        raise NotAllowed(
            f"{args[0]!r} is not an incident number. Give the number first, e.g. "
            "`/bridge incident close 3 all answered`."
        )
    open_now = crisis.incidents.open_incidents()
    if not open_now:
        raise NotAllowed("No incident is open. Leadership starts one from a crisis alert.")
    if only and len(open_now) > 1:
        listed = "; ".join(f"{i.id} ({i.label}, {i.state_label})" for i in open_now)
        raise NotAllowed(
            f"{len(open_now)} incidents are open: {listed}. Say which, e.g. "
            f"`/bridge incident close {open_now[0].id} [reason]`."
        )
    return open_now[0], args


def incident_status(crisis: Crisis, user: str, args: list[str]) -> str:
    """The incident's state, statement, bulk progress, cases and timeline."""
    incident, _ = _pick(crisis, args)
    alert = crisis.alerts.get(incident.alert)
    lines = [incident_summary(incident)]
    lines.append(
        f"Started by {who(incident.started_by)} at {incident.started_at:%Y-%m-%d %H:%M} UTC"
        + (f" · channel #{incident.channel_name or incident.channel}" if incident.channel else "")
    )
    if alert is not None:
        lines.append(
            f"Alert {alert.id} ({alert.state}): {alert.explanation.summary()} · peak {alert.peak_count}"
        )
    if incident.statement_version:
        if incident.statement_approved_version:
            said = f"v{incident.statement_approved_version} approved by {who(incident.statement_approver)}"
        else:
            said = f"v{incident.statement_version} waiting for sign-off"
        links = statement_links(incident)
        posted = f" · posted {links}" if links else ""
        lines.append(f"Statement: {said}{posted}")
    if incident.bulk_version:
        pending = crisis.bulk.pending(incident.id)
        resume = (
            f" · resumes {incident.bulk_resume_at:%H:%M} UTC" if pending and incident.bulk_resume_at else ""
        )
        lines.append(
            f"Bulk reply: v{incident.bulk_version} · {incident.bulk_sent} sent, "
            f"{incident.bulk_skipped} skipped, {pending} waiting{resume}"
        )
    cases = crisis.alerts.cases(incident.alert)
    if cases:
        shown = ", ".join(f"#{n}" for n in cases[:CASES_LISTED])
        more = f" … and {len(cases) - CASES_LISTED} more" if len(cases) > CASES_LISTED else ""
        lines.append(f"Cases ({len(cases)}): {shown}{more}")
    entries = [e for e in crisis.incidents.timeline(incident.id) if e.action not in _QUIET_ACTIONS]
    entries = entries[-TIMELINE_LIMIT:]
    timeline = []
    for entry in entries:
        details = " ".join(f"{k}={v}" for k, v in entry.fields.items() if k not in _SKIP and v)
        timeline.append(f"{entry.at:%H:%M:%S} {entry.action:<22} by {entry.by} {details}".rstrip())
    return "\n".join(lines) + "\n```" + "\n".join(timeline) + "```"


def incident_close(crisis: Crisis, user: str, args: list[str]) -> str:
    incident, rest = _pick(crisis, args, only=True)
    return crisis.leadership.close(incident.id, user, " ".join(rest))


def incident_command(crisis: Crisis) -> Callable[[str, list[str]], CommandReply]:
    """The ``incident`` subcommand for :meth:`bridge.desk.commands.Commands.register`."""

    def run(user: str, args: list[str]) -> CommandReply:
        if not args or args[0] not in ("status", "close"):
            return CommandReply(USAGE)
        if args[0] == "status":
            return CommandReply(incident_status(crisis, user, args[1:]))
        return CommandReply(incident_close(crisis, user, args[1:]))

    return run
