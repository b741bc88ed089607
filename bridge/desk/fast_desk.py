"""Claim on the web process's event loop, in one Redis round trip, when it plainly succeeds.

:meth:`Desk.claim <bridge.desk.desk.Desk.claim>` reads the case, checks the person's role, applies the
transition and queues the card's refresh: four round trips on the synchronous client, so a web
process runs it on a thread pool. :class:`FastDesk` asks the same questions inside one script
(:mod:`bridge.store.fast_transitions`): the role becomes "the case's department is one this person
may claim in", read from the playbook before the trip, and the refresh job is pushed by the script.

It never refuses: whenever the answer is not a plain yes (another department, a claimed case, an
unknown case, a department the playbook no longer has) nothing is changed and it answers False,
and the caller runs :class:`~bridge.desk.desk.Desk`, which decides again, explains to the person,
records and counts the refusal. So the desk's rules stay in one place and this is only their
shortcut for the common case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import structlog

from bridge.domain.clock import Clock
from bridge.domain.lifecycle import TRANSITIONS, Action
from bridge.domain.model import utcnow
from bridge.playbook.model import Playbook
from bridge.store.fast_transitions import FastTransitions, QueuedJob
from bridge.store.transitions import Change

__all__ = ["CardJobs", "FastDesk"]

# the desk's own logger: a fast claim logs the same ``claimed`` line as a claim through the desk
log = structlog.get_logger("bridge.desk.desk")


class CardJobs(Protocol):
    """The records of the jobs a claim queues (:class:`bridge.app.dispatch.Dispatcher`'s, built only)."""

    def refresh_card(self, number: int) -> QueuedJob: ...


class FastDesk:
    def __init__(
        self,
        transitions: FastTransitions,
        playbook: Callable[[], Playbook],
        jobs: CardJobs,
        clock: Clock,
    ) -> None:
        self.transitions = transitions
        self._playbook = playbook
        self.jobs = jobs
        self.clock = clock
        self._read: Playbook | None = None
        self._claims_in: dict[str, list[str]] = {}

    def claimable_departments(self, user: str) -> list[str]:
        """The playbook's departments whose cases ``user`` may claim, remembered until it is reloaded."""
        playbook = self._playbook()
        if playbook is not self._read:
            self._read, self._claims_in = playbook, {}
        if user not in self._claims_in:
            departments = playbook.departments.items()
            self._claims_in[user] = sorted(name for name, d in departments if d.may_claim(user))
        return self._claims_in[user]

    async def claim(self, number: int, user: str) -> bool:
        """Claim case ``number`` for ``user`` and queue its card's refresh, as the desk would; False
        when that is not plainly allowed, with nothing changed (then ask the desk)."""
        departments = self.claimable_departments(user)
        if not departments:
            return False
        rule = TRANSITIONS[Action.CLAIM]
        now = self.clock.now()
        change = Change(
            allowed_from=[s.value for s in rule.allowed_from],
            to=rule.to.value if rule.to else "",
            audit={"action": Action.CLAIM.value, "by": user, "at": now.isoformat()},
            guards={"claimant": ""},
            values={"claimant": user, "claimed_at": now.isoformat()},
        )
        result = await self.transitions.apply(
            number,
            Action.CLAIM,
            change,
            allowed={"department": departments},
            jobs=[self.jobs.refresh_card(number)],
            at=utcnow().timestamp(),
        )
        if result.status != "ok":
            return False
        log.info("claimed", by=user, case=number)  # the line the desk logs, its case bound there
        return True
