"""The Bolt app starts quietly and still speaks to the Slack API the settings name."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.conftest import PLAYBOOK, running_bridge
from tests.e2e.test_concierge_loop import open_case

pytestmark = pytest.mark.e2e


def test_bolt_gives_no_token_warning_at_start_even_with_the_token_in_the_environment(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    with caplog.at_level(logging.WARNING), running_bridge(PLAYBOOK, redis_url, tmp_path) as bridge:
        number = open_case(bridge)
        bridge.slash("U0SOC1", "C0SOCIAL", f"hide {number}")  # a listener's own client: views.open
        assert bridge.slack.calls_to("views.open"), "Bolt's client goes to the stand-in"
    unused = [r.getMessage() for r in caplog.records if "will be unused" in r.getMessage()]
    assert unused == []
