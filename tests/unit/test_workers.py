"""Workers stop promptly even when RQ's command thread is parked waiting for a subscription; the
deployed worker runs jobs in its own process, within their time limits."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from rq import Queue
from rq.job import Job, JobStatus

from bridge.app.workers import BridgeWorker, InlineWorker
from bridge.store.redis_conn import connect


@pytest.mark.parametrize("worker_class", [BridgeWorker, InlineWorker])
def test_stopping_the_command_listener_takes_seconds_not_a_minute(
    redis_url: str, worker_class: type[BridgeWorker] | type[InlineWorker]
) -> None:
    client = connect(redis_url)
    worker = worker_class([Queue(f"stop-{uuid.uuid4().hex[:8]}", connection=client)], connection=client)
    worker.subscribe()
    # the race seen in production: the thread reads the UNSUBSCRIBE reply and, no longer subscribed,
    # waits for a new subscription for as long as its poll allows before stop() can end it
    worker.pubsub.unsubscribe()
    time.sleep(0.5)
    asked = time.monotonic()
    worker.unsubscribe()
    took = time.monotonic() - asked
    assert took < 10, f"the command thread held the worker for {took:.1f} s"
    assert worker.pubsub_thread is None


def where_am_i() -> int:
    """A job body: the process it runs in."""
    return os.getpid()


def outlives_its_limit() -> str:
    time.sleep(5)
    return "finished"


def run_burst(redis_url: str, job: Callable[[], object], **options: Any) -> Job:
    client = connect(redis_url)
    queue = Queue(f"jobs-{uuid.uuid4().hex[:8]}", connection=client)
    queued = queue.enqueue(job, **options)
    BridgeWorker([queue], connection=client).work(burst=True, with_scheduler=False, logging_level="WARNING")
    return Job.fetch(queued.id, connection=client)


def test_the_deployed_worker_runs_a_job_in_its_own_process_not_a_forked_one(redis_url: str) -> None:
    job = run_burst(redis_url, where_am_i)
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value() == os.getpid(), "a work horse was forked for the job"


def test_a_job_running_in_the_worker_still_ends_at_its_time_limit(redis_url: str) -> None:
    job = run_burst(redis_url, outlives_its_limit, job_timeout=1)
    assert job.get_status() == JobStatus.FAILED
    assert "JobTimeoutException" in (job.latest_result().exc_string or "")  # type: ignore[union-attr]
