"""`bridge triage fit` and `bridge playbook suggest` as an operator runs them: separate processes on a
Redis that holds a month of the desk's decisions."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bridge.playbook.model import load_playbook
from bridge.store.cases import Store
from bridge.triage.learning.harvest import WEAK_AFTER_DAYS, Harvester
from bridge.triage.learning.model import MODEL_FILE, NeedModel
from tests.conftest import PLAYBOOK
from tests.e2e.test_processes import environment
from tests.support.desk_month import simulate_month

pytestmark = pytest.mark.e2e


def _bridge(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bridge.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_triage_fit_harvests_the_desks_month_and_saves_a_model_that_beats_the_rules(
    store: Store, redis_url: str, tmp_path: Path
) -> None:
    playbook = load_playbook(PLAYBOOK)
    simulate_month(store, playbook, posts=300)
    env = environment(redis_url, tmp_path, BRIDGE_KEY_PREFIX=store.prefix)

    early = _bridge(env, "triage", "fit")  # what was set aside is not a week old: too early to tell

    assert early.returncode == 0, early.stderr
    assert "Harvested 300 new or changed cases:" in early.stdout
    assert " answered" in early.stdout and " rescued" in early.stdout
    assert "count as not needed once 7 days old" in early.stdout
    assert "Not enough labels where the rules say noise" in early.stdout
    assert not (tmp_path / MODEL_FILE).exists()

    week_later = Harvester(store, playbook).run(datetime.now(UTC) + timedelta(days=WEAK_AFTER_DAYS + 1))
    assert week_later.counts["set_aside"] > 50
    fitted = _bridge(env, "triage", "fit")

    assert fitted.returncode == 0, fitted.stderr
    out = fitted.stdout
    assert "Harvested 0 new or changed cases: no new labels." in out
    assert "Rules alone (5-fold):" in out and "Rules with the model (5-fold):" in out
    assert "Better than the rules" in out and f"Saved {tmp_path / MODEL_FILE}" in out
    model = NeedModel.load(tmp_path / MODEL_FILE)
    assert model.labels > 250 and "F1" in model.figures

    suggested = _bridge(env, "playbook", "suggest")
    assert suggested.returncode == 0, suggested.stderr
    assert "  billing:  # " in suggested.stdout and '- "voucher"' in suggested.stdout


def test_triage_fit_without_labels_says_so_and_saves_nothing(redis_url: str, tmp_path: Path) -> None:
    result = _bridge(environment(redis_url, tmp_path), "triage", "fit")

    assert result.returncode == 0, result.stderr
    assert "Not enough labels to fit: 0" in result.stdout
    assert not (tmp_path / MODEL_FILE).exists()
