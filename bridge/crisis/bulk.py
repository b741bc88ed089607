"""Bulk replies: one signed-off answer pointing to the statement, posted to each unanswered mention of
the incident, inside X's posting limits, resumable after a restart.

The queue of cases lives in Redis; one job at a time works through it (a lock that names its owner,
renewed on every case and released only by that owner), taking a slot of the shared posting budget
only when a case is really about to be posted and scheduling itself for when the next slot frees up.
Each case goes through its own lifecycle (assign → draft → approve → posting → posted), so the reply
is on the case's record like any other answer; a case somebody already claimed is left to them. Every
case is tried once per incident (the store's ``first_time``); a job that died mid-post finds our reply
before posting again. A reply template that cannot be filled in for a case skips that case (recorded,
leadership told), never posts the raw template.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import structlog

from bridge.crisis import bulk_reasons as reasons
from bridge.crisis.budget import PostingBudget
from bridge.crisis.bulk_reasons import REFUSED_PREFIX, UNANSWERED
from bridge.crisis.incident import Incident, IncidentState
from bridge.crisis.parts import CrisisParts, CrisisService
from bridge.crisis.ports import Notice
from bridge.crisis.texts import bulk_reply_text, check_reply
from bridge.crisis.views import bulk_notice, pace_text
from bridge.domain.errors import TemplateRefused
from bridge.domain.lifecycle import Action, State
from bridge.domain.model import Case, Draft
from bridge.domain.work import Dispatch
from bridge.flow.posting import Outcome as Posting
from bridge.flow.posting import Poster
from bridge.flow.posting_lease import LEASE_SECONDS
from bridge.text.weighted_length import check_length

__all__ = ["KICK_SECONDS", "LOCK_SECONDS", "ONCE_TTL_SECONDS", "BulkOutcome", "BulkReplies", "Outcome"]

log = structlog.get_logger(__name__)

ONCE_TTL_SECONDS = 30 * 86_400
LOCK_SECONDS = 300  # renewed on every case, so only a job that stopped for this long loses it
KICK_SECONDS = 60
#: KEYS[1] lock; ARGV[1] token, ARGV[2] seconds: extend the lock only while we hold it.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
#: KEYS[1] lock; ARGV[1] token: delete the lock only if it is still ours.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Outcome(StrEnum):
    POSTED = "posted"
    WAIT = "wait"  # the posting limit is reached: try the same case again later
    SKIPPED = "skipped"


@dataclass(frozen=True)
class BulkOutcome:
    """What became of one case of a bulk reply."""

    kind: Outcome
    why: str = ""  # for a skip: said to leadership and kept in the incident's record
    wait_seconds: float = 0.0
    template_refused: bool = False  # the reply template cannot be filled in for this case

    @classmethod
    def posted(cls) -> BulkOutcome:
        return cls(Outcome.POSTED)

    @classmethod
    def wait(cls, seconds: float) -> BulkOutcome:
        return cls(Outcome.WAIT, wait_seconds=seconds)

    @classmethod
    def skipped(cls, why: str, *, template_refused: bool = False) -> BulkOutcome:
        return cls(Outcome.SKIPPED, why, template_refused=template_refused)


class BulkReplies(CrisisService):
    def __init__(
        self,
        parts: CrisisParts,
        poster: Poster,
        budget: PostingBudget,
        case_dispatch: Dispatch,
    ) -> None:
        super().__init__(parts)
        self.poster = poster  # posts each reply exactly once, as every answer is posted
        self.budget = budget
        self.case_dispatch = case_dispatch  # refreshes a case's card once it is answered
        self._renew = self.r.register_script(_RENEW)
        self._release = self.r.register_script(_RELEASE)

    def _key(self, incident_id: int, name: str) -> str:
        return self.incidents.records.key(incident_id, "bulk", name)

    def eligible(self, incident: Incident) -> list[Case]:
        """Every mention of the incident waiting for an answer, or set aside but asking something."""
        return reasons.choose(self._folded(incident))[0]

    def _folded(self, incident: Incident) -> list[Case]:
        cases = (self.store.get(n) for n in self.alerts.cases(incident.alert) if self.store.exists(n))
        return [c for c in cases if c.platform == incident.platform]

    def preview_notice(self, incident: Incident, version: int) -> Notice | None:
        draft = self.incidents.version(incident.id, "bulk", version)
        rules = self._playbook().crisis
        if draft is None or rules is None:
            return None
        brand = self._playbook().brand.name
        cases = self.eligible(incident)
        pace = pace_text(rules.bulk_posts_per_window, rules.bulk_window_minutes, len(cases))
        try:
            check_reply(draft.text)
            texts = [bulk_reply_text(draft.text, brand, incident, c) for c in cases[:500]]
        except TemplateRefused as exc:  # shown as written, without the Approve button
            length = check_length(draft.text)
            problem = f"This reply cannot be filled in and cannot be approved: {exc}. Edit it."
            return bulk_notice(
                incident,
                version,
                draft.text,
                draft.author,
                length.describe(),
                False,
                len(cases),
                pace,
                problem,
            )
        sample = texts[0] if texts else draft.text
        longest = max(
            (check_length(t) for t in texts), key=lambda c: c.weighted_length, default=check_length(sample)
        )
        return bulk_notice(
            incident, version, sample, draft.author, longest.describe(), longest.valid, len(cases), pace
        )

    # the queue -----------------------------------------------------------------------------------------
    def start(self, incident: Incident) -> None:
        """Start the job; it queues the cases itself (reading every case is no work for a click)."""
        self.kick(incident.id)

    def _build(self, incident: Incident) -> None:
        """Queue every unanswered case of the incident, once."""
        if not self.r.set(self._key(incident.id, "built"), "1", nx=True):
            return
        eligible, left = reasons.choose(self._folded(incident))
        queued = sum(self._queue(incident.id, c.number) for c in eligible)
        for why, count in left.items():
            self.r.hincrby(self._key(incident.id, "left"), why, count)
        self.incidents.record(incident.id, "bulk_queued", incident.bulk_approver, cases=queued)
        rules = self._playbook().crisis
        if rules is not None:
            pace = pace_text(rules.bulk_posts_per_window, rules.bulk_window_minutes, queued)
            self.dispatch.notice(incident.id, f"Answering {queued} mentions with the approved reply, {pace}.")

    def _queue(self, incident_id: int, number: int) -> bool:
        if not self.r.sadd(self._key(incident_id, "queued"), number):
            return False
        self.r.rpush(self._key(incident_id, "pending"), number)
        return True

    def enqueue_case(self, incident: Incident, number: int) -> None:
        """A new mention of a topic already being answered in bulk joins the queue."""
        if self._queue(incident.id, number):
            self.kick(incident.id)

    def kick(self, incident_id: int) -> None:
        if self.r.set(self._key(incident_id, "kick"), "1", nx=True, ex=KICK_SECONDS):
            self.dispatch.bulk_reply(incident_id)

    def pending(self, incident_id: int) -> int:
        return int(self.r.llen(self._key(incident_id, "pending")))

    def kick_stalled(self) -> list[int]:
        """Restart the queue of every replying incident whose job was lost (called by the crisis tick);
        returns the incidents kicked."""
        kicked = []
        for incident in self.incidents.open_incidents():
            if incident.state != IncidentState.BULK_REPLYING or not self.pending(incident.id):
                continue
            resume = incident.bulk_resume_at
            if (resume is None or resume <= self.clock.now()) and not self.r.exists(
                self._key(incident.id, "lock")
            ):
                self.kick(incident.id)
                kicked.append(incident.id)
        return kicked

    # the job -------------------------------------------------------------------------------------------
    def run(self, incident_id: int) -> str:
        self.r.delete(self._key(incident_id, "kick"))
        lock = self._key(incident_id, "lock")
        token = uuid.uuid4().hex
        if not self.r.set(lock, token, nx=True, ex=LOCK_SECONDS):
            return "busy"
        try:
            return self._work(incident_id, lambda: bool(self._renew(keys=[lock], args=[token, LOCK_SECONDS])))
        finally:
            self._release(keys=[lock], args=[token])  # never another run's lock

    def _work(self, incident_id: int, renew: Callable[[], bool] = lambda: True) -> str:
        rules = self._playbook().crisis
        pending = self._key(incident_id, "pending")
        first = self.incidents.get(incident_id)
        if first is not None and first.state == IncidentState.BULK_REPLYING:
            self._build(first)
        while True:
            if not renew():  # we stalled past LOCK_SECONDS and another run took over: leave it to it
                log.warning("crisis_bulk_lock_lost", incident=incident_id)
                return "lock-lost"
            incident = self.incidents.get(incident_id)
            if rules is None or incident is None or incident.state != IncidentState.BULK_REPLYING:
                return "stopped"
            raw = self.r.lindex(pending, 0)
            if raw is None:
                self._done(incident)
                return "done"
            outcome = self.reply_one(incident, int(raw))
            if outcome.kind is Outcome.WAIT:
                return self._pause(incident, outcome.wait_seconds)
            self.r.lpop(pending)
            posted = outcome.kind is Outcome.POSTED
            self.incidents.count(incident_id, "bulk_sent" if posted else "bulk_skipped")
            if not posted:
                self.incidents.record(
                    incident_id, "bulk_reply_skipped", "bridge", case=int(raw), why=outcome.why
                )
                self.r.hincrby(self._key(incident_id, "skipped_why"), reasons.skip_category(outcome.why), 1)
            if outcome.template_refused:
                self._tell_refused(incident, int(raw), outcome.why)

    def _tell_refused(self, incident: Incident, number: int, why: str) -> None:
        """Leadership hears once per approved version that its template is being refused."""
        once = f"crisis-bulk-refused:{incident.id}:{incident.bulk_approved_version}"
        if self.store.first_time(once, ONCE_TTL_SECONDS):
            text = reasons.refused_text(incident.bulk_approved_version, number, why)
            self.dispatch.notice(incident.id, text, True)

    def _pause(self, incident: Incident, wait: float) -> str:
        at = (self.clock.now() + timedelta(seconds=max(1.0, wait))).replace(microsecond=0)
        if incident.bulk_resume_at == at:
            return "waiting"  # woken early (a kick, a new mention): the job for ``at`` is already set
        self.incidents.set(incident.id, bulk_resume_at=at)
        self.dispatch.bulk_reply(incident.id, at=at)
        self.incidents.record(incident.id, "bulk_paused", "bridge", resume_at=at, sent=incident.bulk_sent)
        self.dispatch.notice(
            incident.id,
            f"Bulk replies: {incident.bulk_sent} sent, {self.pending(incident.id)} waiting for X's posting "
            f"limit; resuming at {at:%H:%M} UTC.",
        )
        return "waiting"

    def _done(self, incident: Incident) -> None:
        total = incident.bulk_sent + incident.bulk_skipped
        if self.r.getset(self._key(incident.id, "reported"), total) == str(total).encode():
            return
        self.incidents.record(
            incident.id, "bulk_done", "bridge", sent=incident.bulk_sent, skipped=incident.bulk_skipped
        )
        skipped_why, left = (
            reasons.tally(self.r.hgetall(self._key(incident.id, n))) for n in ("skipped_why", "left")
        )
        text = reasons.done_text(incident.bulk_sent, incident.bulk_skipped, skipped_why, left)
        self.dispatch.notice(incident.id, text, True)

    # one case --------------------------------------------------------------------------------------------
    def _slot(self) -> float:
        """Take a slot of the shared posting budget; 0 when granted, else the seconds to wait."""
        rules = self._playbook().crisis
        if rules is None:
            return 0.0
        return self.budget.take(rules.bulk_posts_per_window, rules.bulk_window_minutes * 60)

    def reply_one(self, incident: Incident, number: int) -> BulkOutcome:
        """Answer one case: posted, wait for the posting limit, or skipped and why. Skips are decided
        before a slot of the posting budget is taken; the slot is taken only for a case about to be
        posted."""
        case = self.store.get(number)
        approver = incident.bulk_approver
        once = f"crisis-bulk:{incident.id}:{number}"
        resumed = bool(self.r.exists(self.store.k("once", once)))
        if case.state == State.POSTED and resumed:
            return BulkOutcome.posted()
        aside = reasons.left_aside(case) and reasons.asks_something(case)
        ours = case.state in UNANSWERED or aside or (resumed and case.claimant == approver)
        if not ours:
            return BulkOutcome.skipped(case.state.value + (f" by {case.claimant}" if case.claimant else ""))
        template = self.incidents.version(incident.id, "bulk", incident.bulk_approved_version)
        if template is None:
            return BulkOutcome.skipped("no approved reply")
        try:
            text = bulk_reply_text(template.text, self._playbook().brand.name, incident, case)
        except TemplateRefused as exc:
            return BulkOutcome.skipped(f"{REFUSED_PREFIX}: {exc}", template_refused=True)
        length = check_length(text)
        if not length.valid:
            return BulkOutcome.skipped(f"too long: {length.describe()}")
        if case.state == State.POSTING:  # a job died mid-post: our reply may be out already
            return self._post(incident, case, recovering=True)
        wait = self._slot()
        if wait > 0:
            return BulkOutcome.wait(wait)
        self.store.first_time(once, ONCE_TTL_SECONDS)  # from here on the case is ours to finish
        detail = {"incident": incident.id}
        if aside and not self._bring_back(case, detail):
            return BulkOutcome.skipped("claimed meanwhile")
        refused = self._sign_off(number, approver, template.author, text, detail)
        if refused:
            return BulkOutcome.skipped(refused)
        case = self.store.get(number)
        if case.state in (State.APPROVED, State.POSTING):
            return self._post(incident, case, recovering=case.state == State.POSTING)
        return BulkOutcome.skipped(f"unexpected state {case.state.value}")

    def _sign_off(self, number: int, approver: str, author: str, text: str, detail: dict[str, int]) -> str:
        """The case's own lifecycle for the bulk reply: assigned to the approver, drafted by the
        reply's author, approved; each step guarded. Returns why it stopped, or "" when approved."""
        case = self.store.get(number)
        if case.state in UNANSWERED:
            moved = self.store.transition(
                number,
                Action.ASSIGN,
                approver,
                guards={"claimant": ""},
                values={"claimant": approver, "claimed_at": self.clock.now()},
                detail=detail,
            )
            if not moved.ok:
                return f"claimed meanwhile ({moved.state.value})"
            case = self.store.get(number)
        if case.state == State.CLAIMED:
            body = Draft(number, 0, text, author, "incident", self.clock.now()).to_json()
            self.store.transition(
                number,
                Action.DRAFT,
                author,
                guards={"claimant": approver},
                values={"approved_version": 0, "approver": None},
                counter="draft_version",
                side_value=body,
                detail=detail,
            )
            case = self.store.get(number)
        if case.state == State.DRAFTED:
            self.store.transition(
                number,
                Action.APPROVE,
                approver,
                guards={"draft_version": str(case.draft_version)},
                values={"approved_version": case.draft_version, "approver": approver},
                detail=detail,
            )
        return ""

    def _bring_back(self, case: Case, detail: dict[str, int]) -> bool:
        """A set-aside or monitored case that asks something goes back among the unanswered (one
        guarded transition); False when someone took it meanwhile."""
        back = Action.REOPEN if case.state == State.IGNORED else Action.ROUTE
        guards = {"state": case.state.value, "claimant": ""}
        return self.store.transition(case.number, back, "bridge", guards=guards, detail=detail).ok

    def _post(self, incident: Incident, case: Case, *, recovering: bool) -> BulkOutcome:
        """Through the same exactly-once attempt as every answer (:class:`Poster`): posting begins
        with the post answered and our previous answer fixed, and a case found ``posting`` is checked
        on the platform first, taking a slot of the budget only when it really has to be posted."""
        detail = {"incident": incident.id, "bulk": True, "statement": incident.statement_url}
        attempt = self.poster.attempt(case.number, detail=detail, gate=self._slot if recovering else None)
        if attempt.out:
            if case.card is not None:
                self.case_dispatch.refresh_card(case.number)
            return BulkOutcome.posted()
        if attempt.outcome in (Posting.WAITING, Posting.DEFERRED):
            return BulkOutcome.wait(attempt.wait_seconds)
        if attempt.outcome is Posting.BUSY:  # the recovery sweep is finishing it: come back to it
            return BulkOutcome.wait(LEASE_SECONDS)
        if attempt.outcome is Posting.REJECTED:
            self.store.transition(
                case.number,
                Action.UNCLAIM,
                "bridge",
                values={"claimant": None},
                detail={"incident": incident.id},
            )
            return BulkOutcome.skipped(f"refused by {case.platform}: {attempt.error}")
        return BulkOutcome.skipped(f"not posted ({attempt.outcome.value})")
