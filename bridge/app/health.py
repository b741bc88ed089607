"""What ``/healthz`` and ``/metrics`` report about Redis, the workers and the queue, without waiting.

A background task asks Redis every :data:`REFRESH_SECONDS`, in a thread, on its own client with short
timeouts, and keeps the answer; the handlers only read that answer. A Redis that accepts connections
and never replies therefore slows nobody: the next check times out, and a status older than
:data:`STALE_SECONDS` reads as Redis not answering.

``/healthz`` answers 200 when Redis answered the last check and at least one worker of the bridge's
queue is registered; 503 otherwise (a web process without workers acknowledges Slack but nothing
reaches a customer, which is what a load balancer or an alert should hear about).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
from aiohttp import web
from prometheus_client.core import GaugeMetricFamily, Metric
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import Queue, Worker
from rq.registry import ScheduledJobRegistry
from rq.scheduler import RQScheduler

from bridge.app.dispatch import tell_queue
from bridge.app.metrics import Meter, families

__all__ = ["REFRESH_SECONDS", "Health", "Status", "quick_client", "redacted", "redis_problem"]

REFRESH_SECONDS = 2.0
TIMEOUT_SECONDS = 1.0
STALE_SECONDS = 5.0


@dataclass(frozen=True)
class Status:
    """One look at Redis and the workers; ``checked_at`` is a monotonic time."""

    redis: str = "unknown"  # "ok" or what went wrong
    workers: int = 0
    scheduler: bool = False
    queued: int = 0
    tells: int = 0  # private notes (mostly refusals) waiting on their own queue
    scheduled: int = 0
    failed: int = 0
    counts: dict[str, dict[str, float]] = field(default_factory=dict)
    backlog: dict[str, int] = field(default_factory=dict)  # open cases per platform
    oldest_open_seconds: float = 0.0  # since the oldest open case was taken in
    checked_at: float = 0.0


def redacted(url: str) -> str:
    """The URL without its password, for messages people read."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = f"{parts.username}:***@" if parts.username else ":***@"
    netloc = f"{user}{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def quick_client(url: str, timeout: float = TIMEOUT_SECONDS) -> redis.Redis:
    """A client that gives up after ``timeout`` seconds and does not retry (``ValueError`` for a
    URL that is not a Redis URL)."""
    return redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )


def redis_problem(url: str, timeout: float = 3.0) -> str | None:
    """What is wrong with the Redis at ``url``, in one sentence, or None when it answers."""
    try:
        client = quick_client(url, timeout)
    except ValueError as exc:
        return f"REDIS_URL {redacted(url)!r} is not a Redis URL: {exc}"
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"Redis at {redacted(url)} does not answer ({exc}); check REDIS_URL and that Redis runs"
    finally:
        client.close()
    return None


