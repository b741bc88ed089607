"""Adaptive Cards (schema 1.5) for cases: the case card, the draft preview and small bridge notes.

They carry the same content as the Slack cards (:mod:`adapters.slack.cards`). Buttons are
``Action.Execute``: Teams sends them to the bot as ``adaptiveCard/action`` invokes with the ``verb`` and
``data`` below (inputs merged into ``data``), and the bot answers with the card as the clicking person
should now see it. Everything a customer wrote goes through :func:`adapters.teams.text.cut` (escaped and
within limits); the bridge's own words through :func:`adapters.teams.text.render_people`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adapters.teams.cardkit import (
    CONTENT_TYPE,
    adaptive_card,
    execute,
    fit,
    input_text,
    quote_block,
    show_card,
    text_block,
)
from adapters.teams.text import cut, escape, escape_keeping_links, render_people
from bridge.domain.platforms import PLATFORM_NAMES
from bridge.domain.ports import CardView, DraftPreview

__all__ = [
    "CONTENT_TYPE",
    "LABELS",
    "VERBS",
    "DraftForm",
    "case_card",
    "confirm_card",
    "note_card",
    "preview_card",
]

REASONS_MAX = 1000
CHOICES_MAX = 100
ON_POST_MAX = 200  # the post a comment is on: enough to recognise it

#: Button labels: the contract in DESIGN.md, the same words as on Slack.
LABELS = {
    "claim": "Claim",
    "reassign": "Reassign",
    "ignore": "Ignore",
    "draft": "Draft",
    "approve": "Approve",
    "request_changes": "Request changes",
}

VERBS = {
    "claim": "case_claim",
    "reassign": "case_reassign",
    "ignore": "case_ignore",
    "draft": "case_draft_open",
    "submit_draft": "case_draft",
    "draft_template": "case_draft_template",
    "view": "case_view",
    "approve": "draft_approve",
    "request_changes": "draft_request_changes",
    "refresh_preview": "preview_refresh",
    "confirm": "confirm_action",
    "cancel": "cancel_action",
}

NameOf = Callable[[str], str]


@dataclass(frozen=True)
class DraftForm:
    """The draft input opened on one person's view of a card: its text and the playbook's templates
    as (name, label) pairs."""

    text: str
    templates: Sequence[tuple[str, str]] = ()
    chosen: str = ""


def _plain_name(user: str) -> str:
    return user


def _moment(moment: datetime, with_date: bool) -> str:
    """Adaptive Card date functions: every reader sees the time in their own zone."""
    stamp = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f"{{{{DATE({stamp}, SHORT)}}}} " if with_date else "") + f"{{{{TIME({stamp})}}}}"


def _link(url: str, label: str) -> str:
    safe = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{label}]({safe})" if safe.startswith(("https://", "http://")) else ""


def markdown_link(url: str, label: str) -> str:
    """A live link to one of the bridge's own http(s) URLs ("" for anything else), for the other card
    modules; ``label`` must already be escaped."""
    return _link(url, label)


def case_summary(card: CardView) -> str:
    """What a notification says about a case card: plain words, unescaped (made one clean line by
    :func:`adapters.teams.rendering.card_activity`)."""
    return f"Case #{card.number} from @{card.author_handle}: {card.text}"


def card_fallback(card: CardView) -> str:
    return escape(f"Case #{card.number} from @{card.author_handle}: ") + cut(card.text, 300)


def case_card(
    card: CardView,
    *,
    name_of: NameOf = _plain_name,
    departments: Sequence[str] = (),
    notice: tuple[str, str] | None = None,
    draft_form: DraftForm | None = None,
) -> dict[str, Any]:
    """The case card. ``notice`` is (text, "good"|"attention") shown to the person who just acted;
    ``draft_form`` opens the draft input, prefilled (after a click on Draft)."""
    return fit(lambda limit: _case_card(card, name_of, departments, notice, draft_form, limit))


def _triage_facts(card: CardView) -> list[dict[str, str]]:
    """What triage decided (verdict, priority, kind, language, sentiment) and which account should answer."""
    facts = []
    if card.verdict:
        parts = [card.verdict, f"{card.priority} priority" if card.priority else ""]
        parts.append({"brand": "brand matter", "service": "service issue"}.get(card.kind, card.kind))
        parts += [card.language, card.sentiment]
        facts.append({"title": "Triage", "value": escape(" · ".join(p for p in parts if p))})
    if card.reply_account:
        facts.append({"title": "Answer from", "value": escape("@" + card.reply_account)})
    if card.customer_history:
        earlier = escape(card.customer_history)
        link = _link(card.customer_history_url, "see them")
        facts.append({"title": "Customer history", "value": f"{earlier} ({link})" if link else earlier})
    return facts


def _draft_form(card: CardView, form: DraftForm) -> list[dict[str, Any]]:
    data = {"case": card.number}
    elements: list[dict[str, Any]] = []
    if form.templates:
        names = [name for name, _label in form.templates[:CHOICES_MAX]]
        picker: dict[str, Any] = {
            "type": "Input.ChoiceSet",
            "id": "template",
            "label": "Start from a template",
            "style": "compact",
            "choices": [{"title": label[:75], "value": name} for name, label in form.templates[:CHOICES_MAX]],
        }
        if form.chosen in names:
            picker["value"] = form.chosen
        use = execute("Use template", VERBS["draft_template"], data)
        elements += [picker, {"type": "ActionSet", "actions": [use]}]
    elements.append(input_text("draft", "Answer, exactly as the customer should read it", value=form.text))
    submit = execute("Submit draft", VERBS["submit_draft"], data, style="positive")
    elements.append({"type": "ActionSet", "actions": [submit, execute("Cancel", VERBS["view"], data)]})
    return elements


def _case_card(
    card: CardView,
    name_of: NameOf,
    departments: Sequence[str],
    notice: tuple[str, str] | None,
    draft_form: DraftForm | None,
    limit: int,
) -> dict[str, Any]:
    platform = PLATFORM_NAMES.get(card.platform, card.platform)
    handle = "@" + escape(card.author_handle)
    author = (
        f"**{escape(card.author_name or card.author_handle)}** ({_link(card.author_url, handle) or handle})"
    )
    if card.author_followers:
        author += f" · {card.author_followers:,} followers"
    when = f"Posted {_moment(card.created_at, True)}"
    if card.claim_due is not None:
        when += f" · claim by {_moment(card.claim_due, True)}"
    if card.sla_due is not None:
        when += f" · first response due {_moment(card.sla_due, True)}"
    link = _link(card.post_url, f"View on {platform}") if card.post_url else ""
    if card.visibility:
        link = " · ".join(p for p in (f"visibility: {escape(card.visibility)}", link) if p)
    if card.on_post or card.on_post_url:
        said = f"“{escape(card.on_post[:ON_POST_MAX])}”" if card.on_post else "a post"
        opened = _link(card.on_post_url, "open")
        link = " · ".join(p for p in (link, f"on {said}" + (f" ({opened})" if opened else "")) if p)
    body: list[dict[str, Any]] = [
        text_block(escape(f"Case #{card.number} · {platform} mention"), size="Large", weight="Bolder"),
        text_block(author),
        quote_block(cut(card.text, limit)),
        text_block(" · ".join(p for p in (when, link) if p), isSubtle=True, size="Small"),
        {
            "type": "FactSet",
            "facts": [
                {"title": "Department", "value": escape(card.department)},
                {"title": "Status", "value": render_people(card.state_label, name_of)},
                *_triage_facts(card),
            ],
        },
    ]
    if card.reply_url:
        body.append(text_block("Answered: " + _link(card.reply_url, "view the reply")))
    if card.reasons:
        body.append(text_block(cut("Why here: " + "; ".join(card.reasons), REASONS_MAX), isSubtle=True))
    if notice is not None:
        body.append(text_block(render_people(notice[0], name_of), color=notice[1], weight="Bolder"))
    if draft_form is not None and "draft" in card.actions:
        body += _draft_form(card, draft_form)
    actions = [_case_action(a, card, departments) for a in card.actions if a in LABELS]
    return adaptive_card(body, actions, card_fallback(card))


def _case_action(action: str, card: CardView, departments: Sequence[str]) -> dict[str, Any]:
    data = {"case": card.number}
    if action == "reassign":
        names = list(departments)[:CHOICES_MAX] or [card.department]
        picker = {
            "type": "Input.ChoiceSet",
            "id": "department",
            "label": "Department",
            "style": "compact",
            "value": card.department if card.department in names else names[0],
            "choices": [{"title": name[:75], "value": name} for name in names],
        }
        return show_card(LABELS[action], [picker], [execute("Move", VERBS["reassign"], data)])
    if action == "ignore":
        reason = input_text("reason", "Why is this case ignored?", multiline=False)
        return show_card(LABELS[action], [reason], [execute("Ignore", VERBS["ignore"], data)])
    style = "positive" if action == "claim" else None
    return execute(LABELS[action], VERBS[action], data, style=style)


def preview_fallback(preview: DraftPreview) -> str:
    return escape(f"Draft v{preview.version} for case #{preview.number} ({preview.length_label})")


def preview_card(
    preview: DraftPreview,
    *,
    name_of: NameOf = _plain_name,
    status: str = "",
    buttons: bool = True,
    notice: tuple[str, str] | None = None,
    refresh_for: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The draft preview. ``status`` replaces the buttons once the draft is decided or superseded;
    ``refresh_for`` (Teams user ids) asks their clients to fetch their own view of it when shown."""
    return fit(lambda limit: _preview_card(preview, name_of, status, buttons, notice, refresh_for, limit))


