"""The one way work is put on the queue: the job function itself, the retry policy, the timeout.

RQ runs a job at least once, so every side effect carries its own idempotency record in the store;
this module only decides when and how often a job is tried. Nothing reads a finished job's result, so
its record expires a minute after it succeeds (:data:`RESULT_TTL_SECONDS`; RQ keeps it 500 s), which
frees its memory (and any personal data in its arguments) sooner. Deleting it at once instead
(``result_ttl=0``) costs RQ more Redis commands per job than it saves.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from rq import Callback, Queue, Retry
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry
from rq.utils import get_call_string, now, utcformat

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


#: The fields of a job record that differ from one call of the same function to the next; every other
#: field is RQ's own, built once per function (:func:`_job_shape`). A test holds RQ to this list.
PER_CALL_FIELDS = ("created_at", "enqueued_at", "data", "description")


def job_record(
    queue: Queue,
    func: Callable[..., Any],
    *args: Any,
    on_failure: Callable[..., Any] | None = None,
) -> QueuedJob:
    """``func(*args)`` as :func:`enqueue` would queue it now (the same retry policy, timeout and
    result ttl), but built only: a script pushes it in the same step as the change it follows
    (:mod:`bridge.store.fast_transitions`), so the web process makes one round trip, not two.

    RQ builds the record of each function once; a call fills in only :data:`PER_CALL_FIELDS` and an
    id. Building it through ``Job.create`` each time cost the web process about a fifth of a Claim's
    CPU: the arguments were compressed with zlib (about 10 µs in the web process for some 50 bytes;
    stored raw here, which RQ reads as well), and each id took a ``getrandom`` call (ids here come
    from one call per 256)."""
    shape = _job_shape(queue, func, on_failure)
    moment = utcformat(now())
    data = queue.serializer.dumps((shape.func_name, None, args, {}))
    fields: list[str | bytes] = [*shape.fields, "created_at", moment, "enqueued_at", moment, "data", data]
    fields += ["description", str(get_call_string(shape.func_name, args, {}, max_length=DESCRIPTION_LENGTH))]
    job_id = _job_ids.next()
    return QueuedJob(job_id, Job.key_for(job_id), queue.key, queue.redis_queues_keys, fields)


#: How long RQ's own description of a call may be (``Job.get_call_string``).
DESCRIPTION_LENGTH = 75


@dataclass(frozen=True)
class _JobShape:
    func_name: str
    fields: tuple[str | bytes, ...]  # field, value, …: all but PER_CALL_FIELDS


_shapes: dict[tuple[str, Callable[..., Any], Callable[..., Any] | None], _JobShape] = {}


def _job_shape(queue: Queue, func: Callable[..., Any], on_failure: Callable[..., Any] | None) -> _JobShape:
    key = (queue.key, func, on_failure)
    if key not in _shapes:
        intervals = RETRY_INTERVALS_SECONDS
        job = Job.create(
            func,
            connection=queue.connection,
            result_ttl=RESULT_TTL_SECONDS,
            timeout=JOB_TIMEOUT_SECONDS,
            retry=Retry(max=len(intervals), interval=intervals),
            origin=queue.name,
            status=JobStatus.QUEUED,
            serializer=queue.serializer,
            on_failure=Callback(on_failure) if on_failure is not None else None,
        )
        job.enqueued_at = now()
        fields: list[str | bytes] = []
        for name, value in job.to_dict().items():
            if value is not None and name not in PER_CALL_FIELDS:  # as RQ's scripts flatten a job
                fields += [name, value if isinstance(value, (bytes, str)) else str(value)]
        _shapes[key] = _JobShape(str(job.func_name), tuple(fields))
    return _shapes[key]


class _JobIds:
    """RQ's job ids (``str(uuid4())``), drawn from the kernel 256 at a time instead of one call each."""

    BATCH = 256

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ready: list[str] = []

    def next(self) -> str:
        with self._lock:
            if not self._ready:
                raw = os.urandom(16 * self.BATCH)
                self._ready = [str(UUID(bytes=raw[i : i + 16], version=4)) for i in range(0, len(raw), 16)]
            return self._ready.pop()


_job_ids = _JobIds()
