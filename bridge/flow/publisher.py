"""Posting an approved answer to the customer, exactly once.

The case enters ``posting`` before the platform is called. If a worker dies after the post but before
the record, the retried job finds the case still ``posting`` and looks for our own reply before posting
again. A double-clicked Approve cannot get here twice: only one approval moves the case.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import structlog

from bridge.domain.clock import Clock
from bridge.domain.errors import PlatformError, RateLimited, Rejected, Unavailable
from bridge.domain.lifecycle import Action, State
from bridge.domain.model import Case, PostRef
from bridge.domain.ports import SocialPlatform
from bridge.domain.work import Dispatch
from bridge.flow.followups import FollowUps
from bridge.flow.outlets import Outlet, Outlets
from bridge.flow.posting_lease import PostingLeases
from bridge.store.cases import Store

__all__ = ["Publisher", "record_posted"]

log = structlog.get_logger(__name__)


def _private(case: Case) -> bool:
    return case.mode == "private"


def _target(case: Case) -> str:
    """The customer post this attempt answers (fixed when posting began)."""
    return case.posting_to or case.reply_to or case.post_id


def record_posted(
    store: Store,
    followups: FollowUps,
    case: Case,
    ref: PostRef,
    at: datetime,
    detail: Mapping[str, object],
) -> None:
    """A case's answer is out: index it for follow-ups and move the case to ``posted``. Shared by
    single answers and crisis bulk replies, so both leave the same record."""
    followups.remember_reply(case.number, case.platform, ref.id)
    store.transition(
        case.number,
        Action.POSTED,
        "bridge",
        values={"reply_id": ref.id, "reply_url": ref.url, "posted_at": at, "last_error": ""},
        detail={"reply_id": ref.id, **detail},
    )


class Publisher:
    def __init__(
        self,
        store: Store,
        outlets: Outlets,
        dispatch: Dispatch,
        clock: Clock,
        followups: FollowUps,
        leases: PostingLeases | None = None,
    ) -> None:
        self.store = store
        self.outlets = outlets
        self.dispatch = dispatch
        self.clock = clock
        self.followups = followups  # indexes our replies, so the customer's next post joins the case
        self.leases = leases or PostingLeases(store)  # one attempt at a time; finds orphaned posts

    def publish(self, number: int) -> str:
        """Post the approved draft of case ``number``; returns what happened, for logs and tests.

        Only one attempt per case runs at a time, wherever it was started (a retry, a recovery,
        ``/bridge retry``): two attempts could both find no reply on the platform and both post.
        """
        with self.leases.hold(number) as ours:
            if not ours:
                log.info("publish_in_progress_elsewhere", case=number)
                return "in-progress"
            return self._attempt(number)

    def _attempt(self, number: int) -> str:
        case = self.store.get(number)
        if case.state not in (State.APPROVED, State.POSTING):
            return f"nothing-to-do ({case.state.value})"
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
                return "not-approved"
            case = self.store.get(number)

        draft = self.store.draft(number, case.approved_version)
        if draft is None:  # cannot happen through the desk; refuse loudly rather than post nothing
            raise RuntimeError(f"case #{number} approved v{case.approved_version} has no stored draft")
        # private messages stay with the care handle, where the customer's messages arrive
        outlet = self.outlets.speaking_as(case.platform, "" if _private(case) else case.reply_account)
        try:
            found = self._already_out(case, outlet.social, draft.text) if retrying else None
            if found is not None:
                self._posted(number, found, outlet, recovered=True)
                return "recovered"
            ref = self._send(case, outlet.social, draft.text)
        except RateLimited as exc:
            return self._deferred(case, exc, check_first=retrying)
        except Rejected as exc:
            found = self._already_out(case, outlet.social, draft.text) if exc.duplicate else None
            if found is not None:  # "duplicate" because our earlier, unconfirmed attempt went out
                self._posted(number, found, outlet, recovered=True)
                return "recovered"
            return self._rejected(case, exc)
        except Unavailable as exc:
            self._failed(
                number,
                "post_unknown",
                exc,
                f"{case.platform.upper()} did not answer ({exc}). The bridge will check whether "
                "the answer went out and retry; it will not post twice.",
            )
            raise  # RQ retries with back-off; the retry looks for our reply first
        except PlatformError as exc:  # e.g. credentials refused: people must hear of it now
            self._failed(
                number,
                "post_failed",
                exc,
                f"The answer could not be posted: {exc}. The bridge keeps retrying; if this is about "
                "credentials, the X_* settings need fixing.",
            )
            raise
        self._posted(number, ref, outlet, recovered=False)
        return "posted"

    @staticmethod
    def _already_out(case: Case, social: SocialPlatform, text: str) -> PostRef | None:
        """This attempt's answer if it went out although we never heard so (not an earlier round's)."""
        if _private(case):
            return social.find_direct_message(case.author_id, text, newer_than=case.posting_after)
        return social.find_reply(_target(case), newer_than=case.posting_after)

    @staticmethod
    def _send(case: Case, social: SocialPlatform, text: str) -> PostRef:
        if _private(case):
            return social.send_direct_message(case.author_id, text)
        return social.reply(_target(case), text)

    def _failed(self, number: int, event: str, exc: Exception, notice: str) -> None:
        """Record a failed attempt that RQ will retry, and say so in the thread."""
        self.store.set_fields(number, {"last_error": str(exc)})
        self.store.record(number, event, "bridge", error=str(exc))
        self.dispatch.thread_notice(number, notice)

    def _deferred(self, case: Case, exc: RateLimited, *, check_first: bool) -> str:
        """Try again when the platform allows. After an unknown outcome the case stays ``posting``,
        so the next attempt still looks for the answer before posting it."""
        number = case.number
        if check_first:
            self.store.record(number, "post_check_deferred", "bridge", error=str(exc))
        else:
            self.store.transition(number, Action.POST_DEFERRED, "bridge", detail={"error": str(exc)})
        at = datetime.fromtimestamp(max(exc.retry_at, self.clock.now().timestamp() + 1), UTC)
        self.dispatch.publish(number, at=at)
        self.dispatch.thread_notice(
            number,
            f"{case.platform.upper()} is limiting our posts; the answer will be posted at "
            f"{at:%H:%M:%S} UTC. Nothing to do.",
        )
        return "deferred"

    def _rejected(self, case: Case, exc: Rejected) -> str:
        number = case.number
        self.store.transition(
            number,
            Action.POST_REJECTED,
            "bridge",
            values={"last_error": str(exc)},
            detail={"error": str(exc)},
        )
        hint = " It is identical to an earlier post: change the wording." if exc.duplicate else ""
        self.dispatch.thread_notice(
            number,
            f"{case.platform.upper()} refused the answer: {str(exc).rstrip('.')}.{hint} "
            f"Reply in this thread with a new draft, then ask for sign-off again.",
        )
        self.dispatch.refresh_card(number)
        return "rejected"

    def gave_up(self, number: int, error: str) -> None:
        """Every retry failed: nothing is lost, but a person must decide when to try again."""
        case = self.store.get(number)
        self.leases.unmark(number)  # a person decides now: the recovery sweep must not retry it
        self.store.record(number, "post_gave_up", "bridge", error=error)
        self.dispatch.thread_notice(
            number,
            f"The bridge gave up posting the answer to {case.ref} for now "
            f"({error or 'no answer from the platform'}). The approved draft is kept; "
            f"`/bridge retry {number}` checks whether it went out and posts it if not.",
        )

    def _posted(self, number: int, ref: PostRef, outlet: Outlet, *, recovered: bool) -> None:
        detail = {
            "recovered": recovered,
            "posted_from": outlet.handle,
            **({"note": outlet.note} if outlet.note else {}),
        }
        record_posted(self.store, self.followups, self.store.get(number), ref, self.clock.now(), detail)
        self.leases.unmark(number)
        case = self.store.get(number)
        if case.mode == "private":
            self.dispatch.thread_notice(number, f"Sent to @{case.author_handle} as a private message.")
        else:
            account = f" from @{outlet.handle}" if outlet.handle else ""
            caveat = f" ({outlet.note})" if outlet.note else ""
            self.dispatch.thread_notice(number, f"Posted{account}: {ref.url}{caveat}")
        moved = case.pending_private and self.store.transition(
            number,
            Action.GO_PRIVATE,
            "bridge",
            # a `/bridge public` typed since we read the case has the last word: no move behind its back
            guards={"pending_private": case.pending_private},
            values={"mode": "private", "pending_private": None},
        )
        if moved and moved.ok:
            self.dispatch.thread_notice(
                number,
                f"{case.ref} moved to private messages: @{case.author_handle}'s direct messages will "
                f"appear in this thread. Reply here to answer privately; `/bridge public {case.number}` "
                "brings it back.",
            )
        self.dispatch.refresh_card(number)
        log.info("reply_posted", case=number, reply_id=ref.id, recovered=recovered)
