"""Playbook mistakes that used to slip through or crash: repeated keys, bytes that are not UTF-8, a
broken edit during a hot reload, checks across sections pointing at the wrong line, only the first bad
template reported; and the dry run's JSON summary and mentions-file errors."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from bridge.cli import main
from bridge.domain.errors import PlaybookError
from bridge.playbook import source as playbook_source
from bridge.playbook.loader import load_model
from bridge.playbook.model import Playbook, load_playbook
from bridge.playbook.source import PlaybookSource
from bridge.triage.dry_run import read_mentions
from tests.conftest import ROOT

RETAILER = ROOT / "playbooks" / "retailer.yml"
SAMPLE = ROOT / "playbooks" / "sample-mentions.jsonl"

GOOD = """brand: {name: Acme}
default_department: social
departments:
  social: {slack_channel: C0SOCIAL, approvers: [U1]}
  billing: {slack_channel: C0BILLING, keywords: [refund]}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(PlaybookError) as caught:
        load_model(Path("desk.yml"), Playbook, text=text)
    return caught.value.problems


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- 1. a key given twice ----------------------------------------------------------------------------


def test_a_department_given_twice_names_both_lines() -> None:
    text = GOOD + "  returns: {slack_channel: C0RET}\n  billing: {slack_channel: C0OTHER}\n"
    assert problems(text) == ["desk.yml:7: departments.billing: duplicate key (first at line 5)"]


def test_a_day_given_twice_in_the_weekly_hours_names_both_lines() -> None:
    text = GOOD + "hours:\n  timezone: UTC\n  weekly:\n    mon: 09:00-17:00\n    tue: 09:00-17:00\n"
    text += "    mon: 10:00-12:00\n"
    assert problems(text) == ["desk.yml:11: hours.weekly.mon: duplicate key (first at line 9)"]


def test_a_section_given_twice_at_the_top_and_every_repeat_are_reported() -> None:
    text = (
        GOOD + "hours: {timezone: UTC}\nsla: {first_response_minutes: {x: 5, x: 9}}\nhours: {timezone: CET}\n"
    )
    assert problems(text) == [
        "desk.yml:7: sla.first_response_minutes.x: duplicate key (first at line 7)",
        "desk.yml:8: hours: duplicate key (first at line 6)",
    ]


def test_merge_keys_still_work_and_overriding_a_merged_key_is_not_a_repeat() -> None:
    text = """brand: {name: Acme}
default_department: social
departments:
  social: &team {slack_channel: C0SOCIAL, approvers: [U1]}
  billing:
    <<: *team
    slack_channel: C0BILLING
    keywords: [refund]
"""
    playbook = load_model(Path("desk.yml"), Playbook, text=text)
    billing = playbook.departments["billing"]
    assert (billing.slack_channel, billing.approvers, billing.keywords) == ("C0BILLING", ["U1"], ["refund"])
    assert playbook.departments["social"].slack_channel == "C0SOCIAL"


# --- 2. a file that is not UTF-8 ---------------------------------------------------------------------


