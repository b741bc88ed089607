"""``bridge export cases``: streamed CSV and JSON lines from the history, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bridge.cli import main
from bridge.reports.export import COLUMNS, write_cases
from bridge.store.history import CaseFacts, forget_engines
from tests.support.history import sqlite_history

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def case(number: int, text: str = "hello") -> CaseFacts:
    at = T0 + timedelta(days=number - 1001)
    return CaseFacts(number=number, platform="x", created_at=at, closed_at=at, state="posted", text=text)


def test_csv_has_a_header_and_defuses_formulas_in_customers_words() -> None:
    out = io.StringIO()
    assert write_cases([case(1001, '=HYPERLINK("http://evil.example")'), case(1002)], "csv", out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(COLUMNS)
    assert rows[0]["text"].startswith("'=HYPERLINK") and rows[0]["created_at"] == T0.isoformat()
    assert rows[1]["csat"] == ""


def test_jsonl_is_one_case_a_line_with_iso_times() -> None:
    out = io.StringIO()
    assert write_cases([case(1001), case(1002)], "jsonl", out) == 2
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["number"] for line in lines] == [1001, 1002] and lines[0]["closed_at"] == T0.isoformat()


def test_the_command_exports_the_period_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    history = sqlite_history(tmp_path)
    for number in (1001, 1002, 1003):
        history.save(case(number), [])
    forget_engines()
    monkeypatch.setenv("BRIDGE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    target = tmp_path / "out.jsonl"
    argv = [
        "export",
        "cases",
        "--since",
        "2026-11-03",
        "--until",
        "2026-11-04",
        "--format",
        "jsonl",
        "-o",
        str(target),
    ]
    assert main(argv) == 0
    assert [json.loads(line)["number"] for line in target.read_text().splitlines()] == [1002]
    assert "Exported 1 cases" in capsys.readouterr().err
    assert main(["export", "cases", "--since", "yesterday-ish"]) == 2
    forget_engines()
