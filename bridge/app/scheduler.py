"""RQ's scheduler, made to ride out a Redis restart instead of dying of it.

RQ's scheduler process moves due jobs (retries, deferred posts, SLA timers, crisis checks) onto the
queue once a second. On any Redis error its loop raises and the process ends; the worker starts a
new one only at its next maintenance pass, ten minutes later by default, so a post deferred by a
three-second rate limit went out thirteen minutes late. This scheduler keeps its loop: it waits
with a short back-off while Redis is away and carries on, its locks re-taken by its next heartbeat.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time

import redis
import structlog
from rq.scheduler import RQScheduler

from bridge.app.lifeline import die_with_parent

__all__ = ["RECONNECT_MAX_SECONDS", "BridgeScheduler"]

log = structlog.get_logger(__name__)

RECONNECT_FIRST_SECONDS = 0.25
RECONNECT_MAX_SECONDS = 2.0
"""The longest the scheduler waits between two tries while Redis is away."""


class BridgeScheduler(RQScheduler):
    """Runs in a process forked by the worker; ends with it, and survives Redis restarts."""

    def work(self) -> None:
        die_with_parent(signal.SIGTERM, parent=os.getppid())
        self._install_signal_handlers()
        born = False
        wait = RECONNECT_FIRST_SECONDS
        while not self._stop_requested:
            try:
                if not born:
                    self.register_birth()
                    born = True
                if self.should_reacquire_locks or not self.acquired_locks:
                    self.acquire_locks()
                self.heartbeat()
                self.enqueue_scheduled_jobs()
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                log.warning("scheduler_redis_unavailable", error=str(exc), retry_in_seconds=wait)
                time.sleep(wait)
                wait = min(wait * 2, RECONNECT_MAX_SECONDS)
                continue
            if wait > RECONNECT_FIRST_SECONDS:
                log.info("scheduler_redis_back")
                wait = RECONNECT_FIRST_SECONDS
            time.sleep(self.interval)
        with contextlib.suppress(redis.RedisError):  # stopping while Redis is away: nothing to release
            self.stop()
