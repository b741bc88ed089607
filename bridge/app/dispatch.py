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
import math
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
import structlog
from rq import Queue

from bridge.app import jobs
from bridge.app.enqueue import enqueue
from bridge.domain.clock import Clock
from bridge.store.refresh_inbox import RefreshInbox
from bridge.store.timers import CaseTimers

__all__ = [
    "CARD_BATCH",
    "CARD_BATCH_SPREAD",
    "CARD_TIMER_SECONDS",
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
#: At most this many first cards in one ``post_cards`` job: RQ's own bookkeeping (some sixty Redis
#: commands and a few milliseconds per job) is then paid once for them all.
CARD_BATCH = jobs.CARDS_PER_JOB
#: A batch is split into at least this many jobs (when it has as many cards), so a small burst still
#: spreads over the workers instead of queueing behind one of them.
CARD_BATCH_SPREAD = 4
#: A batched card is also a timer (:mod:`bridge.store.timers`, kind ``card``) due this many seconds
#: on: if the process dies before its job is queued, or the job is lost, the workers post it then.
CARD_TIMER_SECONDS = 60


def tell_queue(queue: Queue) -> Queue:
    """The tell queue beside the case queue ``queue``."""
    return Queue(queue.name + TELL_QUEUE_SUFFIX, connection=queue.connection)


class Dispatcher:
    """Queues the job that does what the core asked for."""

    def __init__(
        self,
        queue: Queue,
        timers: CaseTimers | None = None,
        clock: Clock | None = None,
        refreshes: RefreshInbox | None = None,
    ) -> None:
        """``clock`` is the bridge's (the card timers' time), the wall clock without one;
        ``refreshes``: card redraws are gathered there for one job to do many (a job each without)."""
        self.queue = queue
        self.clock = clock
        self.refreshes = refreshes
        self.tells = tell_queue(queue)
        self.timers = timers
        self._cards: list[int] | None = None  # first cards held back while a batch is open
        self._after_cards: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []  # work on their threads
        self._batch_depth = 0
        self._lock = threading.Lock()

    @property
    def queues(self) -> list[Queue]:
        """What a worker listens to, in the order it takes work: case work first, then tells."""
        return [self.queue, self.tells]

    def post_card(self, number: int) -> None:
        """One job per card, or (inside :meth:`batched_cards`) one job for several cards."""
        with self._lock:
            batch = self._cards
            if batch is not None:
                batch.append(number)
        if batch is None or self.timers is None:
            enqueue(self.queue, jobs.post_card, number)
            return
        now = self.clock.now() if self.clock is not None else datetime.now(tz=UTC)
        self.timers.set(number, "card", now + timedelta(seconds=CARD_TIMER_SECONDS))  # the safety net
        # a full batch goes at once: the page's first cards need not wait for its last. Queued under
        # the lock: until its job is queued a card is still held, and work on its thread (another
        # ingest thread's follow-up note) must wait behind it, not run first and wait out a retry
        with self._lock:
            if self._cards is not None and len(self._cards) >= CARD_BATCH:
                full = self._cards[:CARD_BATCH]
                enqueue(self.queue, jobs.post_cards, full)
                del self._cards[:CARD_BATCH]
                self.timers.forget(full, "card")  # RQ keeps them now

    @contextmanager
    def batched_cards(self) -> Iterator[None]:
        """Within this block (a poll's page of mentions), cards asked for are queued together:
        :data:`CARD_BATCH` to a ``post_cards`` job as soon as that many wait, the rest when the block
        ends (split over at least :data:`CARD_BATCH_SPREAD` jobs). Each is also a ``card`` timer
        until its job is queued, so a process killed inside the block loses no card: the workers post
        it when its timer comes due. What would write in the thread of a card held back waits behind
        it (a crash loses such a note, not the case). Only with timers: without them each card is its
        own job, as outside the block."""
        if self.timers is None:
            yield
            return
        with self._lock:
            self._batch_depth += 1
            if self._cards is None:
                self._cards = []
        try:
            yield
        finally:
            with self._lock:
                self._batch_depth -= 1
                numbers: list[int] = []
                after: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
                if self._batch_depth == 0:
                    numbers, self._cards = self._cards or [], None
                    after, self._after_cards = self._after_cards, []
            self._queue_cards(numbers)
            for func, args in after:  # queued behind the cards whose threads they write in
                enqueue(self.queue, func, *args)

    def _behind_held_card(self, func: Callable[..., Any], number: int, *args: Any) -> bool:
        """Keep ``func(number, *args)`` until the batch's cards are queued, when it writes in the
        thread of a card held back (a customer's second post in the same page): queued now, it would
        run before that card and wait out a retry. True when kept."""
        with self._lock:
            if self._cards is None or number not in self._cards:
                return False
            self._after_cards.append((func, (number, *args)))
            return True

    def _queue_cards(self, numbers: list[int]) -> None:
        """Queue the held-back cards; once their jobs are queued, RQ keeps them (a job cut off by a
        crash runs again), so the safety-net timers go."""
        if not numbers or self.timers is None:
            return
        jobs_wanted = max(math.ceil(len(numbers) / CARD_BATCH), min(len(numbers), CARD_BATCH_SPREAD))
        size = math.ceil(len(numbers) / jobs_wanted)
        for start in range(0, len(numbers), size):
            chunk = numbers[start : start + size]
            if len(chunk) == 1:
                enqueue(self.queue, jobs.post_card, chunk[0])
            else:
                enqueue(self.queue, jobs.post_cards, chunk)
        self.timers.forget(numbers, "card")

    def refresh_card(self, number: int) -> None:
        if self._behind_held_card(jobs.refresh_card, number):
            return
        if self.refreshes is None:
            enqueue(self.queue, jobs.refresh_card, number)
        elif self.refreshes.add(number):  # no redrawing job queued yet
            enqueue(self.queue, jobs.refresh_cards)

    def post_preview(self, number: int, version: int) -> None:
        if not self._behind_held_card(jobs.post_preview, number, version):
            enqueue(self.queue, jobs.post_preview, number, version)

    def thread_notice(self, number: int, text: str, quote: str = "") -> None:
        if not self._behind_held_card(jobs.thread_notice, number, text, quote):
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

    def sla_checks(self, number: int, due: Mapping[str, datetime]) -> None:
        """Several timers of one case in one command."""
        if self.timers is not None:
            self.timers.set_many(number, due)
        else:
            for kind, at in due.items():
                self.sla_check(number, kind, at)

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
