"""The service's processes: ``bridge run``'s group of children, and the polling loop.

Both stop on SIGTERM or Ctrl-C and end with 0 when asked to; both wait out Redis rather than crash.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import redis
import structlog

from bridge.app.heap import settle_heap
from bridge.app.lifeline import die_with_parent
from bridge.app.poller import Backoff, poll_once
from bridge.app.runtime import Runtime
from bridge.app.settings import Settings
from bridge.app.streams import start_streams
from bridge.app.warm_up import warm_up_triage
from bridge.store.redis_conn import resolve_url, shutdown_embedded

__all__ = [
    "STOP_GRACE_SECONDS",
    "StopRequest",
    "child_commands",
    "group_exit_code",
    "poll_forever",
    "run_group",
]

log = structlog.get_logger("bridge")

REDIS_RETRY_FIRST_SECONDS = 0.5
REDIS_RETRY_MAX_SECONDS = 5.0


class StopRequest:
    """Set by SIGTERM or SIGINT: the process finishes what it is doing and ends with 0.

    A plain flag, not a ``threading.Event``: setting an event from a signal handler can deadlock
    on the lock its own ``wait`` holds at that instant.
    """

    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGTERM, self._request)
        signal.signal(signal.SIGINT, self._request)

    def _request(self, *_: object) -> None:
        self.requested = True

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, waking within a tenth of a second of a stop request."""
        deadline = time.monotonic() + seconds
        while not self.requested and time.monotonic() < deadline:
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))


STOP_GRACE_SECONDS = 15


def child_commands(settings: Settings) -> list[str]:
    """The processes of the group: web and worker always, the poller when any social platform is
    configured (X, Mastodon …), not only X."""
    return ["serve", "worker"] + (["poll"] if settings.socials_configured else [])


def run_group(settings: Settings) -> int:
    """Web, worker and poller as child processes of one group, sharing one Redis.

    Ctrl-C reaches every process of the group; the children ignore it and stop on the SIGTERM this
    process sends them, so one orderly path stops everything and a requested stop exits 0. Each
    child also ends when this process dies, even of SIGKILL, and the embedded Redis (when
    ``REDIS_URL`` is unset) is shut down, saving its file, once the children have stopped.
    """
    names = child_commands(settings)
    asked_to_stop = False
    children: list[subprocess.Popen[bytes]] = []

    def stop(*_: object) -> None:
        nonlocal asked_to_stop
        asked_to_stop = True
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)  # before the embedded Redis starts: a stop then still stops it
    signal.signal(signal.SIGINT, stop)
    crashed = False
    try:
        env = dict(os.environ, REDIS_URL=resolve_url(settings.redis_url, settings.bridge_data_dir))
        for name in names:
            if not asked_to_stop:  # a stop may arrive between two starts
                children.append(_start_child(name, env))  # noqa: PERF401
        while not asked_to_stop and all(child.poll() is None for child in children):
            time.sleep(0.2)
        crashed = not asked_to_stop
    finally:
        stop()
        _wait_for(children)
        if not settings.redis_url:
            shutdown_embedded(settings.bridge_data_dir)
    return group_exit_code([child.returncode for child in children], crashed=crashed)


def _start_child(name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A child that ignores the terminal's Ctrl-C (our SIGTERM stops it) and ends when we do."""
    parent = os.getpid()

    def in_the_child() -> None:  # between fork and exec; this process runs no threads
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # kept across exec, until the child chooses
        die_with_parent(signal.SIGTERM, parent=parent)

    return subprocess.Popen([sys.executable, "-m", "bridge.cli", name], env=env, preexec_fn=in_the_child)  # noqa: PLW1509  # before any thread starts


def _wait_for(children: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:  # a job that will not end: it is retried elsewhere
            log.warning("child_killed", args=child.args, grace_seconds=STOP_GRACE_SECONDS)
            child.kill()
            child.wait()


def group_exit_code(codes: list[int], *, crashed: bool) -> int:
    """One exit code for the group: 0 for a requested stop, else the first failure.

    A child still importing when SIGTERM arrives dies of the signal (-15) instead of
    shutting down gracefully; after a requested stop that is a clean end, not a failure.
    Negative codes never reach ``sys.exit``, which would turn -15 into 241.
    """
    stopped_by_us = (0, -signal.SIGTERM, -signal.SIGINT)
    failures = [code for code in codes if code not in stopped_by_us]
    if failures:
        return failures[0] if failures[0] > 0 else 128 - failures[0]
    return 1 if crashed else 0


def poll_forever(rt: Runtime, *, once: bool = False) -> int:
    """Poll until asked to stop (SIGTERM or Ctrl-C: exit 0 after the poll under way).

    Redis being away (a restart, a fail-over) is waited out with a short back-off, never a crash:
    a dead poller used to take the whole of ``bridge run`` down with it. A platform with a streaming
    API (Mastodon) pushes its mentions in between (:mod:`bridge.app.streams`); the poll stays the
    fallback, and the streams are closed on the way out.
    """
    stopping = StopRequest()
    warm_up_triage(rt)  # the models triage loads on first use, before the first mention waits
    settle_heap()
    streams = [] if once else start_streams(rt)
    try:
        return _poll_loop(rt, stopping, once=once)
    finally:
        for stream in streams:
            stream.close()


def _poll_loop(rt: Runtime, stopping: StopRequest, *, once: bool) -> int:
    backoff = Backoff()
    redis_wait = REDIS_RETRY_FIRST_SECONDS
    while not stopping.requested:
        try:
            delay = poll_once(rt, backoff)
            redis_wait = REDIS_RETRY_FIRST_SECONDS
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            if once:
                print(f"bridge: Redis is not answering: {exc}", file=sys.stderr)
                return 1
            log.warning("poll_redis_unavailable", error=str(exc), retry_in_seconds=redis_wait)
            delay, redis_wait = redis_wait, min(redis_wait * 2, REDIS_RETRY_MAX_SECONDS)
        if once:
            return 0
        stopping.wait(delay)
    return 0
