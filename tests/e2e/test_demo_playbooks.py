"""``bridge demo`` works with every sample playbook, and ``bridge case`` afterwards says where the demo's
cases went."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

PLAYBOOKS = sorted((ROOT / "playbooks").glob("*.yml"))


def bridge(tmp_path: Path, *args: str, playbook: Path) -> subprocess.CompletedProcess[str]:
    """``python -m bridge.cli …`` as someone would run it: no credentials, no REDIS_URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "X_", "TEAMS_", "REDIS_"))}
    env.update({"BRIDGE_PLAYBOOK": str(playbook), "BRIDGE_DATA_DIR": str(tmp_path / "var")})
    return subprocess.run(
        [sys.executable, "-m", "bridge.cli", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.parametrize("playbook", PLAYBOOKS, ids=[p.stem for p in PLAYBOOKS])
def test_the_demo_finishes_the_loop_with_every_sample_playbook(tmp_path: Path, playbook: Path) -> None:
    done = bridge(tmp_path, "demo", playbook=playbook)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert "Done: the answer is on X and the card says so." in done.stdout
    assert "[bridge → X     ] reply to post" in done.stdout
    assert "its cases are not kept, so `bridge case 1001` will not find them" in done.stdout


def test_bridge_case_after_the_demo_says_the_demos_cases_are_not_kept(tmp_path: Path) -> None:
    playbook = ROOT / "playbooks" / "acme.yml"
    assert bridge(tmp_path, "demo", playbook=playbook).returncode == 0
    done = bridge(tmp_path, "case", "1001", playbook=playbook)
    assert done.returncode == 1
    assert "There is no case #1001." in done.stderr
    assert "`bridge demo` keeps none of its cases: it runs on a throwaway Redis" in done.stderr
