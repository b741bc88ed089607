"""``bridge playbook check | schema | test``: what a playbook author runs before anything goes live."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bridge.cli import main
from tests.conftest import ROOT

SAMPLE = ROOT / "playbooks" / "sample-mentions.jsonl"
RETAILER = ROOT / "playbooks" / "retailer.yml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_names_file_line_key_and_what_was_expected(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "brand: {name: A}\ndefault_department: s\ndepartments:\n  s: {slack_channel: C1}\n"
        "hours:\n  timezone: UTC\n  holidays: [2025-12-25]\n  weekly: {mon: '09:00-17:00'}\n"
        "  wekly: {}\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "playbook", "check", str(broken), str(RETAILER))
    assert code == 1
    assert f"{broken}:9: hours.wekly: unknown key (expected one of: holidays, timezone, weekly)" in err
    assert f"{RETAILER}: OK (Northwind Home, 7 departments)" in out


def test_schema_prints_a_json_schema_and_can_write_a_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "playbook", "schema")
    schema = json.loads(out)
    assert code == 0 and schema["title"] == "Escalation bridge playbook"
    assert "triage" in schema["properties"] and "$defs" in schema
    target = tmp_path / "playbook.schema.json"
    assert run(capsys, "playbook", "schema", "--output", str(target))[0] == 0
    assert json.loads(target.read_text(encoding="utf-8")) == schema


def test_a_dry_run_prints_each_decision_and_a_summary_without_contacting_anything(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIDGE_DATA_DIR", str(tmp_path))  # no fitted model there: the rules alone
    code, out, _ = run(capsys, "playbook", "test", str(RETAILER), str(SAMPLE))
    assert code == 0
    assert "Northwind Home, concierge model; triage by the rules; a dry run, nothing is posted" in out
    lines = out.splitlines()
    maria = next(i for i, line in enumerate(lines) if "@maria_k" in line)
    assert lines[maria].split()[2:5] == ["respond", "billing", "normal"]
    assert "routed to billing: keyword 'charged', priority 10" in " ".join(lines[maria : maria + 8])
    assert any("ignore" in line and "@cryptoking99" in line for line in lines)
    assert any("monitor" in line and "@angry_troll" in line for line in lines)
    assert "spam.crypto_links" in out and "out-of-hours acknowledgement posted" in out
    assert "department" in out and "cards  respond  monitor   ignore    noise" in out
    assert "21 mentions: 12 answered, 1 monitored, 3 noise, 5 ignored, 3 out-of-hours acknowledgements" in out


def test_the_dry_run_can_answer_in_json_lines_at_a_chosen_moment(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "playbook", "test", str(RETAILER), str(SAMPLE), "--json", "--at", "2025-03-30T02:00:00Z"
    )
    *rows, last = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 21 and set(last) == {"summary"}
    maria = rows[0]
    assert (maria["verdict"], maria["department"], maria["template"]) == (
        "respond",
        "billing",
        "acknowledgement",
    )
    assert maria["out_of_hours_ack"] is True  # at 02:00 on a Sunday the desk is closed
    assert all(row["reasons"] for row in rows)


def test_one_stop_and_hybrid_dry_runs_show_the_topic_their_rules_found(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "playbook", "test", str(ROOT / "playbooks" / "telecom.yml"), str(SAMPLE))
    assert "social<network" in out and "one-stop: social answers everything" in out
    assert "topics the default department answered (service model): " in out
    _, out, _ = run(capsys, "playbook", "test", str(ROOT / "playbooks" / "airline.yml"), str(SAMPLE))
    assert "es_team" in out and "(es_team has its own desk)" in out


def test_a_broken_mentions_file_names_its_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    mentions = tmp_path / "m.jsonl"
    mentions.write_text('# a comment\n{"text": "hi"}\n{"text": 3}\n', encoding="utf-8")
    code, _, err = run(capsys, "playbook", "test", str(RETAILER), str(mentions))
    assert code == 2 and f'{mentions}:3: expected an object with "text"' in err
    mentions.write_text('{"text": "hi", "created_at": "yesterday"}\nnot json\n', encoding="utf-8")
    code, _, err = run(capsys, "playbook", "test", str(RETAILER), str(mentions))
    assert code == 2 and "created_at 'yesterday' is not an ISO date and time" in err


def test_a_broken_playbook_stops_the_dry_run_with_its_problems(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    playbook = tmp_path / "p.yml"
    playbook.write_text("brand: {name: A}\ndefault_department: s\ndepartments: {}\n", encoding="utf-8")
    code, _, err = run(capsys, "playbook", "test", str(playbook), str(SAMPLE))
    assert code == 2 and f"{playbook}:2: default_department: 's' is not a department (none defined)" in err
