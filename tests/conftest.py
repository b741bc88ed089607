"""Shared fixtures: a real Redis (``BRIDGE_TEST_REDIS_URL``, or a private embedded one), the shared
data folder, and the whole bridge wired to local stand-ins of Slack and X."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
import redis

from bridge.store.cases import Store
from bridge.store.redis_conn import connect, embedded_url

if TYPE_CHECKING:
    from standins.harness import LocalBridge

Running = TypeVar("Running", bound="LocalBridge")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
PLAYBOOK = ROOT / "playbooks" / "acme.yml"


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data, or skip the test with the reason when the folder is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not present: {path} (clone with ../shared beside the project)")
    return path


TEST_REDIS_VARIABLE = "BRIDGE_TEST_REDIS_URL"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The Redis the tests may write to: ``BRIDGE_TEST_REDIS_URL`` when set, else a private server.

    Never whatever answers on the default port: a developer's own Redis there is not ours to fill.
    """
    named = os.environ.get(TEST_REDIS_VARIABLE)
    if named:
        try:
            redis.Redis.from_url(named, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            pytest.exit(f"{TEST_REDIS_VARIABLE}={named} does not answer: {exc}", returncode=2)
        return named
    return embedded_url(tmp_path_factory.mktemp("redis"))


@pytest.fixture
def store(redis_url: str) -> Iterator[Store]:
    client = connect(redis_url)
    prefix = f"test-{uuid.uuid4().hex[:10]}:"
    yield Store(client, prefix)
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)


@contextmanager
def running_bridge(playbook: Path, redis_url: str, data_dir: Path, **options: Any) -> Iterator[LocalBridge]:
    """A started Slack-and-X bridge (``options`` go to :class:`LocalBridge`); stopped and its Redis
    keys removed afterwards."""
    from standins.harness import LocalBridge  # imported late: unit tests need no stand-ins

    with running(LocalBridge(playbook=playbook, redis_url=redis_url, data_dir=data_dir, **options)) as bridge:
        yield bridge


@contextmanager
def running(bridge: Running) -> Iterator[Running]:
    """Start ``bridge``; afterwards stop it and remove its Redis keys, whatever the test did."""
    bridge.start()
    try:
        yield bridge
    finally:
        bridge.cleanup_redis()
        bridge.stop()


@pytest.fixture
def local_bridge(redis_url: str, tmp_path: Path) -> Iterator[LocalBridge]:
    with running_bridge(PLAYBOOK, redis_url, tmp_path) as bridge:
        yield bridge
