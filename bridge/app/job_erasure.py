"""RQ keeps each job's arguments with the job, outside the bridge's key prefix: a thread notice
quotes the customer's words, and a failed job is kept for a year by default. An erasure deletes the
jobs (queued, scheduled, deferred, finished, failed or cancelled) whose arguments hold the
customer's words or identity; a job still running is left to finish."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from rq import Queue
from rq.job import Job
from rq.registry import (
    CanceledJobRegistry,
    DeferredJobRegistry,
    FailedJobRegistry,
    FinishedJobRegistry,
    ScheduledJobRegistry,
)

from bridge.store.scrub import Scrubber

__all__ = ["erase_jobs"]

_REGISTRIES = (
    FinishedJobRegistry,
    FailedJobRegistry,
    ScheduledJobRegistry,
    DeferredJobRegistry,
    CanceledJobRegistry,
)


def _arguments(job: Job) -> list[Any]:
    try:
        return [*job.args, *job.kwargs.values()]
    except Exception:  # noqa: BLE001  # a job whose data cannot be read any more holds nothing we can check
        return []


def erase_jobs(queue: Queue, scrub: Scrubber, cases: Collection[int]) -> int:
    """Delete the jobs whose arguments name the customer; returns how many went."""
    registries = [registry(queue=queue) for registry in _REGISTRIES]
    ids = set(queue.get_job_ids())
    for registry in registries:
        ids |= set(registry.get_job_ids())
    deleted = 0
    for job in Job.fetch_many(sorted(ids), connection=queue.connection):
        if job is None:
            continue
        arguments = _arguments(job)
        own = bool(arguments) and arguments[0] in cases  # a case job about one of their cases
        if any(isinstance(a, str) and scrub.text(a, own=own) != a for a in arguments):
            for registry in registries:  # whatever status the job last recorded
                registry.remove(job)
            job.delete()
            deleted += 1
    return deleted