def _preview_card(
    preview: DraftPreview,
    name_of: NameOf,
    status: str,
    buttons: bool,
    notice: tuple[str, str] | None,
    refresh_for: Sequence[str] | None,
    limit: int,
) -> dict[str, Any]:
    head = (
        f"**Draft v{preview.version}** by **{escape(name_of(preview.author))}** · "
        f"{escape(preview.length_label)} · this is exactly what will be posted:"
    )
    body: list[dict[str, Any]] = [text_block(head), quote_block(cut(preview.text, limit))]
    if not preview.can_approve:
        body.append(
            text_block(
                "This draft cannot be approved until it fits: reply in the thread with a shorter version.",
                color="attention",
            )
        )
    if status:
        body.append(text_block(render_people(status, name_of), isSubtle=True))
    if notice is not None:
        body.append(text_block(render_people(notice[0], name_of), color=notice[1], weight="Bolder"))
    data = {"case": preview.number, "version": preview.version}
    actions: list[dict[str, Any]] = []
    if buttons and not status:
        if preview.can_approve:
            actions.append(execute(LABELS["approve"], VERBS["approve"], data, style="positive"))
        comment = input_text("comment", f"What should change in draft v{preview.version}?")
        actions.append(
            show_card(LABELS["request_changes"], [comment], [execute("Send", VERBS["request_changes"], data)])
        )
    card = adaptive_card(body, actions, preview_fallback(preview))
    if refresh_for is not None:
        refresh: dict[str, Any] = {
            "type": "Refresh",
            "action": {"type": "Action.Execute", "verb": VERBS["refresh_preview"], "data": data},
        }
        if refresh_for:
            refresh["userIds"] = list(refresh_for)[:60]  # Teams refreshes automatically for up to 60
        card["refresh"] = refresh
    return card


def note_card(text_markdown: str, quote: str) -> dict[str, Any]:
    """A bridge message with a customer's words under it, quoted and inert."""
    return fit(
        lambda limit: adaptive_card(
            [text_block(text_markdown), quote_block(cut(quote, limit))], [], "Bridge note"
        )
    )


def confirm_card(prompt: str, action: str, target: str) -> dict[str, Any]:
    """The confirmation a deliberate action (mute, hide) needs before it runs."""
    data = {"action": action, "target": target}
    return adaptive_card(
        [text_block(escape_keeping_links(prompt))],
        [
            execute(action.capitalize(), VERBS["confirm"], data, style="destructive"),
            execute("Cancel", VERBS["cancel"], data),
        ],
        escape(prompt),
    )
