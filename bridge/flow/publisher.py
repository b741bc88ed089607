"""Posting an approved answer to the customer, exactly once, and telling the case's thread.

The exactly-once attempt itself is :class:`~bridge.flow.posting.Poster`'s: the case enters ``posting``
before the platform is called, and an attempt on a case still ``posting`` looks for our own reply
first. This job adds what people see: notices, a retry scheduled when the platform limits us, the move
to private messages. A double-clicked Approve cannot get here twice: only one approval moves the case.
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from bridge.domain.clock import Clock
from bridge.domain.errors import AuthFailed, PlatformError, Rejected, Unavailable
from bridge.domain.lifecycle import Action
from bridge.domain.model import Case, PostRef
from bridge.domain.work import Dispatch
from bridge.flow.followups import FollowUps
from bridge.flow.outlets import Outlet, Outlets
from bridge.flow.posting import Outcome, Poster
from bridge.flow.posting_lease import PostingLeases
from bridge.store.cases import Store

__all__ = ["Publisher"]

log = structlog.get_logger(__name__)


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
        self.poster = Poster(store, outlets, clock, followups, self.leases)

    def publish(self, number: int) -> str:
        """Post the approved draft of case ``number`` and tell the thread; returns what happened, for
        logs and tests. Only one attempt per case runs at a time, wherever it was started (a retry, a
        recovery, ``/bridge retry``): see :class:`~bridge.flow.posting.Poster`."""
        try:
            attempt = self.poster.attempt(number)
        except Unavailable as exc:
            platform = self.store.get(number).platform.upper()
            self.dispatch.thread_notice(
                number,
                f"{platform} did not answer ({exc}). The bridge will check whether the answer went out "
                "and retry; it will not post twice.",
            )
            raise  # RQ retries with back-off; the retry looks for our reply first
        except AuthFailed as exc:  # said once in the thread: every retry fails the same way until fixed
            if self.store.first_time(f"auth_failed_notice:{number}"):
                platform = self.store.get(number).platform.upper()
                self.dispatch.thread_notice(
                    number,
                    f"{platform} refused our credentials: {exc}. Nothing was posted; the bridge retries.",
                )
            raise
        except PlatformError as exc:  # e.g. credentials refused: people must hear of it now
            self.dispatch.thread_notice(
                number,
                f"The answer could not be posted: {exc}. The bridge keeps retrying; if this is about "
                "credentials, the X_* settings need fixing.",
            )
            raise
        if attempt.out and attempt.ref is not None and attempt.outlet is not None:
            self._announce(
                number, attempt.ref, attempt.outlet, recovered=attempt.outcome is Outcome.RECOVERED
            )
        elif attempt.outcome is Outcome.DEFERRED and attempt.case is not None:
            self._deferred(attempt.case, attempt.wait_seconds)
        elif attempt.outcome is Outcome.REJECTED and isinstance(attempt.error, Rejected):
            self._rejected(number, attempt.error)
        elif attempt.outcome is Outcome.NOTHING_TO_DO and attempt.case is not None:
            return f"nothing-to-do ({attempt.case.state.value})"
        return attempt.outcome.value

    def _deferred(self, case: Case, wait_seconds: float) -> None:
        """Try again when the platform allows."""
        at = datetime.fromtimestamp(self.clock.now().timestamp() + wait_seconds, UTC)
        self.dispatch.publish(case.number, at=at)
        self.dispatch.thread_notice(
            case.number,
            f"{case.platform.upper()} is limiting our posts; the answer will be posted at "
            f"{at:%H:%M:%S} UTC. Nothing to do.",
        )

    def _rejected(self, number: int, exc: Rejected) -> None:
        case = self.store.get(number)
        hint = " It is identical to an earlier post: change the wording." if exc.duplicate else ""
        self.dispatch.thread_notice(
            number,
            f"{case.platform.upper()} refused the answer: {str(exc).rstrip('.')}.{hint} "
            f"Reply in this thread with a new draft, then ask for sign-off again.",
        )
        self.dispatch.refresh_card(number)

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

    def _announce(self, number: int, ref: PostRef, outlet: Outlet, *, recovered: bool) -> None:
        """The answer is out and recorded: say so in the thread, and finish a move to private."""
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
