"""One attempt at posting a case's approved answer, exactly once: the part every poster shares.

The case enters ``posting`` before the platform is called, with the post it answers and our previous
answer fixed for this attempt and its retries. An attempt on a case already in ``posting`` (a retry
after an unknown outcome, a recovery after a crash, a resumed bulk run) first looks on the platform for
our own answer newer than that previous one, and posts only when it is not there. One attempt per case
runs at a time (a lease), so two of them cannot both find nothing and both post.

What happens after an outcome (a notice in the thread, a scheduled retry, pausing a crisis bulk run)
is the caller's: the single-answer :class:`~bridge.flow.publisher.Publisher` and the crisis bulk
replies both post through here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import structlog

from bridge.domain.clock import Clock
from bridge.domain.errors import PlatformError, RateLimited, Rejected, Unavailable
from bridge.domain.lifecycle import Action, State
from bridge.domain.model import Case, PostRef
from bridge.domain.ports import PrivateReplies, SocialPlatform
from bridge.flow.followups import FollowUps
from bridge.flow.outlets import Outlet, Outlets
from bridge.flow.posting_lease import PostingLeases
from bridge.store.cases import Store

__all__ = ["Attempt", "Outcome", "Poster", "record_posted"]

log = structlog.get_logger(__name__)


class Outcome(StrEnum):
    POSTED = "posted"
    RECOVERED = "recovered"  # it had gone out although we never heard so: not posted again
    DEFERRED = "deferred"  # the platform asked us to wait; the case is left as the next attempt needs it
    REJECTED = "rejected"  # refused for good; the case has left ``posting``
    WAITING = "waiting"  # the caller's gate said wait; nothing was sent
    BUSY = "in-progress"  # another attempt holds the case
    NOT_APPROVED = "not-approved"  # the approval changed before posting began
    NOTHING_TO_DO = "nothing-to-do"  # neither approved nor posting


@dataclass(frozen=True)
class Attempt:
    """What one attempt did. ``error`` is the platform's answer for DEFERRED and REJECTED."""

    outcome: Outcome
    case: Case | None = None
    ref: PostRef | None = None
    outlet: Outlet | None = None
    error: PlatformError | None = None
    wait_seconds: float = 0.0
    checked_first: bool = False  # the case was already posting: the platform was checked first

    @property
    def out(self) -> bool:
        return self.outcome in (Outcome.POSTED, Outcome.RECOVERED)


def record_posted(
    store: Store,
    followups: FollowUps,
    case: Case,
    ref: PostRef,
    at: datetime,
    detail: Mapping[str, object],
) -> None:
    """A case's answer is out: index it for follow-ups and move the case to ``posted``."""
    followups.remember_reply(case.number, case.platform, ref.id)
    store.transition(
        case.number,
        Action.POSTED,
        "bridge",
        values={"reply_id": ref.id, "reply_url": ref.url, "posted_at": at, "last_error": ""},
        detail={"reply_id": ref.id, **detail},
    )


def _private(case: Case) -> bool:
    return case.mode == "private"


def _moving_private(case: Case) -> bool:
    """The move to private messages: on a platform that answers a comment privately (Meta, a
    :class:`PrivateReplies`) the signed-off answer is that private reply itself."""
    return bool(case.pending_private) and case.mode != "private"


def _target(case: Case) -> str:
    """The customer post this attempt answers (fixed when posting began)."""
    return case.posting_to or case.reply_to or case.post_id


