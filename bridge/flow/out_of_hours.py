"""The out-of-hours acknowledgement: telling a customer, while the desk is closed, when it is back.

Posted by a job, at most once per case: the idempotency record is taken before the platform is called,
so a worker that dies mid-post or a platform that does not answer never leads to a second
acknowledgement (a customer told twice is worse than once too few). Only a refusal that certainly
posted nothing (a rate limit) gives the record back so the retry can try again. Each outcome is in the
audit and the card's thread; the case still waits for its real answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import structlog

from bridge.domain.clock import Clock
from bridge.domain.errors import RateLimited, Rejected, Unavailable
from bridge.domain.lifecycle import State
from bridge.domain.ports import SocialPlatform
from bridge.domain.work import Dispatch
from bridge.flow.followups import FollowUps
from bridge.playbook.model import Playbook
from bridge.playbook.templates import case_context, render
from bridge.store.cases import Store
from bridge.text.answer_length import answer_length

__all__ = ["ACK_ONCE_SECONDS", "WAITING", "OutOfHoursReplies", "ack_key"]

log = structlog.get_logger(__name__)

#: How long "this case was acknowledged" is remembered: far longer than any case stays out of hours.
ACK_ONCE_SECONDS = 90 * 86_400
WAITING = frozenset({State.ROUTED, State.REOPENED})


def ack_key(number: int) -> str:
    return f"out-of-hours-ack:{number}"


class OutOfHoursReplies:
    def __init__(
        self,
        store: Store,
        playbook: Callable[[], Playbook],
        socials: Mapping[str, SocialPlatform],
        dispatch: Dispatch,
        clock: Clock,
        followups: FollowUps,
    ) -> None:
        self.store = store
        self._playbook = playbook
        self.socials = socials
        self.dispatch = dispatch
        self.clock = clock
        self.followups = followups  # a reply to the acknowledgement joins the case

    def acknowledge(self, number: int) -> str:
        """Post the playbook's out-of-hours template to case ``number``; returns what happened."""
        case = self.store.get(number)
        playbook = self._playbook()
        now = self.clock.now()
        if case.state not in WAITING:
            return f"not waiting ({case.state.value})"  # someone is already on it
        if not playbook.out_of_hours.enabled_for(case.platform):
            return "switched off"
        if playbook.hours is None or playbook.hours.is_open(now):
            return "open now"
        social = self.socials.get(case.platform)
        if social is None:
            return f"no {case.platform} connection"
        template = playbook.templates.named(case.platform)[playbook.out_of_hours.template]
        text = render(template, case_context(case, playbook.brand.name, playbook.hours, now)).strip()
        length = answer_length(case, text)
        if not length.valid:
            self.store.record(number, "out_of_hours_ack_skipped", "bridge", reason=length.describe())
            return "too long"
        if not self.store.first_time(ack_key(number), ACK_ONCE_SECONDS):
            return "already acknowledged"
        try:
            ref = social.reply(case.reply_to or case.post_id, text)
        except RateLimited:
            self.store.r.delete(self.store.k("once", ack_key(number)))  # nothing was posted: retry later
            raise
        except Rejected as exc:
            self.store.record(number, "out_of_hours_ack_refused", "bridge", error=str(exc))
            return "refused"
        except Unavailable as exc:  # it may have gone out: at most once means not trying again
            self.store.record(number, "out_of_hours_ack_unknown", "bridge", error=str(exc))
            return "unknown"
        self.followups.remember_reply(number, case.platform, ref.id)
        self.store.record(
            number, "out_of_hours_ack", "bridge", reply_id=ref.id, reply_url=ref.url, text=text[:2000]
        )
        self.dispatch.thread_notice(
            number,
            f"Out of hours: the bridge told @{case.author_handle} when the desk is back ({ref.url}). "
            f"{case.ref} still needs its answer.",
            quote=text,
        )
        log.info("out_of_hours_ack_posted", case=number, reply_id=ref.id)
        return "posted"
