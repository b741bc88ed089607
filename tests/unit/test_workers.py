"""Workers stop promptly even when RQ's command thread is parked waiting for a subscription."""

from __future__ import annotations

import time
import uuid

import pytest
from rq import Queue

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
