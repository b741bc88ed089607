"""The records of the dispatcher's jobs, built but not queued, for a script that queues them in the
same step as the change they follow (:mod:`bridge.store.fast_transitions`)."""

from __future__ import annotations

from rq import Queue

from bridge.app import jobs
from bridge.app.enqueue import job_record
from bridge.store.fast_transitions import QueuedJob

__all__ = ["JobRecords"]


class JobRecords:
    """What :class:`bridge.app.dispatch.Dispatcher` would queue on its case queue, as records."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    def refresh_card(self, number: int) -> QueuedJob:
        return job_record(self.queue, jobs.refresh_card, number)

    def publish(self, number: int) -> QueuedJob:
        return job_record(self.queue, jobs.publish, number, on_failure=jobs.publish_gave_up)

    def thread_notice(self, number: int, text: str, quote: str = "") -> QueuedJob:
        return job_record(self.queue, jobs.thread_notice, number, text, quote)
