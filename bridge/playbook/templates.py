"""Playbook templates rendered in Jinja2's sandbox: authors write placeholders, never code.

Experts pick a named template (acknowledgement, apology, move to private messages, out of hours,
closing, or one of the playbook's ``custom`` ones) in the Draft modal; the out-of-hours one can also be
posted automatically. Placeholders: ``{{ author.handle }}``, ``{{ author.name }}``, ``{{ case.ref }}``,
``{{ case.number }}``, ``{{ case.department }}``, ``{{ brand.name }}``, ``{{ hours.next_open }}``,
``{{ hours.week }}``, ``{{ hours.today }}``, ``{{ hours.open_now }}``, ``{{ hours.timezone }}``.

Every template is rendered once with sample values when the playbook loads, so a misspelt placeholder
is a playbook error with its line, not raw template text in front of a customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bridge.domain.model import Case
from bridge.playbook.hours import OpeningHours

if TYPE_CHECKING:
    from bridge.playbook.model import Playbook

MAX_RENDERED_CHARS = 10_000
#: What ``hours.next_open`` says when the playbook has no opening hours (the desk is always staffed).
ALWAYS_OPEN_TEXT = "now"
TEMPLATE_TITLES = {
    "acknowledgement": "Acknowledgement",
    "apology": "Apology",
    "move_to_dm": "Move to private messages",
    "out_of_hours": "Out of hours",
    "closing": "Closing",
}
PLACEHOLDERS = (
    "author.handle, author.name, case.ref, case.number, case.department, brand.name, "
    "hours.next_open, hours.week, hours.today, hours.open_now, hours.timezone"
)

#: Statements a template may not use: loops and reuse are code, and a loop can run for ever.
FORBIDDEN_NODES = (nodes.For, nodes.Macro, nodes.CallBlock, nodes.Include, nodes.Import, nodes.FromImport,
                   nodes.Extends, nodes.Block)  # fmt: skip
MAX_REPEAT = 1_000  # 'x' * n and n ** m in a template stay small
MAX_CACHED_TEMPLATES = 512


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's sandbox, also keeping ``*`` and ``**`` from building huge strings or numbers."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        numbers = [v for v in (left, right) if isinstance(v, int)]
        if any(abs(n) > MAX_REPEAT for n in numbers) and (operator == "**" or len(numbers) < 2):
            raise SecurityError(f"'{operator}' with {max(numbers, key=abs)} is too big for a template")
        return super().call_binop(context, operator, left, right)


_env = _Sandbox(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=False)


@lru_cache(maxsize=MAX_CACHED_TEMPLATES)
def _compiled(text: str) -> Template:
    """Parse once; refuse loops and reuse (a template holds placeholders, if/else and filters)."""
    found = next(_env.parse(text).find_all(FORBIDDEN_NODES), None)
    if found is not None:
        name = type(found).__name__.lower()
        raise SecurityError(f"templates hold placeholders, if/else and filters; '{name}' is not allowed")
    return _env.from_string(text)


def hours_context(hours: OpeningHours | None, now: datetime) -> dict[str, Any]:
    """What ``{{ hours.* }}`` shows at ``now``: when the team is next there, in its own time zone."""
    if hours is None:
        return {"next_open": ALWAYS_OPEN_TEXT, "open_now": True, "week": "around the clock",
                "today": "around the clock", "timezone": "UTC"}  # fmt: skip
    next_open = hours.next_open(now)
    open_now = next_open is not None and next_open <= now
    if next_open is None:
        when = "as soon as we can"
    else:
        when = ALWAYS_OPEN_TEXT if open_now else hours.describe_moment(next_open)
    return {
        "next_open": when,
        "open_now": open_now,
        "week": hours.describe_week(),
        "today": hours.describe_day(now),
        "timezone": hours.timezone,
    }


def case_context(
    case: Case, brand: str, hours: OpeningHours | None = None, now: datetime | None = None
) -> dict[str, Any]:
    return {
        "author": {"handle": case.author_handle, "name": case.author_name or case.author_handle},
        "case": {"number": case.number, "ref": case.ref, "department": case.department},
        "brand": {"name": brand},
        "hours": hours_context(hours, now or datetime.now(UTC)),
    }


def sample_context() -> dict[str, Any]:
    """Values to render a template with when checking it: every placeholder a template may use."""
    return {
        "author": {"handle": "customer", "name": "A Customer"},
        "case": {"number": 1042, "ref": "#1042", "department": "social"},
        "brand": {"name": "Brand"},
        "hours": hours_context(None, datetime(2025, 1, 6, 9, 0, tzinfo=UTC)),
    }


def check_template(text: str) -> str:
    """Raise ValueError saying what is wrong with a template; return it unchanged when it renders."""
    render_strict(text, sample_context())
    return text


def render_strict(template: str, context: dict[str, Any], placeholders: str = PLACEHOLDERS) -> str:
    """Render like :func:`render`, but raise ValueError saying what is wrong instead of falling back to
    the raw text: for texts that must never reach anyone unrendered (crisis mode checks and posts with
    it), and to check a template against a context of its own (``placeholders`` names what it has)."""
    try:
        return _compiled(template).render(**context)[:MAX_RENDERED_CHARS]
    except TemplateSyntaxError as exc:
        raise ValueError(f"not a valid template: {exc.message} (template line {exc.lineno})") from None
    except UndefinedError as exc:
        raise ValueError(f"unknown placeholder: {exc.message}; known: {placeholders}") from None
    except Exception as exc:  # noqa: BLE001  # sandbox refusals, 1/0, a range too big: the author's to fix
        raise ValueError(f"cannot render: {exc}") from None


def render(template: str, context: dict[str, Any]) -> str:
    """Render a playbook template; a broken template yields its raw text rather than no draft at all."""
    try:
        return _compiled(template).render(**context)[:MAX_RENDERED_CHARS]
    except Exception:  # noqa: BLE001  # template errors, sandbox refusals, arithmetic: never lose the draft
        return template


@dataclass(frozen=True)
class TemplateChoice:
    """A template as an expert picks it: its name, the label shown, the text already filled in."""

    name: str
    label: str
    text: str


def starting_text(case: Case, playbook: Playbook, now: datetime) -> str:
    """What a new draft starts with: the playbook's ``draft`` template, rendered for this case."""
    template = playbook.templates.draft_for(case.platform)
    return render(template, case_context(case, playbook.brand.name, playbook.hours, now))


def draft_choices(case: Case, playbook: Playbook, now: datetime) -> list[TemplateChoice]:
    """The playbook's named templates, rendered for this case; the one triage suggested comes first."""
    context = case_context(case, playbook.brand.name, playbook.hours, now)
    choices = [
        TemplateChoice(
            name,
            TEMPLATE_TITLES.get(name, name.replace("_", " ").capitalize())
            + (" (suggested)" if name == case.template else ""),
            render(text, context).strip(),
        )
        for name, text in playbook.templates.named(case.platform).items()
    ]
    choices.sort(key=lambda c: c.name != case.template)
    return choices


__all__ = [
    "TEMPLATE_TITLES",
    "TemplateChoice",
    "case_context",
    "check_template",
    "draft_choices",
    "hours_context",
    "render",
    "render_strict",
    "sample_context",
    "starting_text",
]