def test_bytes_that_are_not_utf8_are_a_playbook_error_with_line_and_column(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "latin1.yml"
    broken.write_bytes(GOOD.replace("C0BILLING", "C0BILL\xffNG").encode("latin-1"))
    with pytest.raises(PlaybookError, match=r"latin1\.yml:5: not valid UTF-8 \(byte 0xff at column 34\)"):
        load_playbook(broken)
    code, out, err = run(capsys, "playbook", "check", str(broken), str(RETAILER))
    assert code == 1  # as for any other broken playbook
    assert f"{broken}:5: not valid UTF-8 (byte 0xff at column 34)" in err
    assert "Traceback" not in err and f"{RETAILER}: OK" in out


def test_a_control_character_points_at_its_line() -> None:
    assert problems(GOOD + "sla: {respect_hours: \x07true}\n") == [
        "desk.yml:6: not valid YAML: character #x0007 is not allowed (special characters are not allowed)"
    ]


# --- 3. hot reload: any failure keeps the playbook in force ------------------------------------------


def _edit(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    stamp = time.time() + 1  # a different modification time even on coarse file systems
    os.utime(path, (stamp, stamp))


def test_an_edit_that_is_not_utf8_keeps_the_good_playbook(tmp_path: Path) -> None:
    path = tmp_path / "desk.yml"
    path.write_text(GOOD, encoding="utf-8")
    source = PlaybookSource(path)
    good = source()
    _edit(path, GOOD.encode("utf-8") + b"# caf\xe9\n")
    assert source() is good
    assert f"{path}:6: not valid UTF-8 (byte 0xe9 at column 6)" in source.last_error


def test_an_unexpected_failure_while_reloading_keeps_the_good_playbook_and_is_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "desk.yml"
    path.write_text(GOOD, encoding="utf-8")
    source = PlaybookSource(path)
    good = source()

    def explode(_: Path) -> Playbook:
        raise RecursionError("maximum recursion depth exceeded")

    with monkeypatch.context() as patched:
        patched.setattr(playbook_source, "load_playbook", explode)
        _edit(path, GOOD.replace("[refund]", "[refund, invoice]").encode("utf-8"))
        with capture_logs() as logs:
            assert source() is good  # a request or a job never sees the exception
            assert source() is good
    assert "RecursionError: maximum recursion depth exceeded" in source.last_error
    assert [entry["event"] for entry in logs] == ["playbook_reload_failed"]  # once, not on every call

    _edit(path, GOOD.replace("[refund]", "[refund, charged]").encode("utf-8"))
    assert source().departments["billing"].keywords == ["refund", "charged"] and source.last_error == ""


# --- 4. checks across sections point at the key they name --------------------------------------------


def test_an_unknown_default_department_points_at_its_key() -> None:
    text = GOOD.replace("default_department: social", "default_department: sociall")
    assert problems(text) == [
        "desk.yml:2: default_department: 'sociall' is not a department (billing, social)"
    ]


def test_every_check_across_sections_is_reported_at_its_key_whatever_the_names() -> None:
    text = """brand: {name: Acme}
default_department: socials
departments:
  social: {slack_channel: C0SOCIAL, approvers: [U1]}
  customer care:
    slack_channel: C0CARE
    authors: [vips]
  billing.eu:
    slack_channel: C0BILLING
    own_desk: true
out_of_hours: {template: greeting}
"""
    assert problems(text) == [
        "desk.yml:2: default_department: 'socials' is not a department (billing.eu, customer care, social)",
        (
            "desk.yml:7: departments.customer care.authors: no author list named vips "
            "(author_lists: none defined; write @handle for a single author)"
        ),
        (
            "desk.yml:10: departments.billing.eu.own_desk: only applies with service_model: hybrid "
            "(this playbook is concierge)"
        ),
        (
            "desk.yml:11: out_of_hours.template: 'greeting' is not a template (expected one of: "
            "acknowledgement, apology, move_to_dm, out_of_hours, closing)"
        ),
    ]


# --- 6. every bad custom template --------------------------------------------------------------------


def test_every_bad_custom_template_is_reported_at_its_own_line() -> None:
    text = (
        GOOD
        + """templates:
  custom:
    baggage: "Hi {{ autor.handle }}"
    refund: "Hi {{ author.handle }}, here is how"
    delay: "Sorry {% if %}"
    apology: "x"
"""
    )
    found = problems(text)
    assert len(found) == 3
    assert found[0].startswith(
        "desk.yml:8: templates.custom.baggage: unknown placeholder: 'autor' is undefined"
    )
    assert found[1].startswith("desk.yml:10: templates.custom.delay: not a valid template:")
    assert found[2] == (
        "desk.yml:11: templates.custom.apology: 'apology' cannot name a custom template "
        "(a word, not a built-in name)"
    )


# --- 5. the JSON dry run ends with the summary -------------------------------------------------------


def test_the_json_dry_run_ends_with_the_summary_the_text_shows(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "playbook", "test", str(RETAILER), str(SAMPLE), "--json")
    *rows, last = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 21 and all("summary" not in row for row in rows)
    summary = last["summary"]
    assert {k: summary[k] for k in ("mentions", "answered", "monitored", "noise", "ignored")} == {
        "mentions": 21,
        "answered": 12,
        "monitored": 1,
        "noise": 3,
        "ignored": 5,
    }
    assert summary["out_of_hours_acks"] == 3

    _, text, _ = run(capsys, "playbook", "test", str(RETAILER), str(SAMPLE))
    table = text[text.index("department  ") :].splitlines()
    columns = table[0].split()[1:]
    assert columns == ["cards", "respond", "monitor", "ignore", "noise"]
    shown = {
        line.split()[0]: dict(zip(columns, map(int, line.split()[1:]), strict=True)) for line in table[1:-1]
    }
    assert shown == {**summary["departments"], "total": summary["total"]}
    per_department = Counter(row["department"] for row in rows)
    verdicts = ("respond", "monitor", "ignore", "noise")
    assert per_department == {name: sum(c[v] for v in verdicts) for name, c in summary["departments"].items()}


# --- 7. a follower count that is not a number --------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            '{"text": "hi", "author": {"handle": "a", "followers": "many"}}',
            "author.followers: expected a whole number, got 'many'",
        ),
        ('{"text": "hi", "author": "a", "followers": [1]}', "followers: expected a whole number, got [1]"),
        (
            '{"text": "hi", "author": {"followers": 1.5}}',
            "author.followers: expected a whole number, got 1.5",
        ),
    ],
)
def test_a_follower_count_that_is_not_a_whole_number_names_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, line: str, problem: str
) -> None:
    mentions = tmp_path / "mentions.jsonl"
    mentions.write_text('{"text": "fine", "author": {"handle": "b", "followers": "120"}}\n' + line + "\n")
    code, _, err = run(capsys, "playbook", "test", str(RETAILER), str(mentions))
    assert code == 2 and err == f"bridge: {mentions}:2: {problem}\n"


