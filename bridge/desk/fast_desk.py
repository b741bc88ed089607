"""Claim and Approve on the web process's event loop, when they plainly succeed: a claim in one Redis
round trip, an approval in two.

:meth:`Desk.claim <bridge.desk.desk.Desk.claim>` reads the case, checks the person's role, applies the
transition and queues the card's refresh: five round trips on the synchronous client (the enqueue
takes two), so a web process runs it on a thread pool. :class:`FastDesk` asks the same questions
inside one script (:mod:`bridge.store.fast_transitions`): the role becomes "the case's department is
one this person may claim in", read from the playbook before the trip, and the refresh job is pushed
by the script. An approval first reads the case and the draft (one trip), since whether the answer
fits the platform is Python's to say, then applies the transition with its three jobs (another).

It never refuses: whenever the answer is not a plain yes (another department, a claimed case, an
unknown case, a department the playbook no longer has) nothing is changed and it answers False,
and the caller runs :class:`~bridge.desk.desk.Desk`, which decides again, explains to the person,
records and counts the refusal. So the desk's rules stay in one place and this is only their
shortcut for the common case.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

import structlog

from bridge.desk.desk import approval_notice
from bridge.domain.clock import Clock
from bridge.domain.lifecycle import TRANSITIONS, Action
from bridge.domain.model import Case, Draft, utcnow
from bridge.playbook.model import Playbook
from bridge.store.fast_transitions import FastTransitions, QueuedJob
from bridge.store.transitions import Change
from bridge.text.answer_length import answer_length

__all__ = ["PLAYBOOK_CHECK_SECONDS", "CardJobs", "FastDesk"]

#: How long the fast path uses the playbook it last asked for. An edit reaches it this much later than
#: the desk (which asks on every action); a click the old playbook would not allow goes to the desk.
PLAYBOOK_CHECK_SECONDS = 0.5

# the desk's own logger: a fast claim logs the same ``claimed`` line as a claim through the desk does
log = structlog.get_logger("bridge.desk.desk")


class CardJobs(Protocol):
    """The records of the jobs a claim or an approval queues (:class:`bridge.app.dispatch.Dispatcher`'s,
    built only)."""

    def refresh_card(self, number: int) -> QueuedJob: ...

    def publish(self, number: int) -> QueuedJob: ...

    def thread_notice(self, number: int, text: str, quote: str = "") -> QueuedJob: ...


class FastDesk:
    def __init__(
        self,
        transitions: FastTransitions,
        playbook: Callable[[], Playbook],
        jobs: CardJobs,
        clock: Clock,
    ) -> None:
        self.transitions = transitions
        self._source = playbook
        self.jobs = jobs
        self.clock = clock
        self._read: Playbook | None = None
        self._claims_in: dict[str, list[str]] = {}
        self._asked_at = -PLAYBOOK_CHECK_SECONDS

    def _playbook(self) -> Playbook:
        """The playbook in force, asked for at most every :data:`PLAYBOOK_CHECK_SECONDS`: asking costs
        a ``stat`` of its file, which was 7% of the web process's CPU per Claim under a burst."""
        now, playbook = time.monotonic(), self._read
        if playbook is None or now - self._asked_at >= PLAYBOOK_CHECK_SECONDS:
            self._asked_at = now
            playbook = self._source()
            if playbook is not self._read:
                self._read, self._claims_in = playbook, {}
        return playbook

    def claimable_departments(self, user: str) -> list[str]:
        """The playbook's departments whose cases ``user`` may claim, remembered until it is reloaded."""
        playbook = self._playbook()
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
        now = self.clock.now().isoformat()
        change = _change(
            number,
            Action.CLAIM,
            user,
            now,
            guards={"claimant": ""},
            values={"claimant": user, "claimed_at": now},
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

    async def approve(self, number: int, version: int, user: str) -> bool:
        """Approve draft ``version`` of case ``number`` and queue its posting, the card's refresh and the
        thread's notice, as the desk would; False when that is not plainly allowed, with nothing
        changed (then ask the desk). Two round trips: the case and the draft are read first, since
        whether the answer fits the platform is the desk's Python (:func:`answer_length`)."""
        raw, draft_json = await self.transitions.case_and_draft(number, version)
        if not raw or not draft_json:
            return False
        case, draft = Case.from_hash(raw), Draft.from_json(draft_json)
        playbook = self._playbook()
        department = playbook.departments.get(case.department)
        if department is None or not department.may_approve(user):
            return False  # the desk names the approvers (or the social team's, for a department gone)
        if playbook.sign_off.four_eyes and draft.author == user:
            return False
        if not answer_length(case, draft.text).valid:
            return False
        change = _change(
            number,
            Action.APPROVE,
            user,
            self.clock.now().isoformat(),
            guards={"draft_version": str(version)},
            values={"approved_version": str(version), "approver": user},
            detail={"version": str(version)},
        )
        jobs = [
            self.jobs.publish(number),
            self.jobs.refresh_card(number),
            self.jobs.thread_notice(number, approval_notice(version, user)),
        ]
        result = await self.transitions.apply(
            number, Action.APPROVE, change, allowed={}, jobs=jobs, at=utcnow().timestamp()
        )
        if result.status != "ok":
            return False
        log.info("approved", by=user, version=version, author=draft.author, case=number)
        return True


def _change(
    number: int,
    action: Action,
    user: str,
    at: str,
    *,
    guards: dict[str, str],
    values: dict[str, str],
    detail: dict[str, str] | None = None,
) -> Change:
    """The transition ``action`` by ``user`` as :meth:`Store.transition` would write it, audit included."""
    rule = TRANSITIONS[action]
    return Change(
        allowed_from=[s.value for s in rule.allowed_from],
        to=rule.to.value if rule.to else "",
        audit={"action": action.value, "by": user, "at": at, **(detail or {})},
        guards=guards,
        values=values,
        lead=("case", str(number)),
    )
