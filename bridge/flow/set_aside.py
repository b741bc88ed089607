"""Nothing set aside is invisible: the ledger of cases triage set aside, the digest that lists them
in the social team's channel, and **Needs an answer**, which brings one back to its department.

Triage sets aside noise and ignored posts (state ``ignored``, no card). Each such case is noted here
with the time it was set aside; the first note after a digest schedules the next one
``set_aside.digest_every_minutes`` later (an RQ job scheduled in Redis, so it survives restarts).
The digest takes every case noted up to its time and still set aside, lists the newest
``digest_max_cases`` and counts the rest; with nothing set aside, nothing is scheduled or posted.
Posting it is the application's part (:mod:`bridge.app.set_aside_digest`): this module decides
what it says.

**Needs an answer** is the reopen path with one more guard: one atomic transition that applies only
while the case is still set aside, recorded in the audit with who clicked; the card then goes up in
the department triage and routing chose (the playbook's default when that one is gone).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bridge.desk.desk import Done, who
from bridge.desk.steering import Steering
from bridge.domain.clock import Clock
from bridge.domain.errors import NotAllowed
from bridge.domain.lifecycle import Action, State
from bridge.domain.work import Dispatch
from bridge.playbook.model import Playbook
from bridge.store.cases import Store

__all__ = ["NEEDS_ANSWER", "Digest", "DigestEntry", "SetAsideLedger"]

#: The name of the digest's button on every chat platform.
NEEDS_ANSWER = "needs_answer"
VIA = "needs an answer"
#: How long a set-aside case stays in the queue view (the App Home), whether digested or not.
SHOWN_HOURS = 24
LOST_JOB_GRACE_SECONDS = 3600


@dataclass(frozen=True)
class DigestEntry:
    """One set-aside case as the digest shows it; ``text`` and ``author_handle`` are the customer's."""

    number: int
    author_handle: str
    text: str
    why: str  # the bridge's words: why triage set it aside
    department: str
    language: str


@dataclass(frozen=True)
class Digest:
    since: datetime | None  # the previous digest, None for the first
    until: datetime
    entries: tuple[DigestEntry, ...]
    more: int  # set aside in the same period but not listed
    noted: tuple[int, ...] = ()  # every case this digest accounts for, listed or not

    @property
    def total(self) -> int:
        return len(self.entries) + self.more


def _text(raw: object) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


class SetAsideLedger:
    def __init__(
        self, store: Store, playbook: Callable[[], Playbook], dispatch: Dispatch, clock: Clock
    ) -> None:
        self.store = store
        self._playbook = playbook
        self.dispatch = dispatch
        self.clock = clock

    @property
    def _noted(self) -> str:
        return self.store.k("set-aside", "noted")

    @property
    def _recent(self) -> str:
        return self.store.k("set-aside", "recent")

    @property
    def _due(self) -> str:
        return self.store.k("set-aside", "due")

    @property
    def _last(self) -> str:
        return self.store.k("set-aside", "last")

    # noting and scheduling ---------------------------------------------------------------------------
    def note(self, number: int) -> None:
        """Triage set case ``number`` aside: it goes in the next digest, scheduled if none is."""
        now = self.clock.now().timestamp()
        self.store.r.zadd(self._noted, {str(number): now})
        self.store.r.zadd(self._recent, {str(number): now})
        self.store.r.zremrangebyscore(self._recent, "-inf", now - SHOWN_HOURS * 3600)
        self._schedule()

    def _schedule(self) -> None:
        every = timedelta(minutes=self._playbook().set_aside.digest_every_minutes)
        due = self.clock.now() + every
        # the mark expires, so a scheduled job lost with its queue cannot stop digests for good
        lapse = int(every.total_seconds()) * 2 + LOST_JOB_GRACE_SECONDS
        if self.store.r.set(self._due, due.isoformat(), nx=True, ex=lapse):
            self.dispatch.set_aside_digest(due)

    def due(self) -> datetime | None:
        raw = self.store.r.get(self._due)
        return datetime.fromisoformat(_text(raw)) if raw else None

    def digest(self) -> Digest | None:
        """What the digest due now lists (perhaps nothing: every case noted was brought back meanwhile);
        None when it is not due yet, and it was set again. Its cases leave the ledger by :meth:`posted`."""
        due = self.due()
        now = self.clock.now()
        if due is not None and now < due:
            self.dispatch.set_aside_digest(due)  # fired early (a clock that disagrees): set again
            return None
        noted = [int(_text(n)) for n in self.store.r.zrangebyscore(self._noted, "-inf", now.timestamp())]
        cases = [self.store.get(n) for n in noted if self.store.exists(n)]
        waiting = [c for c in cases if c.state is State.IGNORED and c.verdict in ("noise", "ignore")]
        limit = self._playbook().set_aside.digest_max_cases
        newest = sorted(waiting, key=lambda c: c.number, reverse=True)[:limit]
        last = self.store.r.get(self._last)
        since = datetime.fromisoformat(_text(last)) if last else None
        entries = tuple(
            DigestEntry(c.number, c.author_handle, c.text, c.ignore_reason, c.department, c.lang)
            for c in sorted(newest, key=lambda c: c.number)
        )
        return Digest(since, now, entries, len(waiting) - len(entries), tuple(noted))

    def recent(self, departments: frozenset[str] | None = None) -> list[DigestEntry]:
        """The cases set aside in the last :data:`SHOWN_HOURS` and still set aside, newest first (in
        ``departments`` only, when given): the queue view of what was set aside."""
        since = (self.clock.now() - timedelta(hours=SHOWN_HOURS)).timestamp()
        numbers = [int(_text(n)) for n in self.store.r.zrevrangebyscore(self._recent, "+inf", since)]
        cases = [self.store.get(n) for n in numbers if self.store.exists(n)]
        return [
            DigestEntry(c.number, c.author_handle, c.text, c.ignore_reason, c.department, c.lang)
            for c in cases
            if c.state is State.IGNORED and (departments is None or c.department in departments)
        ]

    def posted(self, numbers: list[int], at: datetime) -> None:
        """The digest is out (or had nothing to say): its cases leave the ledger, the next set-aside
        case schedules the next digest, and one noted meanwhile is not left waiting."""
        if numbers:
            self.store.r.zrem(self._noted, *[str(n) for n in numbers])
        self.store.r.set(self._last, at.isoformat())
        self.store.r.delete(self._due)
        if self.store.r.zcard(self._noted):
            self._schedule()

    # bringing one back -------------------------------------------------------------------------------
    def needs_answer(self, number: int, by: str, steering: Steering) -> Done:
        """Bring a set-aside case to its department with its card: one transition, only while the case
        is still set aside, recorded with who asked; refused with what happened when it moved on."""
        case = self.store.get(number)
        steering.may_steer(case, by, "bring a set-aside case back")
        playbook = self._playbook()
        department = (
            case.department if case.department in playbook.departments else playbook.default_department
        )
        outcome = self.store.transition(
            number,
            Action.REOPEN,
            by,
            guards={"state": State.IGNORED.value},
            values={"claimant": None, "claimed_at": None, "department": department},
            detail={"via": VIA, "department": department},
        )
        if not outcome.ok:
            now = self.store.get(number)
            holder = f", claimed by {who(now.claimant)}" if now.claimant else ""
            raise NotAllowed(
                f"{case.ref} is no longer set aside: it is {outcome.state.value}{holder}. "
                "Nothing was changed."
            )
        self.dispatch.refresh_card(number)  # no card yet: this posts it (see flow.ingest.take_late_card)
        return Done(f"{case.ref} needs an answer: its card is going up in {department}.", number)
