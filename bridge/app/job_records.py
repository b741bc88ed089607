"""The records of the dispatcher's jobs, built but not queued, for a script that queues them in the
same step as the change they follow (:mod:`bridge.store.fast_transitions`)."""

from __future__ import annotations

import dataclasses

from rq import Queue

from bridge.app import jobs
from bridge.app.enqueue import job_record
from bridge.store.fast_transitions import QueuedJob
from bridge.store.refresh_inbox import RefreshInbox

__all__ = ["JobRecords"]


class JobRecords:
    """What :class:`bridge.app.dispatch.Dispatcher` would queue on its case queue, as records."""

    def __init__(self, queue: Queue, refreshes: RefreshInbox | None = None) -> None:
        self.queue = queue
        self.refreshes = refreshes

    def refresh_card(self, number: int) -> QueuedJob:
        """The card's redraw: gathered in the refresh inbox when the dispatcher gathers them (the
        script queues a ``refresh_cards`` job only when none is queued), else a job of its own."""
        if self.refreshes is None:
            return job_record(self.queue, jobs.refresh_card, number)
        record = job_record(self.queue, jobs.refresh_cards)
        inbox = self.refreshes
        return dataclasses.replace(record, inbox=inbox.due_key, mark=inbox.queued_key, member=str(number))

    def publish(self, number: int) -> QueuedJob:
        return job_record(self.queue, jobs.publish, number, on_failure=jobs.publish_gave_up)

    def thread_notice(self, number: int, text: str, quote: str = "") -> QueuedJob:
        return job_record(self.queue, jobs.thread_notice, number, text, quote)
