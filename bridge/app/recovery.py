"""Finishing answers a crash left in ``posting``, within seconds and without a person.

A worker killed mid-post leaves its case in ``posting`` and its job in RQ's started registry, which
RQ declares abandoned only after the job's heartbeat lapses and its next maintenance pass (about a
quarter of an hour in practice). The workers run this sweep every few seconds instead: a case the
publisher marked as posting, with no live attempt (its lease lapsed) and no publish job waiting for
it (queued, or scheduled by a retry or a rate limit), gets a new ``publish`` job. That job goes the
publisher's usual way for a case in ``posting``: it looks for our own reply on the platform first,
so the answer goes out once, never twice.
"""

from __future__ import annotations

import structlog
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from bridge.app import jobs
from bridge.app.runtime import Runtime
from bridge.domain.errors import UnknownCase
from bridge.domain.lifecycle import State
from bridge.domain.work import Dispatch
from bridge.flow.posting_lease import LEASE_SECONDS, PostingLeases
from bridge.store.cases import Store

__all__ = ["PostingRecovery", "recovery_for"]

log = structlog.get_logger(__name__)

PUBLISH_JOB = f"{jobs.publish.__module__}.{jobs.publish.__qualname__}"
RECOVERY_CLAIM_SECONDS = LEASE_SECONDS
"""One sweeper recovers a case; the others leave it alone until its new job has had time to start."""


class PostingRecovery:
    """The sweep: cheap when nothing is posting (one ``SMEMBERS``), thorough when something is."""

    def __init__(self, store: Store, queue: Queue, dispatch: Dispatch, leases: PostingLeases) -> None:
        self.store = store
        self.queue = queue
        self.dispatch = dispatch
        self.leases = leases

    def sweep(self) -> list[int]:
        """Queue a publish for every orphaned post; returns the case numbers recovered."""
        marked = self.leases.marked()
        if not marked:
            return []
        posting = [number for number in marked if self._still_posting(number)]
        held = self.leases.held(posting) if posting else {}
        orphans = [number for number in posting if not held[number]]
        if not orphans:
            return []
        waiting = self._publish_jobs_waiting(set(orphans))
        recovered = []
        for number in orphans:
            if number in waiting or not self._claim(number):
                continue
            self.store.record(number, "post_recovery", "bridge")
            self.dispatch.publish(number)
            log.warning("posting_recovered", case=number)
            recovered.append(number)
        return recovered

    def _still_posting(self, number: int) -> bool:
        """Tidy the index on the way: a case no longer posting leaves it."""
        try:
            posting = self.store.get(number).state == State.POSTING
        except UnknownCase:
            posting = False
        if not posting:
            self.leases.unmark(number)
        return posting

    def _claim(self, number: int) -> bool:
        key = self.store.k("posting", number, "recovery")
        return bool(self.store.r.set(key, "1", nx=True, ex=RECOVERY_CLAIM_SECONDS))

    def _publish_jobs_waiting(self, numbers: set[int]) -> set[int]:
        """Those of ``numbers`` with a publish job queued or scheduled: a retry's back-off or a rate
        limit's wait is respected, not overtaken."""
        ids = self.queue.get_job_ids() + ScheduledJobRegistry(queue=self.queue).get_job_ids()
        waiting: set[int] = set()
        for job in Job.fetch_many(ids, connection=self.queue.connection):
            if job is None or job.func_name != PUBLISH_JOB or not job.args:
                continue
            number = int(job.args[0])
            if number in numbers:
                waiting.add(number)
        return waiting


def recovery_for(rt: Runtime) -> PostingRecovery:
    return PostingRecovery(rt.store, rt.queue, rt.dispatch, rt.publisher.leases)
