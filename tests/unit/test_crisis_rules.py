"""The playbook's crisis section: defaults, keyword topics, and errors a playbook author can act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.domain.errors import PlaybookError
from bridge.playbook import crisis_rules as r
from bridge.playbook.crisis_rules import CrisisRules
from bridge.playbook.loader import load_model
from bridge.playbook.model import Playbook
from tests.conftest import ROOT

BASE = """brand: {name: Acme}
default_department: social
departments:
  social: {slack_channel: C0SOCIAL, approvers: [U0SOC2]}
"""


def load(crisis: str) -> Playbook:
    return load_model(Path("crisis.yml"), Playbook, text=BASE + crisis)


def test_a_playbook_without_a_crisis_section_has_crisis_mode_off() -> None:
    assert load("").crisis is None


def test_left_out_keys_take_the_named_defaults() -> None:
    crisis = load("crisis:\n  leadership: {slack_channel: C0LEAD, approvers: [U0CEO, U0CCO]}\n").crisis
    assert crisis is not None
    assert crisis.rules == [] and crisis.clusters.enabled
    assert crisis.clusters.min_mentions == r.DEFAULT_CLUSTER_MIN_MENTIONS
    assert crisis.bulk_posts_per_window == r.DEFAULT_BULK_POSTS_PER_WINDOW
    assert crisis.bulk_window_minutes == r.DEFAULT_BULK_WINDOW_MINUTES
    assert crisis.statement_account == "main"
    assert "{{ statement.url }}" in crisis.bulk_reply_template


def test_keywords_match_whole_words_in_playbook_order() -> None:
    crisis = CrisisRules.model_validate(
        {
            "leadership": {"slack_channel": "C1", "approvers": ["U1", "U2"]},
            "rules": [
                {"topic": "recall", "keywords": ["recall", "recalled"]},
                {"topic": "outage", "keywords": ["not working"]},
            ],
        }
    )
    assert crisis.rule_for("My kettle was RECALLED today").topic == "recall"  # type: ignore[union-attr]
    assert crisis.rule_for("the app is Not Working again").topic == "outage"  # type: ignore[union-attr]
    assert crisis.rule_for("recalling my childhood") is None
    assert crisis.thresholds("cluster-7") is crisis.clusters
    assert crisis.thresholds("recall").min_mentions == r.DEFAULT_MIN_MENTIONS


def test_a_typo_in_a_rule_names_file_line_and_the_keys_expected() -> None:
    with pytest.raises(PlaybookError) as caught:
        load(
            "crisis:\n"
            "  leadership: {slack_channel: C0LEAD, approvers: [U0CEO, U0CCO]}\n"
            "  rules:\n"
            "    - topic: recall\n"
            "      keywords: [recall]\n"
            "      min_mentons: 3\n"
        )
    message = str(caught.value)
    assert "crisis.yml:10: crisis.rules[0].min_mentons: unknown key" in message
    assert "min_mentions" in message and "window_minutes" in message


@pytest.mark.parametrize(
    ("crisis", "problem"),
    [
        ("  leadership: {approvers: [U0CEO]}\n", "leadership needs a slack_channel"),
        ("  leadership: {slack_channel: C0LEAD, approvers: [U0CEO]}\n", "needs four eyes"),
        ("  leadership: {slack_channel: C0LEAD, approvers: []}\n", "crisis.leadership.approvers"),
        (
            (
                "  leadership: {slack_channel: C0LEAD, approvers: [U0CEO, U0CCO]}\n"
                "  bulk_posts_per_window: 150\n"
            ),
            "crisis.bulk_posts_per_window",
        ),
        (
            (
                "  leadership: {slack_channel: C0LEAD, approvers: [U0CEO, U0CCO]}\n"
                "  rules: [{topic: recall, keywords: [a]}, {topic: recall, keywords: [b]}]\n"
            ),
            "defined twice",
        ),
        (
            (
                "  leadership: {slack_channel: C0LEAD, approvers: [U0CEO, U0CCO]}\n"
                "  rules: [{topic: Recall Now, keywords: [a]}]\n"
            ),
            "crisis.rules[0].topic",
        ),
    ],
)
def test_impossible_crisis_settings_are_refused(crisis: str, problem: str) -> None:
    with pytest.raises(PlaybookError) as caught:
        load("crisis:\n" + crisis)
    assert problem in str(caught.value)


def test_the_example_playbook_is_valid() -> None:
    playbook = load_model(ROOT / "playbooks" / "crisis-example.yml", Playbook)
    assert playbook.crisis is not None
    assert [rule.topic for rule in playbook.crisis.rules] == ["recall", "outage", "injury", "lawsuit"]
    assert playbook.crisis.leadership.may_approve("U0CEO") and not playbook.crisis.leadership.may_approve(
        "U0VPC"
    )
    assert playbook.crisis.leadership.may_act("U0VPC")


BROKEN_TEMPLATES = [
    ("statement_template", '"{{ brand.nam }"', "not a valid template"),
    ("statement_template", '"{{ brand.nam }}"', "unknown placeholder"),
    ("statement_template", '"Sorry @{{ author.handle }}"', "unknown placeholder"),  # no case here
    ("bulk_reply_template", '"Hi {{ statement.ur }}"', "unknown placeholder"),
    ("bulk_reply_template", "\"Hi {{ ''.__class__ }}\"", "unsafe"),
    ("bulk_reply_template", '"{% for x in [1] %}x{% endfor %}"', "not allowed"),
    ("incident_channel_name", '"incident-{dat}"', "unknown placeholder {dat}"),
    ("incident_channel_name", '"incident-{date"', "not a valid name pattern"),
    ("incident_channel_name", '"incident-{id:099999999}"', "width"),
    ("incident_channel_name", '"incident-{topic.__class__}"', "unknown placeholder"),
]


@pytest.mark.parametrize(("key", "value", "problem"), BROKEN_TEMPLATES)
def test_a_broken_crisis_template_fails_the_playbook_check_with_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, key: str, value: str, problem: str
) -> None:
    from bridge.cli import main

    playbook = tmp_path / "crisis.yml"
    playbook.write_text(
        BASE + "crisis:\n  leadership: {slack_channel: C0LEAD, approvers: [U0CEO, U0CCO]}\n"
        f"  {key}: {value}\n",
        encoding="utf-8",
    )
    assert main(["playbook", "check", str(playbook)]) == 1
    err = capsys.readouterr().err
    assert f"{playbook}:7: crisis.{key}: " in err and problem in err, err


def test_the_crisis_example_templates_and_all_their_placeholders_pass() -> None:
    crisis = load(
        "crisis:\n  leadership: {slack_channel: C0LEAD, approvers: [U0CEO, U0CCO]}\n"
        '  statement_template: "{{ brand.name }} {{ topic }} {{ incident.number }} {{ incident.topic }} '
        '{{ date }} {{ statement.url }}"\n'
        '  bulk_reply_template: "@{{ author.handle }} {{ author.name }} {{ case.ref }} {{ case.number }} '
        '{{ case.department }} {{ hours.next_open }} {{ brand.name }} {{ topic }} {{ statement.url }}"\n'
        '  incident_channel_name: "inc-{id:03}-{date}-{topic}"\n'
    ).crisis
    assert crisis is not None and crisis.incident_channel_name == "inc-{id:03}-{date}-{topic}"


def _shape(value: object) -> object:
    return {k: _shape(v) for k, v in value.items()} if isinstance(value, dict) else type(value)


def test_the_check_samples_have_every_placeholder_the_crisis_texts_fill_in() -> None:
    from datetime import UTC, datetime

    from bridge.crisis.incident import Incident
    from bridge.crisis.texts import incident_context
    from bridge.domain.lifecycle import State
    from bridge.domain.model import Case
    from bridge.playbook.placeholders import bulk_sample, channel_sample, statement_sample, with_case
    from bridge.playbook.templates import case_context

    fields: dict[str, object] = dict.fromkeys(Incident.__dataclass_fields__, "")
    fields.update(id=3, alert=1, topic="recall", label="recall", started_at=datetime(2025, 3, 3, tzinfo=UTC))
    fields.update(
        {k: 0 for k in fields if k.endswith(("_version", "_sent", "_skipped"))}, bulk_resume_at=None
    )
    incident = Incident(**fields)  # type: ignore[arg-type]
    statement = incident_context("Acme", incident)
    assert _shape(statement) == _shape(statement_sample())
    at = datetime(2025, 3, 3, tzinfo=UTC)
    case = Case(7, State.ROUTED, "x", "1", "recalled?", "9", "maria", "", "", at, at, department="product")
    assert _shape(with_case(statement, case_context(case, "Acme"))) == _shape(bulk_sample())
    assert set(channel_sample()) == {"date", "topic", "id"}
