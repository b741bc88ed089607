"""Block Kit for cases: the case card, the draft preview and the modals.

Everything a customer wrote goes through :func:`adapters.slack.text.cut` (escaped and within limits);
everything the bridge wrote goes through ``escape_keeping_people``. Button labels are the contract in
DESIGN.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adapters.slack.text import cut, escape, escape_keeping_people, quote
from bridge.domain.platforms import PLATFORM_NAMES
from bridge.domain.ports import CardView, DraftPreview

SECTION_TEXT_MAX = 3000
AUTHOR_NAME_MAX = 1000  # leaves the handle, its link and the followers room within SECTION_TEXT_MAX
CONTEXT_TEXT_MAX = 2000
ON_POST_MAX = 200  # the post a comment is on: enough to recognise it
FALLBACK_TEXT_MAX = 300
MAX_QUOTED_LINES = 40
BUTTON_VALUE_MAX = 2000
PLAIN_INPUT_MAX = 3000
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
OPTIONS_MAX = 100
DRAFT_TEMPLATE_ACTION = "draft_template"

ACTION_IDS = {
    "claim": "case_claim",
    "reassign": "case_reassign",
    "ignore": "case_ignore",
    "draft": "case_draft",
    "approve": "draft_approve",
    "request_changes": "draft_request_changes",
}
LABELS = {
    "claim": "Claim",
    "reassign": "Reassign",
    "ignore": "Ignore",
    "draft": "Draft",
    "approve": "Approve",
    "request_changes": "Request changes",
}


def _mrkdwn(text: str) -> dict[str, Any]:
    # verbatim: Slack does not auto-link URLs, channel names or @names found in the text
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _date(moment: datetime, fmt: str) -> str:
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{fmt}|{fallback}>"


def _fold_lines(text: str) -> str:
    lines = text.split("\n")
    if len(lines) <= MAX_QUOTED_LINES:
        return text
    return "\n".join([*lines[: MAX_QUOTED_LINES - 1], " ".join(lines[MAX_QUOTED_LINES - 1 :])])


def quoted(text: str, limit: int) -> str:
    """Untrusted text escaped, cut and block-quoted within ``limit`` however many lines it has."""
    folded = _fold_lines(text)
    return quote(cut(folded, limit - 2 * MAX_QUOTED_LINES))


def _button(action: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": LABELS[action]},
        "action_id": ACTION_IDS[action],
        "value": value[:BUTTON_VALUE_MAX],
    }
    if style:
        button["style"] = style
    return button


def _triage_fields(card: CardView) -> list[dict[str, Any]]:
    """What triage decided (verdict, priority, kind, language, sentiment) and which account should answer."""
    fields = []
    if card.verdict:
        parts = [card.verdict, f"{card.priority} priority" if card.priority else ""]
        parts.append({"brand": "brand matter", "service": "service issue"}.get(card.kind, card.kind))
        parts += [card.language, card.sentiment]
        fields.append(_mrkdwn(f"*Triage*\n{escape(' · '.join(p for p in parts if p))}"))
    if card.reply_account:
        fields.append(_mrkdwn(f"*Answer from*\n@{escape(card.reply_account)}"))
    if card.customer_history:
        earlier = cut(card.customer_history, CONTEXT_TEXT_MAX)
        if card.customer_history_url.startswith(("https://", "http://")):  # the bridge's own address
            earlier += f" (<{escape(card.customer_history_url)}|see them>)"
        fields.append(_mrkdwn(f"*Customer history*\n{earlier}"))
    return fields


def card_fallback(card: CardView) -> str:
    who = escape(card.author_handle)
    return f"Case #{card.number} from @{who}: " + cut(card.text, FALLBACK_TEXT_MAX)


def _profile(card: CardView) -> str:
    """``@handle``, linked to the author's profile page when the adapter gave one: the label is the
    escaped handle, and a URL that is not plain http(s) or could end the link early stays unlinked."""
    handle = "@" + escape(card.author_handle)
    url = card.author_url
    if not url.startswith(("https://", "http://")) or any(c in url for c in "|<> \n"):
        return handle
    return f"<{escape(url)}|{handle}>"


def _on_post(card: CardView) -> str:
    """The post or media a comment is on: its words cut and inert, its link live only when plain."""
    said = f"“{cut(card.on_post, ON_POST_MAX)}”" if card.on_post else "a post"
    url = card.on_post_url
    if url.startswith(("https://", "http://")) and not any(c in url for c in "|<> \n"):
        said = f"{said} (<{escape(url)}|open>)"
    return f"on {said}"


def card_blocks(card: CardView) -> list[dict[str, Any]]:
    platform = PLATFORM_NAMES.get(card.platform, card.platform)
    # escaped once, piece by piece (the name cut within the limit): the profile link stays live
    author = f"*{cut(card.author_name or card.author_handle, AUTHOR_NAME_MAX)}* ({_profile(card)})"
    if card.author_followers:
        author += f" · {card.author_followers:,} followers"
    when = f"Posted {_date(card.created_at, '{date_short_pretty} {time}')}"
    if card.claim_due is not None:
        when += f" · claim by {_date(card.claim_due, '{date_short_pretty} {time}')}"
    if card.sla_due is not None:
        when += f" · first response due {_date(card.sla_due, '{date_short_pretty} {time}')}"
    link = f"<{escape(card.post_url)}|View on {platform}>" if card.post_url else ""
    if card.visibility:
        link = " · ".join(p for p in (f"visibility: {escape(card.visibility)}", link) if p)
    if card.on_post or card.on_post_url:
        link = " · ".join(p for p in (link, _on_post(card)) if p)
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": f"Case #{card.number} · {platform} mention"},
        },
        {"type": "section", "text": _mrkdwn(author)},
        {"type": "section", "text": _mrkdwn(quoted(card.text, SECTION_TEXT_MAX))},
        {"type": "context", "elements": [_mrkdwn(" · ".join(p for p in (when, link) if p))]},
        {
            "type": "section",
            "fields": [
                _mrkdwn(f"*Department*\n{escape(card.department)}"),
                _mrkdwn(f"*Status*\n{escape_keeping_people(card.state_label)}"),
                *_triage_fields(card),
            ],
        },
    ]
    if card.reply_url:
        blocks.append(
            {"type": "section", "text": _mrkdwn(f"Answered: <{escape(card.reply_url)}|view the reply>")}
        )
    if card.reasons:
        reasons = "Why here: " + "; ".join(card.reasons)
        blocks.append({"type": "context", "elements": [_mrkdwn(cut(reasons, CONTEXT_TEXT_MAX))]})
    if card.actions:
        value = str(card.number)
        styles = {"claim": "primary"}
        blocks.append(
            {
                "type": "actions",
                "block_id": f"case:{card.number}",
                "elements": [_button(a, value, style=styles.get(a)) for a in card.actions if a in LABELS],
            }
        )
    return blocks


def preview_fallback(preview: DraftPreview) -> str:
    return f"Draft v{preview.version} for case #{preview.number} ({preview.length_label})"


def preview_blocks(preview: DraftPreview) -> list[dict[str, Any]]:
    head = (
        f"*Draft v{preview.version}* by <@{escape(preview.author)}> · {escape(preview.length_label)}"
        " · this is exactly what will be posted:"
    )
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": _mrkdwn(head)},
        {"type": "section", "text": _mrkdwn(quoted(preview.text or " ", SECTION_TEXT_MAX))},
    ]
    value = f"{preview.number}:{preview.version}"
    elements = [_button("request_changes", value)]
    if preview.can_approve:
        elements.insert(0, _button("approve", value, style="primary"))
    else:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    _mrkdwn(
                        "This draft cannot be approved until it fits: "
                        "reply in the thread with a shorter version."
                    )
                ],
            }
        )
    blocks.append({"type": "actions", "block_id": f"draft:{value}", "elements": elements})
    return blocks


def _modal(
    callback_id: str, title: str, submit: str, metadata: str, blocks: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": submit[:24]},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": metadata[:3000],
        "blocks": blocks,
    }


def _text_input(
    block_id: str, label: str, *, initial: str = "", multiline: bool = True, optional: bool = False
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": multiline}
    if initial:
        element["initial_value"] = initial[:PLAIN_INPUT_MAX]
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
        "optional": optional,
    }


def _template_picker(templates: Sequence[tuple[str, str]], chosen: str) -> dict[str, Any]:
    """A select of the playbook's templates; choosing one refills the answer (views.update)."""
    options = [
        {"text": {"type": "plain_text", "text": label[:OPTION_TEXT_MAX]}, "value": name[:OPTION_VALUE_MAX]}
        for name, label in templates[:OPTIONS_MAX]
    ]
    select: dict[str, Any] = {
        "type": "static_select",
        "action_id": DRAFT_TEMPLATE_ACTION,
        "placeholder": {"type": "plain_text", "text": "Start from a template"},
        "options": options,
    }
    initial = next((o for o in options if o["value"] == chosen), None)
    if initial:
        select["initial_option"] = initial
    return {"type": "actions", "block_id": "template", "elements": [select]}


