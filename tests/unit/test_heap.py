"""The web process, the poller and the workers freeze their start-up heap before they serve, so a
full garbage collection never walks it while Slack clicks wait (a 100 ms stall at concurrency 20)."""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, cast

import pytest
from aiohttp import web

from bridge import cli
from bridge.app import processes
from bridge.app.runtime import Runtime

#: Far fewer objects than any of the three processes holds once built, far more than none.
SOME_THOUSANDS = 10_000


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_bridge_serve_freezes_its_heap_once_built_and_before_it_serves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frozen_when: dict[str, int] = {}
    rt = SimpleNamespace(
        playbook=None, chats={}, settings=SimpleNamespace(slack_app_token="", bridge_port=8080)
    )

    def build_web_app(_rt: object) -> web.Application:
        frozen_when["built"] = gc.get_freeze_count()
        return web.Application()

    def serve(_app: web.Application, *_where: Any) -> None:
        frozen_when["serving"] = gc.get_freeze_count()

    monkeypatch.setattr(cli, "_runtime_on_reachable_redis", lambda: rt)
    monkeypatch.setattr(cli, "warn_missing_chats", lambda *_: None)
    monkeypatch.setattr("bridge.wiring.build_web_app", build_web_app)
    monkeypatch.setattr("bridge.app.web.serve_until_stopped", serve)
    assert cli.cmd_serve(argparse.Namespace(port=0, host="127.0.0.1")) == 0
    assert frozen_when["built"] == 0
    assert frozen_when["serving"] > SOME_THOUSANDS, "what start-up made is out of the collector's way"


def test_a_worker_freezes_its_heap_before_its_first_job(monkeypatch: pytest.MonkeyPatch) -> None:
    frozen_when: dict[str, int] = {}

    class Worker:
        def __init__(self, *_args: object, **_options: object) -> None:
            pass

        def work(self, **_options: object) -> bool:
            frozen_when["working"] = gc.get_freeze_count()
            return True

    rt = SimpleNamespace(
        playbook=None,
        chats={},
        dispatch=SimpleNamespace(queues=[]),
        redis=None,
        open_history_early=lambda: None,
    )
    monkeypatch.setattr(cli, "_runtime_on_reachable_redis", lambda: rt)
    monkeypatch.setattr(cli, "warn_missing_chats", lambda *_: None)
    monkeypatch.setattr("bridge.app.workers.BridgeWorker", Worker)
    cli.cmd_worker(argparse.Namespace(burst=True))
    assert frozen_when["working"] > SOME_THOUSANDS


def test_the_poller_freezes_its_heap_after_the_warm_up_and_before_its_first_poll(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frozen_when: dict[str, int] = {}
    monkeypatch.setattr(
        processes, "warm_up_triage", lambda _rt: frozen_when.update(warm=gc.get_freeze_count())
    )
    monkeypatch.setattr(processes, "start_streams", lambda _rt: [])

    def poll_loop(_rt: object, _stopping: object, *, once: bool) -> int:
        frozen_when["polling"] = gc.get_freeze_count()
        return 0

    monkeypatch.setattr(processes, "_poll_loop", poll_loop)
    assert processes.poll_forever(cast(Runtime, SimpleNamespace()), once=True) == 0
    assert frozen_when["warm"] == 0 and frozen_when["polling"] > SOME_THOUSANDS


def test_the_web_processs_chart_warm_up_is_frozen_too_once_loaded() -> None:
    """matplotlib loads in a thread after the web process has frozen its heap; unfrozen, it was
    walked by every full collection (an 11 ms pause, the p99 of a round of Claims)."""
    code = (
        "import gc\n"
        "from bridge.app.web import _warm_up_charts\n"
        "_warm_up_charts()\n"
        "import matplotlib\n"
        "print(any(o is matplotlib.rcParams for o in gc.get_objects()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "False", "matplotlib's objects are still the collector's to walk"
