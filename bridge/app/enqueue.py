"""The one way work is put on the queue: the job function itself, the retry policy, the timeout.

RQ runs a job at least once, so every side effect carries its own idempotency record in the store;
this module only decides when and how often a job is tried. Nothing reads a finished job's result, so
its record expires a minute after it succeeds (:data:`RESULT_TTL_SECONDS`; RQ keeps it 500 s), which
frees its memory (and any personal data in its arguments) sooner. Deleting it at once instead
(``result_ttl=0``) costs RQ more Redis commands per job than it saves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rq import Callback, Queue, Retry
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry
from rq.serializers import PickleSerializer
from rq.utils import now

from bridge.store.fast_transitions import QueuedJob

__all__ = ["JOB_TIMEOUT_SECONDS", "RESULT_TTL_SECONDS", "RETRY_INTERVALS_SECONDS", "enqueue", "job_record"]

#: Seconds between retries of a failed job: quick first, then backing off for a longer outage.
RETRY_INTERVALS_SECONDS = [5, 30, 120, 600, 1800]
JOB_TIMEOUT_SECONDS = 120
#: How long a finished job's record and result stay (failed ones stay in RQ's failed registry).
RESULT_TTL_SECONDS = 60


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
        "result_ttl": RESULT_TTL_SECONDS,
    }
    if job_id:
        options["job_id"] = job_id
    if on_failure is not None:
        options["on_failure"] = Callback(on_failure)
    if at is None:
        job: Job = queue.enqueue(func, *args, **options)
        return job
    return _schedule(queue, func, args, at, options)


def _schedule(
    queue: Queue, func: Callable[..., Any], args: tuple[Any, ...], at: datetime, options: dict[str, Any]
) -> Job:
    """RQ's ``enqueue_at``, but due at ``at`` to the fraction of a second. RQ scores a scheduled job
    by its whole second, rounded down, so a card put off to its channel's slot went out up to a
    second early, or, rounded up, up to a second late; the scheduler (:mod:`bridge.app.scheduler`)
    compares scores with the time to the fraction. The job, its queue and its score are written in
    one round trip (RQ writes the score outside its pipeline, before the job it names exists)."""
    options = dict(options)
    job = queue.create_job(
        func,
        args=args,
        status=JobStatus.SCHEDULED,
        timeout=options.pop("job_timeout"),
        **options,
    )
    with queue.connection.pipeline() as pipe:
        pipe.sadd(queue.redis_queues_keys, queue.key)
        job.save(pipeline=pipe)
        pipe.zadd(ScheduledJobRegistry(queue=queue).key, {job.id: at.timestamp()})
        pipe.execute()
    return job


def job_record(
    queue: Queue,
    func: Callable[..., Any],
    *args: Any,
    on_failure: Callable[..., Any] | None = None,
) -> QueuedJob:
    """``func(*args)`` as :func:`enqueue` would queue it now (the same retry policy, timeout and
    result ttl), but built only: a script pushes it in the same step as the change it follows
    (:mod:`bridge.store.fast_transitions`), so the web process makes one round trip, not two."""
    intervals = RETRY_INTERVALS_SECONDS
    job = Job.create(
        func,
        args=args,
        connection=queue.connection,
        result_ttl=RESULT_TTL_SECONDS,
        timeout=JOB_TIMEOUT_SECONDS,
        retry=Retry(max=len(intervals), interval=intervals),
        origin=queue.name,
        status=JobStatus.QUEUED,
        # the default named as None: RQ checks a serializer it is given against a Protocol, slowly
        serializer=None if queue.serializer is PickleSerializer else queue.serializer,
        on_failure=Callback(on_failure) if on_failure is not None else None,
    )
    job.enqueued_at = now()
    fields: list[str | bytes] = []
    for name, value in job.to_dict().items():
        if value is not None:  # as RQ's own scripts flatten a job (rq.scripts)
            fields += [name, value if isinstance(value, (bytes, str)) else str(value)]
    return QueuedJob(job.id, job.key, queue.key, queue.redis_queues_keys, fields)
