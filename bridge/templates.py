"""Playbook templates rendered in Jinja2's sandbox: authors write placeholders, never code."""

from __future__ import annotations

from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from bridge.model import Case

_env = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=False)


def case_context(case: Case, brand: str) -> dict[str, Any]:
    return {
        "author": {"handle": case.author_handle, "name": case.author_name or case.author_handle},
        "case": {"number": case.number, "ref": case.ref, "department": case.department},
        "brand": {"name": brand},
    }


def render(template: str, context: dict[str, Any]) -> str:
    """Render a playbook template; a broken template yields its raw text rather than no draft at all."""
    try:
        return _env.from_string(template).render(**context)
    except TemplateError:
        return template
