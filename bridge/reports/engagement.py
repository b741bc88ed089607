"""Engagement with our public answers: likes, replies and reposts, read back from the platform a
while after posting (``measure.engagement_hours``, 24 by default; 0 turns it off).

Every public answer schedules one read of that very post; the read records the counts on the case
(``engagement_likes``, ``engagement_replies``, ``engagement_reposts``, and ``engagement_read_at``),
so a case with several public answers ends up with the counts of its latest one: reads run in the
order the answers were posted, the delay being the same for all. A private answer (a direct message,
a Meta private reply) has no public reactions and schedules nothing.

A post that is gone (deleted by us or the platform) records nothing, and a platform that refuses
the read for good records nothing either: no count is better than a false zero. A platform that
asks us to wait, or does not answer, fails the job, which is retried on the usual policy. Once the
counts are recorded, ``on_recorded`` is told the case (the application re-archives a closed case,
so the case history sees them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import structlog

from bridge.domain.clock import Clock
from bridge.domain.errors import Rejected
from bridge.domain.model import Case
from bridge.domain.ports import Engagement, PrivateReplies
from bridge.flow.outlets import Outlets
from bridge.playbook.model import Playbook
from bridge.store.cases import Store

__all__ = ["ENGAGEMENT_FIELDS", "EngagementReads", "ScheduleRead"]

log = structlog.get_logger(__name__)

#: The case fields a read writes, for the case history and the reports.
ENGAGEMENT_FIELDS = ("engagement_likes", "engagement_replies", "engagement_reposts", "engagement_read_at")

#: ``schedule(number, post_id, at)`` queues the read of our post ``post_id`` in case ``number`` for ``at``.
ScheduleRead = Callable[[int, str, datetime], None]


class EngagementReads:
    def __init__(
        self,
        store: Store,
        playbook: Callable[[], Playbook],
        outlets: Outlets,
        clock: Clock,
        schedule: ScheduleRead,
        on_recorded: Callable[[int], object] | None = None,
    ) -> None:
        self.store = store
        self._playbook = playbook
        self.outlets = outlets
        self.clock = clock
        self.schedule = schedule
        self.on_recorded = on_recorded or (lambda _number: None)

    def plan(self, number: int, before: Case) -> datetime | None:
        """Case ``number``'s answer was just posted: queue the read of its reactions, if it was a
        public answer and the playbook measures engagement. ``before`` is the case as it was before
        posting (the post itself may move it to private messages: X's public hand-off does). Returns
        when the read is due."""
        hours = self._playbook().measure.engagement_hours
        if hours <= 0 or self._private_answer(before):
            return None
        case = self.store.get(number)
        if not case.reply_id:
            return None
        at = self.clock.now() + timedelta(hours=hours)
        self.schedule(number, case.reply_id, at)
        log.info("engagement_read_planned", case=number, post_id=case.reply_id, at=at.isoformat())
        return at

    def _private_answer(self, case: Case) -> bool:
        """Whether the answer posted for ``case`` (as it was before posting) went privately: a direct
        message, a reply to a direct mention (Mastodon, Meta's messages), or Meta's private reply that
        moves a comment to private messages."""
        if case.mode == "private" or case.visibility == "direct":
            return True
        social = self.outlets.care.get(case.platform)
        return bool(case.pending_private) and isinstance(social, PrivateReplies)

    def read(self, number: int, post_id: str) -> str:
        """Read the reactions to our post ``post_id`` and record them on case ``number``; returns what
        happened. Raises what the platform raised when a retry may help (rate limit, outage)."""
        if not self.store.exists(number):
            return "no-case"  # expired or erased meanwhile
        case = self.store.get(number)
        try:
            social = self.outlets.speaking_as(case.platform, case.reply_account).social
        except KeyError:
            log.warning("engagement_platform_off", case=number, platform=case.platform)
            return "platform-off"
        if not isinstance(social, Engagement):
            return "unsupported"
        try:
            counts = social.engagement(post_id)
        except Rejected as exc:
            log.warning("engagement_refused", case=number, post_id=post_id, error=str(exc))
            return "refused"
        if counts is None:
            log.info("engagement_post_gone", case=number, post_id=post_id)
            return "gone"
        if not self.store.exists(number):
            return "no-case"
        self.store.set_fields(
            number,
            {
                "engagement_likes": counts.likes,
                "engagement_replies": counts.replies,
                "engagement_reposts": counts.reposts,
                "engagement_read_at": self.clock.now().isoformat(),
            },
        )
        log.info(
            "engagement_read",
            case=number,
            post_id=post_id,
            likes=counts.likes,
            replies=counts.replies,
            reposts=counts.reposts,
        )
        self.on_recorded(number)
        return "recorded"
