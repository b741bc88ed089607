"""Subcommands that only look: ``status`` of a case, the open ``queue``, opening ``hours``."""

from __future__ import annotations

from datetime import datetime

from bridge.desk.commands.parsing import case_number, rest, unquoted
from bridge.desk.commands.replies import CommandReply
from bridge.desk.desk import Desk, who
from bridge.domain.errors import NotAllowed
from bridge.domain.lifecycle import FINISHED_STATES, OPEN_STATES, State
from bridge.domain.model import Case
from bridge.store.cases import Store
from bridge.store.timeline import format_timeline

__all__ = ["QUEUE_LIMIT", "TIMELINE_LIMIT", "Views", "age", "sla_status"]

QUEUE_LIMIT = 30
TIMELINE_LIMIT = 12


def age(since: datetime, now: datetime) -> str:
    minutes = int((now - since).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h{minutes % 60:02d}m"
    return f"{minutes // 1440}d"


def sla_status(case: Case, now: datetime) -> str:
    if case.sla_due is None:
        return "no SLA"
    if case.state in FINISHED_STATES:
        return "answered" if case.state is State.POSTED else case.state.value
    left = int((case.sla_due - now).total_seconds() // 60)
    return f"due in {left}m" if left >= 0 else f"OVERDUE by {-left}m"


class Views:
    """The looking subcommands of :class:`~bridge.desk.commands.entry.Commands`."""

    desk: Desk
    store: Store

    def status(self, user: str, args: list[str]) -> CommandReply:
        number = case_number(args[0])
        case = self.store.get(number)
        now = self.desk.clock.now()
        entries = self.store.audit(number)[-TIMELINE_LIMIT:]
        head = (
            f"{case.ref} · {case.state.value} · {case.department} · owner "
            f"{who(case.claimant) if case.claimant else 'nobody'} · {sla_status(case, now)}"
        )
        return CommandReply(head, verbatim=format_timeline(case, entries))

    def queue(self, user: str, args: list[str]) -> CommandReply:
        typed = unquoted(rest(args, 0))
        names = self.desk.playbook.departments
        department = self.desk.playbook.department_named(typed) if typed else ""
        if department is None:
            raise NotAllowed(f"There is no department {typed!r}. Choose one of: {', '.join(sorted(names))}.")
        now = self.desk.clock.now()
        cases = [self.store.get(n) for n in self.store.open_cases() if self.store.exists(n)]
        cases = [
            c for c in cases if c.state in OPEN_STATES and (not department or c.department == department)
        ]
        cases.sort(key=lambda c: c.created_at)
        if not cases:
            return CommandReply(f"No open cases{' in ' + department if department else ''}.")
        lines = [f"Open cases{' in ' + department if department else ''}: {len(cases)} (oldest first)"]
        for case in cases[:QUEUE_LIMIT]:
            owner = f" · {who(case.claimant)}" if case.claimant else ""
            lines.append(
                f"• {case.ref} {case.state.value} · {case.department} · {age(case.created_at, now)} old · "
                f"{sla_status(case, now)}{owner} · @{case.author_handle}"
            )
        if len(cases) > QUEUE_LIMIT:
            lines.append(f"… and {len(cases) - QUEUE_LIMIT} more")
        return CommandReply("\n".join(lines))

    def hours(self, user: str, args: list[str]) -> CommandReply:
        """Opening hours, and whether the desk is open right now."""
        hours = self.desk.playbook.hours
        now = self.desk.clock.now()
        if hours is None or not hours.weekly:
            return CommandReply("The desk is open around the clock (the playbook sets no opening hours).")
        if hours.is_open(now):
            state = "Open now."
        else:
            reopens = hours.next_open(now)
            state = "Closed now" + (f"; back {hours.describe_moment(reopens)}." if reopens else ".")
        return CommandReply(f"{state} Opening hours ({hours.timezone}): {hours.describe_week()}")
