"""One log format for the bridge and the libraries it runs on, with the case on every line about it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from bridge.app.logs import bound, configure


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_json_lines_by_default_outside_a_terminal_for_bridge_rq_and_aiohttp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BRIDGE_LOG_FORMAT", raising=False)
    out = io.StringIO()
    assert configure("INFO", stream=out) == "json"
    with bound(case=1042):
        structlog.get_logger("bridge.desk").warning("refused", by="U2", action="claim")
        logging.getLogger("rq.worker").info("Worker %s: %s (%s)", "w1", "Job OK", "job-id")
    logging.getLogger("aiohttp.access").info("GET /healthz 200")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(line["logger"], line["event"], line.get("case")) for line in lines] == [
        ("bridge.desk", "refused", 1042),
        ("rq.worker", "Worker w1: Job OK (job-id)", 1042),
        ("aiohttp.access", "GET /healthz 200", None),
    ]
    assert lines[0]["by"] == "U2" and lines[0]["level"] == "warning" and lines[0]["timestamp"].endswith("Z")


def test_console_in_a_terminal_and_the_variable_overrides_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIDGE_LOG_FORMAT", raising=False)
    assert configure(stream=Terminal()) == "console"
    monkeypatch.setenv("BRIDGE_LOG_FORMAT", "json")
    assert configure(stream=Terminal()) == "json"
    monkeypatch.setenv("BRIDGE_LOG_FORMAT", "console")
    out = io.StringIO()
    assert configure(stream=out) == "console"
    with bound(case=7):
        logging.getLogger("rq.job").warning("slow")
    assert "slow" in out.getvalue() and "case=7" in out.getvalue()


def test_configuring_twice_writes_each_line_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIDGE_LOG_FORMAT", "json")
    out = io.StringIO()
    configure(stream=out)
    configure(stream=out)
    structlog.get_logger("bridge").info("serving", port=3000)
    assert len(out.getvalue().splitlines()) == 1


def test_the_level_variable_filters_the_libraries_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIDGE_LOG_FORMAT", "json")
    monkeypatch.setenv("BRIDGE_LOG_LEVEL", "WARNING")
    out = io.StringIO()
    configure(stream=out)
    structlog.get_logger("bridge").info("quiet")
    logging.getLogger("rq.worker").info("quiet too")
    logging.getLogger("rq.worker").error("heard")
    assert [json.loads(line)["event"] for line in out.getvalue().splitlines()] == ["heard"]
