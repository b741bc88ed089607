"""Playbook templates: placeholders filled, code refused, mistakes caught when the playbook loads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from bridge.domain.lifecycle import State
from bridge.domain.model import Case
from bridge.playbook.model import DEFAULT_TEMPLATES, Playbook
from bridge.playbook.templates import case_context, check_template, draft_choices, render, starting_text

SATURDAY_EVENING = datetime(2025, 3, 29, 19, 30, tzinfo=UTC)
HOURS = {"timezone": "Europe/London", "weekly": {"mon-fri": "09:00-17:00", "sat": "10:00-14:00"}}


def playbook(**extra: Any) -> Playbook:
    data: dict[str, Any] = {
        "brand": {"name": "Acme"},
        "default_department": "social",
        "departments": {"social": {"slack_channel": "C0SOCIAL", "approvers": ["U0SOC2"]}},
    }
    data.update(extra)
    return Playbook.model_validate(data)


def case(**fields: Any) -> Case:
    values: dict[str, Any] = {
        "number": 1042,
        "state": State.CLAIMED,
        "platform": "x",
        "post_id": "1",
        "text": "@AcmeHelp my order",
        "author_id": "42",
        "author_handle": "maria_k",
        "author_name": "Maria K.",
        "post_url": "https://x.com/maria_k/status/1",
        "created_at": SATURDAY_EVENING,
        "ingested_at": SATURDAY_EVENING,
        "department": "orders",
    }
    values.update(fields)
    return Case(**values)


def test_placeholders_are_filled_from_the_case_the_brand_and_the_hours() -> None:
    book = playbook(hours=HOURS)
    context = case_context(case(), "Acme", book.hours, SATURDAY_EVENING)
    text = render(
        "Hi {{ author.name }} (@{{ author.handle }}), {{ case.ref }} is with {{ case.department }}. "
        "{{ brand.name }} is back {{ hours.next_open }} ({{ hours.week }}).",
        context,
    )
    assert text == (
        "Hi Maria K. (@maria_k), #1042 is with orders. Acme is back Monday 31 March at 09:00 BST "
        "(Mon–Fri 09:00–17:00 · Sat 10:00–14:00 · Sun closed)."
    )


def test_without_hours_the_desk_is_open_now() -> None:
    context = case_context(case(), "Acme", None, SATURDAY_EVENING)
    assert render("{{ hours.next_open }} {{ hours.open_now }}", context) == "now True"


@pytest.mark.parametrize(
    "template",
    [
        "{{ author.__class__.__mro__ }}",
        "{{ ''.__class__.__subclasses__() }}",
        "{% for x in range(10**9) %}x{% endfor %}",
        "{{ author.update({'handle': 'x'}) }}",
        "{{ 'x' * 10**10 }}",
        "{{ 2 ** 100000 }}",
        "{{ 1 / 0 }}",
    ],
)
def test_the_sandbox_refuses_code_and_the_raw_template_comes_back(template: str) -> None:
    assert render(template, case_context(case(), "Acme")) == template


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("Hi {{ autor.handle }}", "unknown placeholder: 'autor' is undefined"),
        ("Hi {{ author.nmae }}", "unknown placeholder"),
        ("Hi {{ author.handle }", "not a valid template"),
        ("{% if %}", "not a valid template"),
        ("{% for x in [1] %}{{ x }}{% endfor %}", "'for' is not allowed"),
        ("{% macro m() %}{% endmacro %}", "'macro' is not allowed"),
        ("{{ 'ha' * 100000 }}", "too big for a template"),
    ],
)
def test_a_template_that_cannot_render_is_a_playbook_error(template: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        check_template(template)
    with pytest.raises(ValidationError, match=problem):
        playbook(templates={"apology": template})


def test_custom_templates_are_named_words_and_checked_too() -> None:
    book = playbook(templates={"custom": {"baggage_claim": "Hi @{{ author.handle }}, file it here"}})
    assert list(book.templates.named()) == [*DEFAULT_TEMPLATES, "baggage_claim"]
    with pytest.raises(ValidationError, match="cannot name a custom template"):
        playbook(templates={"custom": {"apology": "x"}})
    with pytest.raises(ValidationError, match=r"templates\.custom\.bad\s+unknown placeholder"):
        playbook(templates={"custom": {"bad": "{{ nope }}"}})


def test_a_misspelt_template_name_is_an_unknown_key() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        playbook(templates={"apologie": "Sorry"})


def test_draft_choices_are_rendered_and_the_suggested_one_comes_first() -> None:
    book = playbook(hours=HOURS, templates={"custom": {"thanks": "Thanks {{ author.name }}!"}})
    choices = draft_choices(case(template="apology"), book, SATURDAY_EVENING)
    assert [c.name for c in choices] == [
        "apology",
        "acknowledgement",
        "move_to_dm",
        "out_of_hours",
        "closing",
        "thanks",
    ]
    assert choices[0].label == "Apology (suggested)"
    assert choices[0].text.startswith("Hi @maria_k, we're really sorry")
    out_of_hours = next(c for c in choices if c.name == "out_of_hours")
    assert "back Monday 31 March at 09:00 BST" in out_of_hours.text
    assert choices[-1].label == "Thanks" and choices[-1].text == "Thanks Maria K.!"


def test_a_new_draft_starts_from_the_draft_template() -> None:
    assert starting_text(case(), playbook(), SATURDAY_EVENING) == "Hi @maria_k, "


def test_a_platform_may_word_a_template_differently() -> None:
    """Facebook and Instagram have no @handle to open with; X keeps the playbook's wording."""
    worded = {
        "facebook": {"draft": "Hi {{ author.name }}, ", "closing": "Thanks {{ author.name }}, take care."},
    }
    book = playbook(templates={"platforms": worded, "custom": {"thanks": "Thanks!"}})
    on_facebook = case(platform="facebook", author_handle="", author_name="Maria K.")
    assert starting_text(on_facebook, book, SATURDAY_EVENING) == "Hi Maria K., "
    assert starting_text(case(), book, SATURDAY_EVENING) == "Hi @maria_k, "
    closings = {c.name: c.text for c in draft_choices(on_facebook, book, SATURDAY_EVENING)}
    assert closings["closing"] == "Thanks Maria K., take care."
    assert closings["thanks"] == "Thanks!"  # not worded for Facebook: the playbook's own
    assert "draft" not in closings


@pytest.mark.parametrize(
    ("worded", "problem"),
    [
        ({"facebook": {"closng": "Bye"}}, r"templates\.platforms\.facebook\.closng\s+no template 'closng'"),
        ({"myspace": {"draft": "Hi"}}, r"templates\.platforms\.myspace\s+'myspace' is not a platform"),
        ({"x": {"draft": "{{ nope }}"}}, r"templates\.platforms\.x\.draft\s+unknown placeholder"),
    ],
)
def test_a_platforms_templates_are_checked_like_the_others(worded: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        playbook(templates={"platforms": worded})
