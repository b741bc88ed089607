"""A job scheduled for a moment (a card put off to its channel's slot, 12:00:00.600) is due then,
not at a whole second: RQ scores and compares scheduled jobs by the whole second, rounded down."""

from __future__ import annotations

import math
import time
import uuid
from datetime import UTC, datetime

from rq import Queue
from rq.registry import ScheduledJobRegistry

from bridge.app import jobs
from bridge.app.enqueue import enqueue
from bridge.app.scheduler import BridgeScheduler
from bridge.store.redis_conn import connect


def _queue(redis_url: str) -> Queue:
    return Queue(f"test-{uuid.uuid4().hex[:10]}", connection=connect(redis_url))


def _late_in_a_second() -> float:
    """Now, once it is at least half a second past a whole second (so the second's start and the
    time differ by more than a scheduling rounding could hide)."""
    while time.time() % 1 < 0.5 or time.time() % 1 > 0.9:
        time.sleep(0.02)
    return time.time()


def test_a_job_is_scored_by_its_moment_with_its_record_written(redis_url: str) -> None:
    queue = _queue(redis_url)
    at = datetime.fromtimestamp(math.floor(time.time()) + 30.6, tz=UTC)
    job = enqueue(queue, jobs.refresh_card, 7, at=at, job_id="cards-7")
    registry = ScheduledJobRegistry(queue=queue)
    assert queue.connection.zscore(registry.key, "cards-7") == at.timestamp()
    assert job.get_status(refresh=True) == "scheduled"
    assert registry.get_scheduled_time("cards-7") == at
    assert queue.key.encode() in queue.connection.smembers(queue.redis_queues_keys)


def test_the_scheduler_moves_a_job_due_a_moment_ago_before_the_next_whole_second(redis_url: str) -> None:
    queue = _queue(redis_url)
    now = _late_in_a_second()
    enqueue(queue, jobs.refresh_card, 7, at=datetime.fromtimestamp(now - 0.1, tz=UTC), job_id="due")
    enqueue(queue, jobs.refresh_card, 8, at=datetime.fromtimestamp(now + 30, tz=UTC), job_id="later")
    scheduler = BridgeScheduler([queue], connection=queue.connection)
    scheduler.prepare_registries([queue.name])
    scheduler.enqueue_scheduled_jobs()  # type: ignore[no-untyped-call]  # RQ leaves it untyped
    assert queue.job_ids == ["due"]
    assert ScheduledJobRegistry(queue=queue).get_job_ids() == ["later"]
