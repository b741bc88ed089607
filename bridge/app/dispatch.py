"""Outbound work as RQ jobs: the web tier records and enqueues, workers call the platforms.

Implements :class:`bridge.domain.work.Dispatch` with the job bodies of :mod:`bridge.app.jobs`.

Two queues, taken in order by every worker (:attr:`Dispatcher.queues`): the case queue, for the work
that moves cases and their cards, and the tell queue, for what one person is told privately (mostly
refusals). A worker takes a tell only when no case work waits, so a barrage of refused clicks cannot
hold up a Claim; and the same words to the same person are queued once per
:data:`TELL_COALESCE_SECONDS`, so such a barrage cannot fill the tell queue either.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import redis
import structlog
from rq import Queue

from bridge.app import jobs
from bridge.app.enqueue import enqueue
from bridge.store.timers import CaseTimers

__all__ = [
    "TELL_COALESCE_SECONDS",
    "TELL_QUEUE_SUFFIX",
    "TELL_RETRY_INTERVALS_SECONDS",
    "Dispatcher",
    "tell_queue",
]

log = structlog.get_logger(__name__)
TELL_QUEUE_SUFFIX = "-tells"
#: The same words to the same person in the same place are queued at most once in this window.
TELL_COALESCE_SECONDS = 10
#: A private note is worth little when late: two quick retries, not the half hour case work gets.
TELL_RETRY_INTERVALS_SECONDS = [5, 30]


def tell_queue(queue: Queue) -> Queue:
    """The tell queue beside the case queue ``queue``."""
    return Queue(queue.name + TELL_QUEUE_SUFFIX, connection=queue.connection)


class Dispatcher:
    """Queues the job that does what the core asked for."""

    def __init__(self, queue: Queue, timers: CaseTimers | None = None) -> None:
        self.queue = queue
        self.tells = tell_queue(queue)
        self.timers = timers

    @property
    def queues(self) -> list[Queue]:
        """What a worker listens to, in the order it takes work: case work first, then tells."""
        return [self.queue, self.tells]

    def post_card(self, number: int) -> None:
        enqueue(self.queue, jobs.post_card, number)

    def refresh_card(self, number: int) -> None:
        enqueue(self.queue, jobs.refresh_card, number)

    def post_preview(self, number: int, version: int) -> None:
        enqueue(self.queue, jobs.post_preview, number, version)

    def thread_notice(self, number: int, text: str, quote: str = "") -> None:
        enqueue(self.queue, jobs.thread_notice, number, text, quote)

    def tell(self, chat: str, channel: str, user: str, text: str) -> None:
        """Tell one person, on the tell queue; words already on their way to them are not queued again."""
        words = "\x1f".join((chat, channel, user, text)).encode("utf-8", errors="replace")
        key = f"rq:tell-pending:{self.tells.name}:{hashlib.sha256(words).hexdigest()[:32]}"
        if not self.queue.connection.set(key, 1, nx=True, ex=TELL_COALESCE_SECONDS):
            log.info("tell_coalesced", chat=chat, user=user)
            return
        enqueue(
            self.tells, jobs.tell, chat, channel, user, text, retry_intervals=TELL_RETRY_INTERVALS_SECONDS
        )

    def social_action(self, action: str, target: str, by: str, chat: str = "", channel: str = "") -> None:
        enqueue(self.queue, jobs.social_action, action, target, by, chat, channel)

    def sla_check(self, number: int, kind: str, at: datetime) -> None:
        """A timer in one sorted set (:mod:`bridge.store.timers`), fired by the workers' liveness pass;
        without one, a scheduled job as before."""
        if self.timers is not None:
            self.timers.set(number, kind, at)
        else:
            enqueue(self.queue, jobs.sla_check, number, kind, at=at)

    def out_of_hours_ack(self, number: int) -> None:
        enqueue(self.queue, jobs.out_of_hours_ack, number)

    def publish(self, number: int, at: datetime | None = None) -> None:
        enqueue(self.queue, jobs.publish, number, at=at, on_failure=jobs.publish_gave_up)

    def set_aside_digest(self, at: datetime) -> None:
        enqueue(self.queue, jobs.set_aside_digest, at=at)

    def archive_case(self, number: int, at: datetime | None = None) -> None:
        """Write a case that just closed into the case history (at ``at``, when given). Never fails
        the transition that closed it: the case is also noted in Redis, and the hourly sweep archives
        what was missed."""
        try:
            enqueue(self.queue, jobs.archive_case, number, at=at)
        except redis.RedisError as exc:
            log.warning("archive_not_queued", case=number, error=str(exc))

    def report_digest(self, kind: str, at: datetime) -> None:
        """The scheduled KPI digest ``kind`` (daily, weekly), due at ``at``."""
        enqueue(
            self.queue,
            jobs.report_digest,
            kind,
            at=at,
            job_id=f"{self.queue.name}-report-{kind}-{at:%Y%m%d%H%M}",
        )

    def survey(self, number: int, kind: str, at: datetime | None = None) -> None:
        """Ask case ``number``'s customer survey question ``kind`` at ``at`` (now when None)."""
        enqueue(self.queue, jobs.send_survey, number, kind, at=at)

    def read_engagement(self, number: int, post_id: str, at: datetime) -> None:
        """Read the likes, replies and reposts of our answer ``post_id`` in case ``number`` at ``at``."""
        enqueue(self.queue, jobs.read_engagement, number, post_id, at=at)
