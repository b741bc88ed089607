"""The playbook's sections: the README contract still loads, every new section refuses typos with their
file and line, the examples are valid, the JSON Schema is generated, and reloading keeps a good one."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import jsonschema
import pytest
import yaml

from bridge.domain.errors import PlaybookError
from bridge.playbook.loader import load_model
from bridge.playbook.model import Playbook, load_playbook, playbook_schema
from bridge.playbook.source import PlaybookSource
from tests.conftest import ROOT

BASE = """brand: {name: Acme}
default_department: social
departments:
  social: {slack_channel: C0SOCIAL, approvers: [U0SOC2]}
  billing: {slack_channel: C0BILLING, keywords: [refund]}
"""
EXAMPLES = ["retailer.yml", "telecom.yml", "airline.yml"]


def load(extra: str) -> Playbook:
    return load_model(Path("desk.yml"), Playbook, text=BASE + extra)


def problems(extra: str) -> str:
    with pytest.raises(PlaybookError) as caught:
        load(extra)
    return str(caught.value)


def test_the_readme_contract_playbook_still_validates_unchanged() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## The playbook\s+```yaml\n(.*?)```", readme, re.DOTALL)
    assert block is not None
    playbook = load_model(Path("README.md"), Playbook, text=block.group(1))
    assert playbook.departments["billing"].keywords == ["refund", "invoice", "charged"]
    assert playbook.service_model == "concierge" and playbook.hours is None
    assert playbook.out_of_hours.auto_acknowledge == {}  # off by default
    assert playbook.sla.first_response_for("x") == 15 and playbook.sla.first_response_for("facebook") == 60


@pytest.mark.parametrize("name", ["acme.yml", "crisis-example.yml", *EXAMPLES])
def test_shipped_playbooks_load(name: str) -> None:
    assert load_playbook(ROOT / "playbooks" / name).brand.name


def test_the_examples_show_the_three_service_models() -> None:
    models = {name: load_playbook(ROOT / "playbooks" / name).service_model for name in EXAMPLES}
    assert models == {"retailer.yml": "concierge", "telecom.yml": "one_stop", "airline.yml": "hybrid"}


@pytest.mark.parametrize(
    ("section", "where"),
    [
        ("triage:\n  noise_get_card: true\n", "desk.yml:7: triage.noise_get_card: unknown key"),
        (
            "triage:\n  spam:\n    - name: spam.x\n      keywrods: [win]\n",
            "desk.yml:9: triage.spam[0].keywrods: unknown key",
        ),
        ("hours:\n  timezone: UTC\n  weeky: {mon: 09:00-17:00}\n", "desk.yml:8: hours.weeky: unknown key"),
        ("sla:\n  first_response: {x: 5}\n", "desk.yml:7: sla.first_response: unknown key"),
        ("templates:\n  apologie: Sorry\n", "desk.yml:7: templates.apologie: unknown key"),
        ("out_of_hours:\n  auto_ack: {x: true}\n", "desk.yml:7: out_of_hours.auto_ack: unknown key"),
        ("accounts:\n  x: {user_id: '1', handle: A, main: B}\n", "desk.yml:7: accounts.x.main: unknown key"),
        ("accounts:\n  answer_from: {brand: main, press: care}\n", "accounts.answer_from.press: unknown key"),
        (
            (
                "author_lists: {vip: [a]}\nservice_model: concierge\n"
                "hours:\n  holidays: [{date: 2025-12-25, nme: X}]\n"
            ),
            "desk.yml:9: hours.holidays[0].nme: unknown key",
        ),
    ],
)
def test_a_typo_in_any_new_section_names_file_line_and_key(section: str, where: str) -> None:
    assert where in problems(section)


def test_an_unknown_key_lists_what_was_expected() -> None:
    text = problems("out_of_hours:\n  auto_ack: {x: true}\n")
    assert "expected one of: auto_acknowledge, template" in text


DEPARTMENT = """brand: {name: Acme}
default_department: social
departments:
  social: {slack_channel: C0SOCIAL}
  billing:
    slack_channel: C0BILLING
