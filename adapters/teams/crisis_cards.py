"""Adaptive Cards (schema 1.5) for crisis notices: the leadership alert, the mass-issue card, the
statement and bulk-reply previews, and the form that edits them.

The core decides the words and the buttons (:mod:`bridge.crisis.views`); this module only renders
them, as :mod:`adapters.slack.crisis_cards` does for Slack. The bridge's words may name people as
``<@ID>`` and are written with their names; customers' words (quotes) and the text to be posted
(previews) go through :func:`adapters.teams.text.cut`, so no link, mention or template function in
them comes alive. Buttons are ``Action.Execute`` with a ``crisis_…`` verb and the button's value as
``data.value``; :mod:`adapters.teams.crisis_actions` answers them.

Teams has no dialog like Slack's modal for the edit buttons: the invoke answers with this same card,
for the clicking person only, with the text in an ``Input.Text`` and a Save button, as the case card
opens its draft input (:class:`adapters.teams.cards.DraftForm`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from adapters.teams.cardkit import (
    adaptive_card,
    execute,
    fit,
    image_block,
    input_text,
    quote_block,
    text_block,
)
from adapters.teams.cards import NameOf, markdown_link
from adapters.teams.text import cut, escape, render_people
from bridge.crisis.buttons import ACTIONS, EDITS
from bridge.crisis.leadership import TEXT_MAX_CHARS
from bridge.crisis.ports import Notice, NoticeButton

VERB_PREFIX = "crisis_"
#: The ``Action.Execute`` verb of each crisis button, by the core's action name.
VERBS = {action: VERB_PREFIX + action for action in ACTIONS}
#: The edit form's buttons, by what it edits ("statement" or "bulk").
SAVE_VERBS = {what: f"{VERB_PREFIX}save_{what}" for what in EDITS.values()}
CANCEL_VERBS = {what: f"{VERB_PREFIX}view_{what}" for what in EDITS.values()}
EDIT_INPUT = "text"
STYLES = {"primary": "positive", "danger": "destructive"}

TITLE_MAX = 150
FIELD_MAX = 1000
MAX_FIELDS = 10
MAX_QUOTES = 5
MAX_LINKS = 5
LINK_LABEL_MAX = 100
BUTTON_TITLE_MAX = 75
VALUE_MAX = 200
FALLBACK_MAX = 300
EDIT_HINTS = {
    "statement": "Write the statement exactly as it should be posted. Saving makes a new version, which "
    "goes to sign-off again.",
    "bulk": "Write the reply exactly as each customer should read it; placeholders such as "
    "{{ author.handle }} are filled in per customer. Saving makes a new version, which goes to "
    "sign-off again.",
}
EDIT_LABELS = {"statement": "The statement", "bulk": "The bulk reply"}

# The core writes Slack's mrkdwn; once escaped, its *bold* reads \*bold\*.
_ESCAPED_BOLD = re.compile(r"\\\*([^*\n]+?)\\\*")
# ... and its _italic_ (a report's definitions) reads \_italic\_, never inside a word like a\_b
_ESCAPED_ITALIC = re.compile(r"(?<![\w\\])\\_([^_\n]+?)\\_(?!\w)")


@dataclass(frozen=True)
class EditForm:
    """The statement or the bulk reply open for editing on one person's copy of its preview."""

    what: str  # "statement" or "bulk"
    value: str  # the Edit button's value: "<incident>:<version>"
    text: str


def notice_fallback(notice: Notice) -> str:
    return escape(notice.title)[:FALLBACK_MAX]


def notice_card(
    notice: Notice,
    *,
    name_of: NameOf = str,
    answer: tuple[str, str] | None = None,
    edit: EditForm | None = None,
) -> dict[str, Any]:
    """The notice as a card. ``answer`` is (text, "good"|"attention"): what the core said to the person
    who just clicked; ``edit`` opens the edit form on their copy."""
    return fit(lambda limit: _notice_card(notice, name_of, answer, edit, limit))


def _notice_card(
    notice: Notice,
    name_of: NameOf,
    answer: tuple[str, str] | None,
    edit: EditForm | None,
    limit: int,
) -> dict[str, Any]:
    body = _head(notice, name_of, limit) + _customer_words(notice, limit) + image_block(notice.image)
    body += _context(notice, name_of, limit)
    if answer is not None:
        body.append(text_block(_words(answer[0], limit, name_of), color=answer[1], weight="Bolder"))
    if edit is not None:
        body += _edit_form(edit)
    return adaptive_card(body, [_button(b) for b in notice.buttons], notice_fallback(notice))


def _words(text: str, limit: int, name_of: NameOf) -> str:
    """The bridge's own words: people by name, its links live, the rest escaped, ``*bold*`` bold."""
    if len(text) > limit:
        text = text[:limit] + " …"
    return _ESCAPED_ITALIC.sub(r"_\1_", _ESCAPED_BOLD.sub(r"**\1**", render_people(text, name_of)))


def _head(notice: Notice, name_of: NameOf, limit: int) -> list[dict[str, Any]]:
    body = [text_block(escape(notice.title[:TITLE_MAX]) or " ", size="Large", weight="Bolder")]
    if notice.text:
        body.append(text_block(_words(notice.text, limit, name_of)))
    if notice.fields:
        facts = [
            {"title": escape(name[:TITLE_MAX]), "value": _words(value, min(limit, FIELD_MAX), name_of)}
            for name, value in notice.fields[:MAX_FIELDS]
        ]
        body.append({"type": "FactSet", "facts": facts})
    return body


def _customer_words(notice: Notice, limit: int) -> list[dict[str, Any]]:
    """The preview (exactly what will be posted) and the customers' posts, quoted and inert."""
    body = [quote_block(cut(notice.preview, limit))] if notice.preview else []
    quotes = notice.quotes[:MAX_QUOTES]
    if quotes:
        share = max(1, limit // len(quotes))
        body += [quote_block(cut(q, share)) for q in quotes]
    return body


def _context(notice: Notice, name_of: NameOf, limit: int) -> list[dict[str, Any]]:
    parts = [markdown_link(url, cut(label, LINK_LABEL_MAX)) for url, label in notice.links[:MAX_LINKS]]
    if notice.context:
        parts.append(_words(notice.context, limit, name_of))
    line = " · ".join(p for p in parts if p)
    return [text_block(line, isSubtle=True, size="Small")] if line else []


def _button(button: NoticeButton) -> dict[str, Any]:
    verb = VERBS.get(button.action, VERB_PREFIX + button.action)
    data = {"value": button.value[:VALUE_MAX]}
    return execute(button.label[:BUTTON_TITLE_MAX], verb, data, style=STYLES.get(button.style))


def _edit_form(form: EditForm) -> list[dict[str, Any]]:
    field = input_text(EDIT_INPUT, EDIT_LABELS[form.what], value=form.text[:TEXT_MAX_CHARS])
    field["maxLength"] = TEXT_MAX_CHARS
    data = {"value": form.value[:VALUE_MAX]}
    save = execute("Save new version", SAVE_VERBS[form.what], data, style="positive")
    cancel = execute("Cancel", CANCEL_VERBS[form.what], data)
    hint = text_block(escape(EDIT_HINTS[form.what]), isSubtle=True)
    return [hint, field, {"type": "ActionSet", "actions": [save, cancel]}]
