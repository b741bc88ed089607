"""RQ workers that run jobs in their own process, stop promptly, stay alive through Redis restarts
and finish orphaned posts.

A job runs in the worker's own process, not in a work horse forked for it: a fork per job cost
about 15 ms of CPU per card, six times the job's own work. The job's time limit still holds (RQ's
death penalty raises in the worker's main thread when it runs out), and a worker killed mid-job
takes its job with it; the job waits in RQ's started registry and a post is finished by the
recovery sweep of :mod:`bridge.app.recovery` (the publisher's idempotency keeps it at once).

RQ listens for commands (stop, kill the work horse) on a pub/sub channel, read by a thread that
waits up to 60 s for a message. Since redis-py 8.2, ``PubSubWorkerThread.stop()`` waits for that
thread to finish, so an idle worker took a minute to stop on SIGTERM, and every burst worker of the
test harness a minute to return. Our workers wait at most :data:`COMMAND_POLL_SECONDS` instead.

The deployed worker also keeps things alive every :data:`LIVENESS_SECONDS` (RQ looks every ten
minutes): it restarts a scheduler process that ended, runs the recovery sweep and fires the SLA
timers that are due (:mod:`bridge.app.sla_timers`). A stop request ends a job still running after
:data:`JOB_STOP_GRACE_SECONDS` (the job is retried, a post is finished by the next start, once).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
import structlog
from rq import Queue, SimpleWorker
from rq.job import Job
from rq.utils import now

from bridge.app import runtime
from bridge.app.logs import bound
from bridge.app.metrics import JOB_FAILURES, JOB_RETRIES
from bridge.app.recovery import recovery_for
from bridge.app.retention import start_hourly
from bridge.app.scheduler import BridgeScheduler
from bridge.app.sla_timers import fire_due
from bridge.domain.errors import NoRuntime

__all__ = [
    "CASE_JOBS_MODULE",
    "COMMAND_POLL_SECONDS",
    "JOB_STOP_GRACE_SECONDS",
    "LIVENESS_SECONDS",
    "RECONNECT_MAX_SECONDS",
    "BridgeWorker",
    "InlineWorker",
    "case_of",
]

log = structlog.get_logger(__name__)

LIVENESS_SECONDS = 2.0
"""How often an idle worker checks its scheduler and sweeps for orphaned posts."""
JOB_STOP_GRACE_SECONDS = 3.0
"""How long a stop request lets a running job finish before it is interrupted."""
RECONNECT_MAX_SECONDS = 5.0
"""The longest wait between two tries while Redis is away."""

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
    except Exception:  # noqa: BLE001  # a job whose function cannot be loaded fails in RQ, with its own message
        return None


class _Observed:
    """Every line logged while a case job runs, RQ's own included, carries the case number; a
    failed attempt is counted as a retry or, with no retry left, as a failure."""

    _running_job: str | None = None

    def perform_job(self, job: Job, queue: Queue) -> bool:
        number = case_of(job)
        self._running_job = job.id
        try:
            if number is None:
                return bool(super().perform_job(job, queue))  # type: ignore[misc]
            with bound(case=number):
                return bool(super().perform_job(job, queue))  # type: ignore[misc]
        finally:
            self._running_job = None

    def handle_job_failure(
        self, job: Job, queue: Queue, started_job_registry: Any = None, exc_string: str = ""
    ) -> None:
        retried = bool(job.retries_left) and getattr(self, "_stopped_job_id", None) != job.id
        name = job.func_name.rsplit(".", 1)[-1] if job.func_name else "unknown"
        with contextlib.suppress(NoRuntime):  # a worker without the bridge's runtime: no counts
            runtime.current().meter.count(JOB_RETRIES if retried else JOB_FAILURES, job=name)
        super().handle_job_failure(job, queue, started_job_registry, exc_string)  # type: ignore[misc]


class BridgeWorker(_Observed, _PromptCommandListener, SimpleWorker):
    """The deployed worker: runs jobs in its own process (no fork per job), with the scheduler."""

    max_connection_wait_time = RECONNECT_MAX_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._burst = False
        self._asked_to_stop = False
        self._liveness_checked_at: float | None = None

    # the work loop -----------------------------------------------------------------------------
    def work(self, burst: bool = False, **options: Any) -> bool:  # type: ignore[override]
        """RQ's loop, started again when a Redis error (rather than a stop request) ended it."""
        self._burst = burst
        wait = 0.5
        while True:
            try:
                worked = bool(super().work(burst=burst, **options))
            except (redis.ConnectionError, redis.TimeoutError) as exc:  # in its start or teardown
                log.warning("worker_redis_unavailable", error=str(exc))
                worked = False
            if burst or self._asked_to_stop:
                return worked
            log.warning("worker_restarting", retry_in_seconds=wait)
            time.sleep(wait)
            wait = min(wait * 2, RECONNECT_MAX_SECONDS)
            self._forget_registration()

    def _forget_registration(self) -> None:
        """Our own worker record may have outlived the loop that wrote it; a restart re-registers."""
        with contextlib.suppress(redis.RedisError):  # still away: the next start waits again
            self.connection.delete(self.key)

    @property
    def dequeue_timeout(self) -> int:
        """Short blocking reads, so the liveness checks run while the worker is idle."""
        return max(1, int(LIVENESS_SECONDS))

    # keeping things alive ----------------------------------------------------------------------
    @property
    def should_run_maintenance_tasks(self) -> bool:
        checked = self._liveness_checked_at
        return bool(super().should_run_maintenance_tasks) or (
            checked is None or time.monotonic() - checked >= LIVENESS_SECONDS
        )

    def run_maintenance_tasks(self) -> None:
        """RQ's maintenance and the hourly retention sweep every 10 minutes; the scheduler, orphaned
        posts and due SLA timers every :data:`LIVENESS_SECONDS`."""
        if self.last_cleaned_at is None or now() - self.last_cleaned_at > timedelta(
            seconds=self.maintenance_interval
        ):
            super().run_maintenance_tasks()
            self._queue_retention_sweep()
        self._liveness_checked_at = time.monotonic()
        self._restart_scheduler()
        self._sweep_orphaned_posts()
        self._fire_due_timers()

    def _queue_retention_sweep(self) -> None:
        """The hourly retention sweep, queued by one worker (an hourly record in Redis decides)."""
        try:
            rt = runtime.current()
            if self.queues:
                start_hourly(rt.store, self.queues[0], datetime.now(UTC))
        except Exception:  # maintenance must go on: the next round tries again
            log.exception("retention_sweep_not_queued")

    def _start_scheduler(
        self,
        burst: bool = False,
        logging_level: str | None = "INFO",
        date_format: str = "",
        log_format: str = "",
    ) -> None:
        """RQ's own start-up, with :class:`BridgeScheduler` in place of RQ's."""
        self.scheduler = BridgeScheduler(
            self.queues,
            connection=self.connection,
            logging_level=logging_level if logging_level is not None else self.log.level,
            serializer=self.serializer,
        )
        self.scheduler.acquire_locks()
        if not self.scheduler.acquired_locks:
            return
        if burst:
            try:
                self.scheduler.register_birth()
                self.scheduler.enqueue_scheduled_jobs()
            finally:
                self.scheduler.release_locks()
                self.scheduler.register_death()
        else:
            self.scheduler.start()

    def _restart_scheduler(self) -> None:
        """A scheduler process that ended (or never got the lock) is tried again now."""
        scheduler = self.scheduler
        if scheduler is None or self._burst or self._asked_to_stop:
            return
        process: Any = scheduler._process
        if process is None or not process.is_alive():
            scheduler.acquire_locks(auto_start=True)
            if scheduler._process is not process:
                log.info("scheduler_started", queues=self.queue_names())

    def _sweep_orphaned_posts(self) -> None:
        """An unexpected error here is logged, never allowed to end the worker."""
        if self._burst or self._asked_to_stop:
            return
        try:
            rt = runtime.current()
        except NoRuntime:  # a worker without the bridge's services (a bare RQ worker in a test)
            return
        try:
            recovery_for(rt).sweep()
        except (redis.ConnectionError, redis.TimeoutError):
            raise  # RQ's loop waits for Redis with a back-off
        except Exception:
            log.exception("recovery_sweep_failed")

    def _fire_due_timers(self) -> None:
        """The SLA timers that are due (:mod:`bridge.app.sla_timers`); an error is logged, never
        allowed to end the worker."""
        if self._burst or self._asked_to_stop:
            return
        try:
            fire_due(runtime.current())
        except NoRuntime:
            return
        except (redis.ConnectionError, redis.TimeoutError):
            raise
        except Exception:
            log.exception("sla_timers_failed")

    # stopping ----------------------------------------------------------------------------------
    def request_stop(self, signum: Any, frame: Any) -> None:
        self._asked_to_stop = True
        super().request_stop(signum, frame)

    def handle_warm_shutdown_request(self) -> None:
        """A job still running after the grace is interrupted: RQ's second stop request raises
        ``SystemExit`` in this process's main thread, inside the job, which RQ records as a failed
        attempt (its retry is scheduled) before the loop ends."""
        super().handle_warm_shutdown_request()
        job = self._running_job  # not asked of Redis: this runs in a signal handler
        if job:
            timer = threading.Timer(JOB_STOP_GRACE_SECONDS, self._stop_job, args=(job,))
            timer.daemon = True
            timer.start()

    def _stop_job(self, job: str) -> None:
        if self._running_job == job:
            log.warning("job_stopped_for_shutdown", job=job, grace_seconds=JOB_STOP_GRACE_SECONDS)
            os.kill(os.getpid(), signal.SIGTERM)


class InlineWorker(_Observed, _PromptCommandListener, SimpleWorker):
    """Runs jobs in its own process: the test harness and the demo."""
