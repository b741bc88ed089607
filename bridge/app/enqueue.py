"""The one way work is put on the queue: the job function itself, the retry policy, the timeout.

RQ runs a job at least once, so every side effect carries its own idempotency record in the store;
this module only decides when and how often a job is tried.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rq import Callback, Queue, Retry
from rq.job import Job

__all__ = ["JOB_TIMEOUT_SECONDS", "RETRY_INTERVALS_SECONDS", "enqueue"]

#: Seconds between retries of a failed job: quick first, then backing off for a longer outage.
RETRY_INTERVALS_SECONDS = [5, 30, 120, 600, 1800]
JOB_TIMEOUT_SECONDS = 120


def enqueue(
    queue: Queue,
    func: Callable[..., Any],
    *args: Any,
    at: datetime | None = None,
    job_id: str | None = None,
    on_failure: Callable[..., Any] | None = None,
    retry_intervals: list[int] | None = None,
) -> Job:
    """Queue ``func(*args)`` now, or schedule it for ``at``, with the bridge's retry policy (or
    ``retry_intervals``, for work that is worthless when late)."""
    intervals = RETRY_INTERVALS_SECONDS if retry_intervals is None else retry_intervals
    options: dict[str, Any] = {
        "retry": Retry(max=len(intervals), interval=intervals),
        "job_timeout": JOB_TIMEOUT_SECONDS,
    }
    if job_id:
        options["job_id"] = job_id
    if on_failure is not None:
        options["on_failure"] = Callback(on_failure)
    job: Job = queue.enqueue_at(at, func, *args, **options) if at else queue.enqueue(func, *args, **options)
    return job