class Poster:
    def __init__(
        self, store: Store, outlets: Outlets, clock: Clock, followups: FollowUps, leases: PostingLeases
    ) -> None:
        self.store = store
        self.outlets = outlets
        self.clock = clock
        self.followups = followups
        self.leases = leases

    def attempt(
        self,
        number: int,
        *,
        detail: Mapping[str, object] | None = None,
        gate: Callable[[], float] | None = None,
    ) -> Attempt:
        """Post case ``number``'s approved draft once. ``gate`` (a posting budget) is asked just
        before a real post and returns the seconds to wait, 0 to go on; ``detail`` joins the audit
        entry of the post. A server error or a lost connection is recorded and raised: the outcome
        is unknown, and the next attempt looks for the answer first."""
        with self.leases.hold(number) as ours:
            if not ours:
                log.info("publish_in_progress_elsewhere", case=number)
                return Attempt(Outcome.BUSY)
            return self._attempt(number, dict(detail or {}), gate)

    def _attempt(self, number: int, detail: dict[str, object], gate: Callable[[], float] | None) -> Attempt:
        case = self.store.get(number)
        if case.state not in (State.APPROVED, State.POSTING):
            return Attempt(Outcome.NOTHING_TO_DO, case)
        self.leases.mark(number)  # before the transition: a crash between leaves a findable trace
        retrying = case.state == State.POSTING
        if not retrying:
            began = self.store.transition(
                number,
                Action.BEGIN_POSTING,
                "bridge",
                guards={"draft_version": str(case.approved_version)},
                # fixed for this attempt and its retries: a follow-up arriving meanwhile must not
                # redirect the answer, and an answer of an earlier round must not pass for this one
                values={"posting_to": case.reply_to or case.post_id, "posting_after": case.reply_id},
            )
            if not began.ok:
                return Attempt(Outcome.NOT_APPROVED, case)
            case = self.store.get(number)
        draft = self.store.draft(number, case.approved_version)
        if draft is None:  # cannot happen through the desk; refuse loudly rather than post nothing
            raise RuntimeError(f"case #{number} approved v{case.approved_version} has no stored draft")
        # private messages stay with the care handle, where the customer's messages arrive
        outlet = self.outlets.speaking_as(case.platform, "" if _private(case) else case.reply_account)
        try:
            found = self._already_out(case, outlet.social, draft.text) if retrying else None
            if found is not None:
                return self._posted(case, found, outlet, detail, recovered=True)
            wait = gate() if gate is not None else 0.0
            if wait > 0:
                return Attempt(Outcome.WAITING, case, wait_seconds=wait, checked_first=retrying)
            ref = self._send(case, outlet.social, draft.text)
        except RateLimited as exc:
            return self._deferred(case, exc, checked_first=retrying)
        except Rejected as exc:
            found = self._already_out(case, outlet.social, draft.text) if exc.duplicate else None
            if found is not None:  # "duplicate" because our earlier, unconfirmed attempt went out
                return self._posted(case, found, outlet, detail, recovered=True)
            return self._rejected(case, exc)
        except Unavailable as exc:
            self._failed(number, "post_unknown", exc)
            raise
        except PlatformError as exc:
            self._failed(number, "post_failed", exc)
            raise
        return self._posted(case, ref, outlet, detail, recovered=False)

    @staticmethod
    def _already_out(case: Case, social: SocialPlatform, text: str) -> PostRef | None:
        """This attempt's answer if it went out although we never heard so (not an earlier round's)."""
        if isinstance(social, PrivateReplies) and _moving_private(case):
            return social.find_private_reply(_target(case))
        if _private(case):
            return social.find_direct_message(case.author_id, text, newer_than=case.posting_after)
        return social.find_reply(_target(case), newer_than=case.posting_after)

    @staticmethod
    def _send(case: Case, social: SocialPlatform, text: str) -> PostRef:
        if isinstance(social, PrivateReplies) and _moving_private(case):
            return social.private_reply(_target(case), text)
        if _private(case):
            return social.send_direct_message(case.author_id, text)
        return social.reply(_target(case), text)

    def _posted(
        self, case: Case, ref: PostRef, outlet: Outlet, detail: dict[str, object], *, recovered: bool
    ) -> Attempt:
        detail = {
            **detail,
            "recovered": recovered,
            "posted_from": outlet.handle,
            **({"note": outlet.note} if outlet.note else {}),
        }
        record_posted(self.store, self.followups, case, ref, self.clock.now(), detail)
        self.leases.unmark(case.number)
        outcome = Outcome.RECOVERED if recovered else Outcome.POSTED
        return Attempt(outcome, self.store.get(case.number), ref, outlet)

    def _deferred(self, case: Case, exc: RateLimited, *, checked_first: bool) -> Attempt:
        """After an unknown outcome the case stays ``posting``, so the next attempt still looks for
        the answer before posting it; otherwise it goes back to ``approved``."""
        if checked_first:
            self.store.record(case.number, "post_check_deferred", "bridge", error=str(exc))
        else:
            self.store.transition(case.number, Action.POST_DEFERRED, "bridge", detail={"error": str(exc)})
        wait = max(1.0, exc.retry_at - self.clock.now().timestamp())
        return Attempt(Outcome.DEFERRED, case, error=exc, wait_seconds=wait, checked_first=checked_first)

    def _rejected(self, case: Case, exc: Rejected) -> Attempt:
        self.store.transition(
            case.number,
            Action.POST_REJECTED,
            "bridge",
            values={"last_error": str(exc)},
            detail={"error": str(exc)},
        )
        self.leases.unmark(case.number)
        return Attempt(Outcome.REJECTED, case, error=exc)

    def _failed(self, number: int, event: str, exc: Exception) -> None:
        """A failed attempt that will be retried: on the case and in its audit."""
        self.store.set_fields(number, {"last_error": str(exc)})
        self.store.record(number, event, "bridge", error=str(exc))
