"""What an operator touches: health, metrics, the case timeline command, start-up refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from adapters.slack.cards import ACTION_IDS
from bridge.app.settings import Settings
from bridge.cli import main
from bridge.domain.errors import ConfigurationError
from bridge.wiring import build, build_web_app
from standins.harness import LocalBridge
from tests.conftest import PLAYBOOK
from tests.e2e.test_concierge_loop import open_case

pytestmark = pytest.mark.e2e


def test_healthz_and_metrics(local_bridge: LocalBridge) -> None:
    number = open_case(local_bridge)
    local_bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    health = requests.get(local_bridge.web.url + "/healthz", timeout=5)
    # the harness runs its jobs in burst workers: no worker is alive between drains
    assert health.status_code == 503 and health.json()["redis"] == "ok" and health.json()["workers"] == 0
    metrics = requests.get(local_bridge.web.url + "/metrics", timeout=5).text
    assert 'bridge_http_requests_total{route="/slack/events",status="200"}' in metrics


def test_bridge_case_prints_the_timeline(
    local_bridge: LocalBridge,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    redis_url: str,
) -> None:
    number = open_case(local_bridge)
    local_bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("BRIDGE_KEY_PREFIX", local_bridge.rt.store.prefix)
    monkeypatch.setenv("BRIDGE_PLAYBOOK", str(PLAYBOOK))
    assert main(["case", str(number)]) == 0
    out = capsys.readouterr().out
    assert f"Case #{number}" in out and "State: claimed" in out
    assert "ingested" in out and "claim" in out and "by U0EXP1" in out
    assert main(["case", "999999"]) == 1
    assert "There is no case #999999" in capsys.readouterr().err
    assert main(["case", "abc"]) == 2


def test_http_mode_refuses_to_start_without_a_signing_secret(redis_url: str, tmp_path: Path) -> None:
    settings = Settings(
        redis_url=redis_url,
        bridge_playbook=PLAYBOOK,
        bridge_data_dir=tmp_path,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=None,
    )
    with pytest.raises(ConfigurationError, match="SLACK_SIGNING_SECRET"):
        build_web_app(build(settings))
