"""SLA timers: a reminder in the card's thread when nobody claims a case in time, and an alert to the
social team when the first-response deadline passes unanswered.

The timers are RQ scheduled jobs in Redis, so they survive restarts. A timer that fires checks the
case again: a claim, an answer or a resolution since it was set means it does nothing, which is how
claiming "cancels" it. A timer that fires early (a clock that disagrees) sets itself again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog

from bridge.desk.desk import people
from bridge.domain.clock import Clock
from bridge.domain.lifecycle import State
from bridge.domain.model import Case
from bridge.domain.ports import ChatPlatform
from bridge.domain.work import Dispatch
from bridge.playbook.homes import home
from bridge.playbook.model import Playbook
from bridge.store.cases import Store

__all__ = ["ANSWERED", "CLAIM_SHARE_OF_SLA", "UNCLAIMED", "Escalation", "claim_due"]

log = structlog.get_logger(__name__)

#: Unless the playbook says otherwise, a case should be claimed within this share of its SLA.
CLAIM_SHARE_OF_SLA = 0.5
UNCLAIMED = frozenset({State.ROUTED, State.REOPENED})
ANSWERED = frozenset({State.POSTED, State.RESOLVED, State.IGNORED, State.MONITORING})


def claim_due(case: Case) -> datetime | None:
    if case.claim_due is not None:  # set at ingest, counted in opening hours (bridge.triage.sla)
        return case.claim_due
    if case.sla_due is None:
        return None
    return case.created_at + (case.sla_due - case.created_at) * CLAIM_SHARE_OF_SLA


class Escalation:
    def __init__(
        self,
        store: Store,
        playbook: Callable[[], Playbook],
        chats: dict[str, ChatPlatform],
        dispatch: Dispatch,
        clock: Clock,
    ) -> None:
        self.store = store
        self._playbook = playbook
        self.chats = chats
        self.dispatch = dispatch
        self.clock = clock

    def schedule(self, number: int, case: Case | None = None) -> None:
        """Set both timers of a case; called once, when its card first appears. ``case``, when given,
        is the case as read for its card (its deadlines never change after ingest)."""
        case = case if case is not None else self.store.get(number)
        due = {"claim": claim_due(case), "deadline": case.sla_due}
        self.dispatch.sla_checks(number, {kind: at for kind, at in due.items() if at is not None})

    def check(self, number: int, kind: str) -> str:
        case = self.store.get(number)
        due = claim_due(case) if kind == "claim" else case.sla_due
        if due is None:
            return "no-deadline"
        if self.clock.now() < due:
            self.dispatch.sla_check(number, kind, due)
            return "not-yet"
        if kind == "claim":
            return self._remind(case)
        return self._alert(case)

    def _remind(self, case: Case) -> str:
        if case.state not in UNCLAIMED or case.card is None:
            return "claimed"
        department = self._playbook().departments.get(case.department)
        experts = people(department.experts) if department and department.experts else "anyone"
        minutes = int((self.clock.now() - case.created_at).total_seconds() // 60)
        self.dispatch.thread_notice(
            case.number,
            f"{case.ref} has waited {minutes} minutes without a claim. {experts}, can one of you take it?",
        )
        self.store.record(case.number, "claim_reminder", "bridge", waited_minutes=minutes)
        return "reminded"

    def _alert(self, case: Case) -> str:
        if case.state in ANSWERED or case.state == State.POSTING:
            return "answered"
        where = home(self._playbook().social_team(), self.chats)
        if where is None:
            log.warning("sla_alert_nowhere", case=case.number)
            return "nowhere"
        chat, channel = self.chats[where[0]], where[1]
        owner = f"claimed by <@{case.claimant}>" if case.claimant else "unclaimed"
        text = (
            f"SLA missed: {case.ref} ({case.department}, {owner}, {case.state.value}) from "
            f"@{case.author_handle} has had no answer since {case.created_at:%H:%M} UTC; "
            f"first response was due {case.sla_due:%H:%M} UTC."
        )
        chat.post_message(channel, text, link_to=case.card)
        self.store.record(case.number, "sla_missed", "bridge", alerted_channel=channel)
        return "alerted"
