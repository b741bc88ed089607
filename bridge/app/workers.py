"""RQ workers that stop promptly, whatever the redis-py release.

RQ listens for commands (stop, kill the work horse) on a pub/sub channel, read by a thread that
waits up to 60 s for a message. Since redis-py 8.2, ``PubSubWorkerThread.stop()`` waits for that
thread to finish, so an idle worker took a minute to stop on SIGTERM, and every burst worker of the
test harness a minute to return. Our workers wait at most :data:`COMMAND_POLL_SECONDS` instead.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

import structlog
from rq import Queue, SimpleWorker, Worker
from rq.job import Job

from bridge.app import runtime
from bridge.app.logs import bound
from bridge.app.metrics import JOB_FAILURES, JOB_RETRIES
from bridge.app.retention import start_hourly
from bridge.domain.errors import NoRuntime

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


#: The module whose job bodies take a case number first; their log lines carry ``case``.
CASE_JOBS_MODULE = "bridge.app.jobs."


def case_of(job: Job) -> int | None:
    """The case a job is about, when it is one of the case jobs and its first argument a number."""
    try:
        first = job.args[0] if job.args else None
        ours = (job.func_name or "").startswith(CASE_JOBS_MODULE)
        return first if ours and isinstance(first, int) else None
    except Exception:  # a job whose function cannot be loaded fails in RQ, with its own message
        return None


class _Observed:
    """Every line logged while a case job runs, RQ's own included, carries the case number; a
    failed attempt is counted as a retry or, with no retry left, as a failure."""

    def perform_job(self, job: Job, queue: Queue) -> bool:
        number = case_of(job)
        if number is None:
            return bool(super().perform_job(job, queue))  # type: ignore[misc]
        with bound(case=number):
            return bool(super().perform_job(job, queue))  # type: ignore[misc]

    def handle_job_failure(
        self, job: Job, queue: Queue, started_job_registry: Any = None, exc_string: str = ""
    ) -> None:
        retried = bool(job.retries_left) and getattr(self, "_stopped_job_id", None) != job.id
        name = job.func_name.rsplit(".", 1)[-1] if job.func_name else "unknown"
        with contextlib.suppress(NoRuntime):  # a worker without the bridge's runtime: no counts
            runtime.current().meter.count(JOB_RETRIES if retried else JOB_FAILURES, job=name)
        super().handle_job_failure(job, queue, started_job_registry, exc_string)  # type: ignore[misc]


class BridgeWorker(_Observed, _PromptCommandListener, Worker):
    """The deployed worker: forks a work horse per job, with the scheduler."""

    def run_maintenance_tasks(self) -> None:
        """RQ's maintenance (every 10 minutes), and the hourly retention sweep queued by one worker."""
        super().run_maintenance_tasks()  # type: ignore[no-untyped-call]  # RQ: no hints
        try:
            rt = runtime.current()
            if self.queues:
                start_hourly(rt.store, self.queues[0], datetime.now(UTC))
        except Exception:  # maintenance must go on: the next round tries again
            log.exception("retention_sweep_not_queued")


class InlineWorker(_Observed, _PromptCommandListener, SimpleWorker):
    """Runs jobs in its own process: the test harness and the demo."""
