"""``/bridge hours``: opening hours and whether the desk is open now, by a controllable clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bridge.domain.clock import ManualClock
from tests.conftest import PLAYBOOK, ROOT, running_bridge

pytestmark = pytest.mark.e2e


def ask(playbook: Path, redis_url: str, tmp_path: Path, at: datetime) -> str:
    with running_bridge(playbook, redis_url, tmp_path, clock=ManualClock(at)) as bridge:
        social = min(set(bridge.rt.commands.steering.social_team()))
        return str(bridge.slash(social, "C0SOCIAL", "hours").json()["text"])


def test_hours_says_open_or_when_the_desk_is_back(redis_url: str, tmp_path: Path) -> None:
    retailer = ROOT / "playbooks" / "retailer.yml"
    weekday_noon = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
    night = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert ask(retailer, redis_url, tmp_path, weekday_noon).startswith("Open now.")
    closed = ask(retailer, redis_url, tmp_path, night)
    assert closed.startswith("Closed now; back ") and "Opening hours" in closed
    assert "around the clock" in ask(PLAYBOOK, redis_url, tmp_path, weekday_noon)
