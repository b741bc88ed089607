"""Block Kit for crisis notices: the leadership alert, the mass-issue card, the statement and bulk
reply previews, and the edit modals.

The core decides the words and buttons (:mod:`bridge.crisis.views`); this module only renders them.
Customers' words (quotes) and text to be posted (previews) are escaped and cut; the bridge's own words
keep their ``<@U…>`` references to people.
"""

from __future__ import annotations

from typing import Any

from adapters.slack.text import cut, escape, escape_keeping_people, quote
from bridge.crisis.buttons import ACTIONS
from bridge.crisis.ports import Notice, NoticeButton

HEADER_MAX = 150
SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
MAX_FIELDS = 10
CONTEXT_TEXT_MAX = 2000
FALLBACK_TEXT_MAX = 300
BUTTON_VALUE_MAX = 2000
PLAIN_INPUT_MAX = 3000
MAX_QUOTED_LINES = 20
MAX_QUOTES = 5
ACTION_PREFIX = "crisis_"

#: Block Kit action ids of every crisis button, by the core's action name.
CRISIS_ACTIONS = {name: ACTION_PREFIX + name for name in ACTIONS}
EDIT_CALLBACKS = {"statement": "crisis_statement_submit", "bulk": "crisis_bulk_submit"}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _button(button: NoticeButton) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": button.label[:75]},
        "action_id": CRISIS_ACTIONS.get(button.action, ACTION_PREFIX + button.action),
        "value": button.value[:BUTTON_VALUE_MAX],
    }
    if button.style in ("primary", "danger"):
        element["style"] = button.style
    return element


def _quoted(text: str, limit: int) -> str:
    """Untrusted text, escaped, cut and block-quoted within ``limit`` however many lines it has."""
    lines = text.split("\n")
    if len(lines) > MAX_QUOTED_LINES:
        lines = [*lines[: MAX_QUOTED_LINES - 1], " ".join(lines[MAX_QUOTED_LINES - 1 :])]
    return quote(cut("\n".join(lines), max(1, limit - 2 * MAX_QUOTED_LINES)))


def notice_fallback(notice: Notice) -> str:
    return escape(notice.title)[:FALLBACK_TEXT_MAX]


def notice_blocks(notice: Notice) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": notice.title[:HEADER_MAX] or " "}}
    ]
    if notice.text:
        text = escape_keeping_people(notice.text)
        # a long notice (a report digest) goes on in a second section, split between lines
        split = text.rfind("\n", 0, SECTION_TEXT_MAX) if len(text) > SECTION_TEXT_MAX else -1
        first, rest = (text[:split], text[split + 1 :]) if split > 0 else (text, "")
        blocks.append({"type": "section", "text": _mrkdwn(first[:SECTION_TEXT_MAX])})
        if rest:
            blocks.append({"type": "section", "text": _mrkdwn(rest[:SECTION_TEXT_MAX])})
    if notice.fields:
        fields = [
            _mrkdwn(f"*{escape(name)}*\n{escape_keeping_people(value)}"[:FIELD_TEXT_MAX])
            for name, value in notice.fields[:MAX_FIELDS]
        ]
        blocks.append({"type": "section", "fields": fields})
    if notice.preview:
        blocks.append({"type": "section", "text": _mrkdwn(_quoted(notice.preview, SECTION_TEXT_MAX))})
    quotes = notice.quotes[:MAX_QUOTES]
    if quotes:
        room = SECTION_TEXT_MAX // len(quotes) - 1
        blocks.append({"type": "section", "text": _mrkdwn("\n".join(_quoted(q, room) for q in quotes))})
    context = [f"<{escape(url)}|{escape(label)}>" for url, label in notice.links]
    if notice.context:
        context.append(escape_keeping_people(notice.context))
    if context:
        blocks.append({"type": "context", "elements": [_mrkdwn(" · ".join(context)[:CONTEXT_TEXT_MAX])]})
    if notice.image is not None and notice.image.url:
        blocks.append({"type": "image", "image_url": notice.image.url, "alt_text": notice.image.alt[:2000]})
    if notice.buttons:
        action_block: dict[str, Any] = {"type": "actions", "elements": [_button(b) for b in notice.buttons]}
        if notice.key:
            action_block["block_id"] = notice.key[:255]
        blocks.append(action_block)
    return blocks


def edit_modal(what: str, metadata: str, title: str, initial: str) -> dict[str, Any]:
    """The dialog to edit the statement or the bulk reply; its submission is a new version."""
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": True}
    if initial:
        element["initial_value"] = initial[:PLAIN_INPUT_MAX]
    return {
        "type": "modal",
        "callback_id": EDIT_CALLBACKS[what],
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": "Save new version"[:24]},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": metadata[:3000],
        "blocks": [
            {
                "type": "section",
                "text": _mrkdwn(
                    "Write it exactly as it should be posted. Placeholders such as "
                    "`{{ author.handle }}` are filled in per customer. It goes to sign-off again."
                ),
            },
            {
                "type": "input",
                "block_id": "text",
                "label": {"type": "plain_text", "text": "Text"},
                "element": element,
            },
        ],
    }
