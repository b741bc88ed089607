"""A web process stopped right after its start waits for the chart warm-up it began: a thread still
inside matplotlib when the interpreter shut down crashed it (exit 134 or 139 instead of 0)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from bridge.app import web as web_app
from bridge.app.settings import Settings
from bridge.wiring import build, build_web_app
from standins.server import BackgroundServer
from tests.conftest import PLAYBOOK


def test_stopping_waits_for_the_chart_warm_up_it_started(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, finished = threading.Event(), threading.Event()

    def slow_warm_up() -> None:
        started.set()
        time.sleep(0.5)
        finished.set()

    monkeypatch.setattr(web_app, "warm_up", slow_warm_up)
    rt = build(Settings(redis_url=redis_url, bridge_playbook=PLAYBOOK, bridge_data_dir=tmp_path))
    server = BackgroundServer(build_web_app(rt)).start()
    assert started.wait(5)
    server.stop()  # the app's clean-up, as SIGTERM runs it
    assert finished.is_set(), "no warm-up thread is left running into the interpreter's shutdown"