#: The backlog gauge reads at most this many open cases' platforms per check (every 2 s).
BACKLOG_READ_MAX = 5000


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class Health:
    """Keeps a fresh :class:`Status` of one queue's Redis, workers and shared counts."""

    def __init__(self, client: redis.Redis, queue_name: str, prefix: str) -> None:
        self.client = client
        self.queue_name = queue_name
        self.prefix = prefix
        self.status = Status()
        self._platforms: dict[bytes, str] = {}  # an open case's platform, which never changes

    @classmethod
    def beside(cls, client: redis.Redis, queue_name: str, prefix: str) -> Health:
        """A monitor on its own quick client to the same server as ``client``."""
        pool = client.connection_pool
        kwargs = dict(pool.connection_kwargs)
        kwargs.update(socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)
        kwargs["retry"] = Retry(NoBackoff(), 0)
        quick = redis.Redis(
            connection_pool=redis.ConnectionPool(connection_class=pool.connection_class, **kwargs)
        )
        return cls(quick, queue_name, prefix)

    def check(self) -> Status:
        """Ask Redis now (blocking: run it in a thread)."""
        try:
            queue = Queue(self.queue_name, connection=self.client)
            return Status(
                redis="ok",
                workers=self._live_workers(queue),
                scheduler=bool(self.client.exists(RQScheduler.get_locking_key(self.queue_name))),
                queued=queue.count,
                tells=tell_queue(queue).count,
                scheduled=ScheduledJobRegistry(queue=queue).count,
                failed=queue.failed_job_registry.count,
                counts=Meter(self.client, self.prefix).read(),
                **self._backlog(),
                checked_at=time.monotonic(),
            )
        except (redis.RedisError, OSError) as exc:
            return Status(redis=f"error: {exc}", counts=self.status.counts, checked_at=time.monotonic())

    def _backlog(self) -> dict[str, Any]:
        """Open cases per platform and the age of the oldest: what operators alert on when the desk
        falls behind (at most :data:`BACKLOG_READ_MAX` open cases each check; each one's platform is
        read once, when it is first seen open, not at every check)."""
        open_key = f"{self.prefix}open"
        oldest: list[tuple[bytes, float]] = self.client.zrange(open_key, 0, 0, withscores=True)  # type: ignore[assignment]
        numbers: list[bytes] = self.client.zrange(open_key, 0, BACKLOG_READ_MAX - 1)  # type: ignore[assignment]
        unread = [number for number in numbers if number not in self._platforms]
        with self.client.pipeline(transaction=False) as pipe:
            for number in unread:
                pipe.hget(f"{self.prefix}case:{_text(number)}", "platform")
            platforms = pipe.execute() if unread else []
        for number, platform in zip(unread, platforms, strict=True):
            if platform:  # a case read as it is being erased is read again next time
                self._platforms[number] = _text(platform)
        self._platforms = {n: self._platforms[n] for n in numbers if n in self._platforms}  # open ones
        backlog: dict[str, int] = {}
        for number in numbers:
            name = self._platforms.get(number, "unknown")
            backlog[name] = backlog.get(name, 0) + 1
        since = time.time() - float(oldest[0][1]) if oldest else 0.0
        return {"backlog": backlog, "oldest_open_seconds": max(0.0, since)}

    def _live_workers(self, queue: Queue) -> int:
        """Registered workers whose own key still exists: one killed outright stays in RQ's
        registry set until a clean-up, but its key expires with its heartbeat (``worker_ttl``)."""
        keys = Worker.all_keys(connection=self.client, queue=queue)
        with self.client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.exists(key)
            return sum(bool(found) for found in pipe.execute())

    async def refresh(self) -> None:
        self.status = await asyncio.to_thread(self.check)

    async def refresh_forever(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            await self.refresh()

    def report(self) -> tuple[dict[str, Any], int]:
        """The ``/healthz`` body and status code."""
        status = self.status
        age = time.monotonic() - status.checked_at if status.checked_at else None
        redis_state = status.redis
        if age is None:
            redis_state = "not checked yet"
        elif age > STALE_SECONDS:
            redis_state = f"error: no answer for {age:.0f} s"
        ok = redis_state == "ok" and status.workers > 0
        body = {
            "ok": ok,
            "redis": redis_state,
            "workers": status.workers,
            "scheduler": status.scheduler,
            "queued": status.queued,
            "tells": status.tells,
            "scheduled": status.scheduled,
            "failed": status.failed,
            "checked_seconds_ago": None if age is None else round(age, 1),
        }
        return body, 200 if ok else 503

    def collect(self) -> Iterator[Metric]:
        """The last status as Prometheus gauges, and the shared counts (a prometheus collector)."""
        body, _code = self.report()
        gauges = {
            "bridge_redis_up": ("1 when Redis answered the last check", float(body["redis"] == "ok")),
            "bridge_workers_alive": ("Workers registered on the bridge's queue", body["workers"]),
            "bridge_scheduler_alive": ("1 when a worker holds the scheduler lock", float(body["scheduler"])),
            "bridge_queue_depth": ("Jobs waiting on the bridge's queue", body["queued"]),
            "bridge_tell_queue_depth": ("Private notes waiting on their own queue", body["tells"]),
            "bridge_jobs_scheduled": ("Jobs scheduled for later (retries, SLA timers)", body["scheduled"]),
            "bridge_jobs_failed": ("Jobs in the failed registry", body["failed"]),
        }
        for name, (text, value) in gauges.items():
            yield GaugeMetricFamily(name, text, value=float(value))
        backlog = GaugeMetricFamily(
            "bridge_backlog_cases", "Cases open now, by platform", labels=["platform"]
        )
        for platform, count in sorted(self.status.backlog.items()):
            backlog.add_metric([platform], float(count))
        yield backlog
        yield GaugeMetricFamily(
            "bridge_backlog_oldest_seconds",
            "How long the oldest open case has waited since it was taken in",
            value=self.status.oldest_open_seconds,
        )
        yield from families(self.status.counts)


@contextlib.asynccontextmanager
async def _running(health: Health) -> AsyncIterator[None]:
    await health.refresh()  # the first answer is known before the first request: at most a timeout
    task = asyncio.create_task(health.refresh_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        health.client.close()


def start_with(app: web.Application, health: Health) -> None:
    """Refresh ``health`` in the background for as long as ``app`` runs."""

    async def context(_app: web.Application) -> AsyncIterator[None]:
        async with _running(health):
            yield

    app.cleanup_ctx.append(context)
