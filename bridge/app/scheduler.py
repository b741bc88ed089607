"""RQ's scheduler, made to ride out a Redis restart instead of dying of it.

RQ's scheduler process moves due jobs (retries, deferred posts, SLA timers, crisis checks) onto the
queue once a second. On any Redis error its loop raises and the process ends; the worker starts a
new one only at its next maintenance pass, ten minutes later by default, so a post deferred by a
three-second rate limit went out thirteen minutes late. This scheduler keeps its loop: it waits
with a short back-off while Redis is away and carries on, its locks re-taken by its next heartbeat.

A scheduler killed outright (SIGKILL, a lost container) keeps its queue's lock for another minute,
and with it every scheduled job after a restart. A lock whose holder ran on this host and whose
process is gone is released at once; a holder elsewhere is waited for, as RQ does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from collections.abc import Iterable
from typing import Any

import redis
import structlog
from rq.registry import ScheduledJobRegistry
from rq.scheduler import SCHEDULER_KEY_TEMPLATE, RQScheduler
from rq.scripts import release_lock

from bridge.app.lifeline import die_with_parent

__all__ = ["RECONNECT_MAX_SECONDS", "TICK_SECONDS", "BridgeScheduler"]

log = structlog.get_logger(__name__)

RECONNECT_FIRST_SECONDS = 0.25
TICK_SECONDS = 0.25
"""How often due jobs are moved onto their queue (RQ's scheduler: every second, its heartbeat's
interval, which stays a second). A card put off for its channel's slot, about a second away on
Slack, waits for this tick too; a quarter of a second costs Redis eight commands a second."""
RECONNECT_MAX_SECONDS = 2.0
"""The longest the scheduler waits between two tries while Redis is away."""


class BridgeScheduler(RQScheduler):
    """Runs in a process forked by the worker; ends with it, and survives Redis restarts."""

    def acquire_locks(self, auto_start: bool = False) -> Any:
        for name in self._queue_names:
            self._release_if_holder_died(self.get_locking_key(name))
        return super().acquire_locks(auto_start=auto_start)

    def _release_if_holder_died(self, lock_key: str) -> None:
        holder = self.connection.get(lock_key)
        if not holder:
            return
        holder_name = holder.decode() if isinstance(holder, bytes) else str(holder)
        if holder_name == self.name:
            return
        info = self.connection.hmget(SCHEDULER_KEY_TEMPLATE % holder_name, ["hostname", "pid"])
        hostname, pid = (v.decode() if isinstance(v, bytes) else v for v in info)
        if hostname != socket.gethostname() or not (pid or "").isdigit() or _running(int(pid)):
            return
        if release_lock(self.connection, lock_key, holder_name):
            log.warning("scheduler_lock_of_dead_process_released", holder=holder_name, pid=int(pid))

    def work(self) -> None:
        die_with_parent(signal.SIGTERM, parent=os.getppid())
        self._install_signal_handlers()
        born = False
        wait = RECONNECT_FIRST_SECONDS
        beat_due = 0.0
        while not self._stop_requested:
            try:
                if not born:
                    self.register_birth()
                    born = True
                if self.should_reacquire_locks or not self.acquired_locks:
                    self.acquire_locks()
                if time.monotonic() >= beat_due:  # the heartbeat keeps RQ's pace; the moves are quicker
                    self.heartbeat()
                    beat_due = time.monotonic() + self.interval
                self.enqueue_scheduled_jobs()
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                log.warning("scheduler_redis_unavailable", error=str(exc), retry_in_seconds=wait)
                time.sleep(wait)
                wait = min(wait * 2, RECONNECT_MAX_SECONDS)
                continue
            if wait > RECONNECT_FIRST_SECONDS:
                log.info("scheduler_redis_back")
                wait = RECONNECT_FIRST_SECONDS
            time.sleep(TICK_SECONDS)
        with contextlib.suppress(redis.RedisError):  # stopping while Redis is away: nothing to release
            self.stop()

    def prepare_registries(self, queue_names: Iterable[str] | None = None) -> None:
        """RQ's registries of scheduled jobs, asked what is due to the fraction of a second."""
        names = queue_names or self._acquired_locks
        self._scheduled_job_registries = [
            _DueToTheFraction(name, connection=self.connection, serializer=self.serializer) for name in names
        ]


class _DueToTheFraction(ScheduledJobRegistry):
    """A job scheduled for 12:00:00.600 (:func:`bridge.app.enqueue.enqueue`) is due at the first tick
    after it; RQ's scheduler asks with the whole second (12:00:00), so it would wait a second more."""

    def get_jobs_to_schedule(self, timestamp: int | None = None, chunk_size: int = 1000) -> list[str]:
        now = time.time() if timestamp is None else max(float(timestamp), time.time())
        return super().get_jobs_to_schedule(now, chunk_size)  # type: ignore[arg-type]  # a score may be a float


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
