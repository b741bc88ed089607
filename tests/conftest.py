"""Shared fixtures: a real Redis (the machine's, or an embedded one), the shared data folder, and the
whole bridge wired to local stand-ins of Slack and X."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import redis

from bridge.redis_conn import connect, embedded_url
from bridge.store import Store

if TYPE_CHECKING:
    from standins.harness import LocalBridge

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
PLAYBOOK = ROOT / "playbooks" / "acme.yml"


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data, or skip the test with the reason when the folder is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not present: {path} (clone with ../shared beside the project)")
    return path


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    try:
        probe = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5)
        probe.ping()
        return "redis://127.0.0.1:6379/0"
    except redis.RedisError:
        return embedded_url(tmp_path_factory.mktemp("redis"))


@pytest.fixture
def store(redis_url: str) -> Iterator[Store]:
    client = connect(redis_url)
    prefix = f"test-{uuid.uuid4().hex[:10]}:"
    yield Store(client, prefix)
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def local_bridge(redis_url: str, tmp_path: Path) -> Iterator[LocalBridge]:
    from standins.harness import LocalBridge  # imported late: unit tests need no stand-ins

    bridge = LocalBridge(playbook=PLAYBOOK, redis_url=redis_url, data_dir=tmp_path).start()
    try:
        yield bridge
    finally:
        bridge.cleanup_redis()
        bridge.stop()