def draft_modal(
    number: int,
    initial: str,
    templates: Sequence[tuple[str, str]] = (),
    chosen: str = "",
    revision: int = 0,
) -> dict[str, Any]:
    """``templates`` are (name, label) pairs. Each refill bumps ``revision``: the answer's block_id
    changes with it (``draft.2``), because Slack keeps what was typed in a block it already knows."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": _mrkdwn(
                "Write the answer exactly as the customer should read it. It goes to sign-off first."
            ),
        },
    ]
    if templates:
        blocks.append(_template_picker(templates, chosen))
    blocks.append(_text_input(f"draft.{revision}" if revision else "draft", "Answer", initial=initial))
    metadata = f"{number}:{revision}" if revision else str(number)
    return _modal("draft_submit", f"Draft for #{number}", "Submit draft", metadata, blocks)


def request_changes_modal(number: int, version: int) -> dict[str, Any]:
    return _modal(
        "request_changes_submit",
        f"Changes to #{number}",
        "Send",
        f"{number}:{version}",
        [
            _text_input("comment", f"What should change in draft v{version}?"),
        ],
    )


def ignore_modal(number: int) -> dict[str, Any]:
    return _modal(
        "ignore_submit",
        f"Ignore #{number}",
        "Ignore",
        str(number),
        [
            _text_input("reason", "Why is this case ignored?", multiline=False),
        ],
    )


def reassign_modal(number: int, departments: list[str], current: str) -> dict[str, Any]:
    options = [
        {"text": {"type": "plain_text", "text": name[:75]}, "value": name[:150]} for name in departments[:100]
    ]
    select: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": options}
    initial = next((o for o in options if o["value"] == current), None)
    if initial:
        select["initial_option"] = initial
    return _modal(
        "reassign_submit",
        f"Reassign #{number}",
        "Move",
        str(number),
        [
            {
                "type": "input",
                "block_id": "department",
                "label": {"type": "plain_text", "text": "Department"},
                "element": select,
            },
        ],
    )
