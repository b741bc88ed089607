"""RQ workers that stop promptly, whatever the redis-py release.

RQ listens for commands (stop, kill the work horse) on a pub/sub channel, read by a thread that
waits up to 60 s for a message. Since redis-py 8.2, ``PubSubWorkerThread.stop()`` waits for that
thread to finish, so an idle worker took a minute to stop on SIGTERM, and every burst worker of the
test harness a minute to return. Our workers wait at most :data:`COMMAND_POLL_SECONDS` instead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import structlog
from rq import SimpleWorker, Worker

from bridge.app import runtime
from bridge.app.retention import start_hourly

log = structlog.get_logger(__name__)

COMMAND_POLL_SECONDS = 1.0
"""How long the command thread blocks on Redis before checking whether it should stop."""


class _PromptCommandListener:
    """Subscribes to RQ's command channel with a short poll, and stops its thread with a bound."""

    pubsub: Any
    pubsub_thread: Any

    def subscribe(self) -> None:
        worker: Any = self
        self.pubsub = worker.connection.pubsub()
        self.pubsub.subscribe(**{worker.pubsub_channel_name: worker.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=COMMAND_POLL_SECONDS, daemon=True, exception_handler=worker._pubsub_exception_handler
        )

    def unsubscribe(self) -> None:
        if self.pubsub_thread is None:
            return
        self.pubsub.unsubscribe()
        self.pubsub_thread.stop()  # redis-py 8.2+ joins here: at most one short poll
        self.pubsub_thread.join(timeout=COMMAND_POLL_SECONDS * 3)  # older releases return at once
        self.pubsub.close()
        self.pubsub_thread = None


class BridgeWorker(_PromptCommandListener, Worker):
    """The deployed worker: forks a work horse per job, with the scheduler."""

    def run_maintenance_tasks(self) -> None:
        """RQ's maintenance (every 10 minutes), and the hourly retention sweep queued by one worker."""
        super().run_maintenance_tasks()
        try:
            rt = runtime.current()
            if self.queues:
                start_hourly(rt.store, self.queues[0], datetime.now(UTC))
        except Exception:  # maintenance must go on: the next round tries again
            log.exception("retention_sweep_not_queued")


class InlineWorker(_PromptCommandListener, SimpleWorker):
    """Runs jobs in its own process: the test harness and the demo."""