def test_follower_counts_written_as_numbers_or_digits_still_read(tmp_path: Path) -> None:
    mentions = tmp_path / "mentions.jsonl"
    mentions.write_text(
        '{"text": "a", "author": {"handle": "b", "followers": "120"}}\n{"text": "b", "followers": 7.0}\n'
        '{"text": "c", "author": {"handle": "d", "followers": 0}, "followers": 3}\n{"text": "d"}\n',
        encoding="utf-8",
    )
    found = read_mentions(mentions, load_playbook(RETAILER), datetime(2025, 3, 3, tzinfo=UTC))
    assert [mention.author.followers for _, mention in found] == [120, 7, 3, 0]


# --- departments nobody could sign off ---------------------------------------------------------------


def test_a_desk_where_nobody_may_approve_is_an_error_at_the_department() -> None:
    text = GOOD.replace(
        "social: {slack_channel: C0SOCIAL, approvers: [U1]}", "social: {slack_channel: C0SOCIAL}"
    )
    found = problems(text)
    assert found and all("nobody may approve" in line and ".approvers:" in line for line in found)


def test_a_lone_drafter_under_four_eyes_is_an_error_and_others_borrow_the_social_approvers() -> None:
    lone = """brand: {name: Acme}
default_department: social
sign_off: {four_eyes: true}
departments:
  social: {slack_channel: C0SOCIAL, experts: [U1], approvers: [U1]}
"""
    assert problems(lone) == [
        (
            "desk.yml:5: departments.social.approvers: U1 is the only person who may draft and approve; with "
            "sign_off.four_eyes nobody else could approve their drafts (add a second person)"
        )
    ]
    lent = load_model(Path("desk.yml"), Playbook, text=GOOD)
    assert lent.departments["billing"].approvers == lent.departments["social"].approvers == ["U1"]