"""


def department_problems(extra: str) -> str:
    with pytest.raises(PlaybookError) as caught:
        load_model(Path("desk.yml"), Playbook, text=DEPARTMENT + extra)
    return str(caught.value)


def test_a_typo_in_a_departments_routing_rule_names_its_line() -> None:
    text = department_problems("    rules:\n      - {name: es, languages: [es], priorty: 5}\n")
    assert "desk.yml:8: departments.billing.rules[0].priorty: unknown key" in text
    assert "priority" in text


def test_an_author_list_that_does_not_exist_points_at_the_rule() -> None:
    text = department_problems("    authors: [vips]\n")
    assert "desk.yml:7: departments.billing.authors: no author list named vips" in text
    text = department_problems("    rules:\n      - {authors: [press]}\n")
    assert "desk.yml:8: departments.billing.rules.0.authors" not in text
    assert "desk.yml:8: departments.billing.rules[0].authors: no author list named press" in text


@pytest.mark.parametrize(
    ("section", "where"),
    [
        ("service_model: hybrid\n", "desk.yml:6: service_model: hybrid needs at least one department"),
        (
            "out_of_hours: {template: greeting}\n",
            "desk.yml:6: out_of_hours.template: 'greeting' is not a template",
        ),
        (
            "out_of_hours: {auto_acknowledge: {x: true}}\n",
            "out_of_hours.auto_acknowledge: needs opening hours",
        ),
        ("hours: {timezone: Mars/Olympus}\n", "desk.yml:6: hours.timezone: unknown time zone 'Mars/Olympus'"),
        (
            "hours: {weekly: {mon: 9-5}}\n",
            "desk.yml:6: hours.weekly.mon: '9-5' is not a span like 08:00-17:30",
        ),
        (
            "sla: {first_response_minutes: {x: 0}}\n",
            "sla.first_response_minutes: first response minutes must be",
        ),
        (
            "templates: {apology: 'Sorry {{ autor.name }}'}\n",
            "desk.yml:6: templates.apology: unknown placeholder",
        ),
        ("service_model: one-stop\n", "desk.yml:6: service_model: Input should be 'concierge', 'one_stop'"),
    ],
)
def test_checks_across_sections_point_at_the_key_they_name(section: str, where: str) -> None:
    assert where in problems(section)


def test_the_json_schema_is_generated_from_the_models_and_the_examples_satisfy_it() -> None:
    schema = playbook_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False
    for section in ("triage", "hours", "sla", "templates", "out_of_hours", "service_model", "author_lists"):
        assert section in schema["properties"]
    for name in ["acme.yml", *EXAMPLES]:
        data = yaml.safe_load((ROOT / "playbooks" / name).read_text(encoding="utf-8"))
        jsonschema.validate(json.loads(json.dumps(data, default=str)), schema)
    typo = {"brand": {"name": "A"}, "default_department": "s", "departments": {}, "tirage": {}}
    with pytest.raises(jsonschema.ValidationError, match="tirage"):
        jsonschema.validate(typo, schema)


# --- reloading without a restart ---------------------------------------------------------------------


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stamp = time.time() + 1  # a different modification time even on coarse file systems
    os.utime(path, (stamp, stamp))


def test_a_changed_playbook_is_used_without_a_restart_and_a_broken_edit_never_replaces_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "desk.yml"
    path.write_text(BASE, encoding="utf-8")
    source = PlaybookSource(path)
    assert source().departments["billing"].keywords == ["refund"]

    _write(path, BASE.replace("[refund]", "[refund, invoice]"))
    assert source().departments["billing"].keywords == ["refund", "invoice"]
    assert source.last_error == ""

    good = source()
    _write(path, BASE.replace("keywords", "keywrods"))
    assert source() is good  # the broken edit is refused; the last good playbook stays in force
    assert "desk.yml:5: departments.billing.keywrods: unknown key" in source.last_error

    _write(path, BASE + "service_model: one_stop\n")
    assert source().service_model == "one_stop" and source.last_error == ""
