"""End-to-end fixtures shared by the Teams tests: a running Teams bridge, installed in its team."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from standins.teams_harness import LocalTeamsBridge
from tests.conftest import ROOT, running

TEAMS_PLAYBOOK = ROOT / "tests" / "fixtures" / "teams.yml"


@contextmanager
def running_teams(
    playbook: Path, redis_url: str, data_dir: Path, *, install: bool = True, **options: Any
) -> Iterator[LocalTeamsBridge]:
    """A started Teams bridge (``options`` go to :class:`LocalTeamsBridge`), installed in its team
    unless ``install`` is False; stopped and its Redis keys removed afterwards."""
    with running(
        LocalTeamsBridge(playbook=playbook, redis_url=redis_url, data_dir=data_dir, **options)
    ) as bridge:
        if install:
            assert bridge.install().status == 200
        yield bridge


@pytest.fixture
def teams(redis_url: str, tmp_path: Path) -> Iterator[LocalTeamsBridge]:
    with running_teams(TEAMS_PLAYBOOK, redis_url, tmp_path) as bridge:
        yield bridge
