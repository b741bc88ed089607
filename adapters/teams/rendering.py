"""What the bridge sends to Teams, as activities: its words as a message, and its cards.

In a message, people written ``<@ID>`` by the core become live mentions (or bold names for people
Teams has not introduced yet), everything else is escaped, and text the bridge does not vouch for
(``verbatim``) follows in an inert code block; it is kept under Teams' size limit. A card (a case, a
draft preview, a note quoting a customer, a crisis notice) is an Adaptive Card attachment, with a plain
summary for notifications; the cards themselves are built in :mod:`~adapters.teams.cards` and
:mod:`~adapters.teams.crisis_cards`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment, ChannelAccount, Mention

from adapters.teams.cardkit import MAX_CARD_BYTES, size_of
from adapters.teams.cards import CONTENT_TYPE, case_card, case_summary, note_card, preview_card
from adapters.teams.crisis_cards import notice_card
from adapters.teams.people import TeamsPeople
from adapters.teams.text import (
    PERSON,
    code_block,
    escape,
    escape_keeping_links,
    from_mrkdwn,
    plain,
    render_people,
)
from bridge.crisis.ports import Notice
from bridge.domain.ports import CardView, DraftPreview

MESSAGE_MAX_BYTES = MAX_CARD_BYTES  # Teams refuses a message over about 28 KB; this leaves headroom
SUMMARY_MAX = 200


def card_activity(card: dict[str, Any], summary: str = "") -> Activity:
    """A card message. ``summary`` is what notifications and the activity feed show, as plain text
    (never rendered): pass it unescaped; it is made one clean line here."""
    return Activity(
        type=ActivityTypes.message,
        summary=plain(summary, SUMMARY_MAX) or None,
        attachments=[Attachment(content_type=CONTENT_TYPE, content=card)],
    )


def case_activity(view: CardView, people: TeamsPeople, departments: list[str]) -> Activity:
    """A case's card, people by name, with the departments it may be reassigned to."""
    card = case_card(view, name_of=people.name_of, departments=departments)
    return card_activity(card, case_summary(view))


def preview_activity(
    preview: DraftPreview, people: TeamsPeople, status: str, refresh_for: list[str]
) -> Activity:
    """A draft preview saying ``status``; Teams refreshes it by itself for the ``refresh_for`` accounts."""
    card = preview_card(preview, name_of=people.name_of, status=status, refresh_for=refresh_for)
    return card_activity(card, f"Draft v{preview.version} for case #{preview.number}")


def note_activity(people: TeamsPeople, text: str, quote: str) -> Activity:
    """The bridge's ``text`` with a customer's words (``quote``) under it, inert."""
    return card_activity(note_card(render_people(text, people.name_of), quote), "A customer wrote")


def notice_activity(notice: Notice, people: TeamsPeople) -> Activity:
    """A crisis notice (an alert, an incident's kickoff, a statement for sign-off …)."""
    return card_activity(notice_card(notice, name_of=people.name_of), notice.title)


def message(people: TeamsPeople, text: str, *, mrkdwn: bool = False, verbatim: str = "") -> Activity:
    """The bridge's words as a Teams message, ``<@ID>`` as live mentions. Markdown characters are
    escaped, unless ``mrkdwn`` says the text is the bridge's own formatted answer (Slack style).
    ``verbatim`` (customers' words, a case's timeline) follows in a code block, inert: no person
    token, tag or markdown in it is ever rendered.

    Teams refuses a message over about 28 KB, so the rendered activity (escapes, mentions and
    envelope included, in UTF-8) is kept under :data:`MESSAGE_MAX_BYTES`: a longer text is cut,
    visibly, where the rest would still fit (the verbatim part first)."""
    text, verbatim = text[: MESSAGE_MAX_BYTES * 2], verbatim[: MESSAGE_MAX_BYTES * 2]
    activity = _rendered(people, text, mrkdwn, verbatim)
    if size_of(activity.serialize()) <= MESSAGE_MAX_BYTES:
        return activity
    if verbatim:
        return _fitted(lambda keep: _rendered(people, text, mrkdwn, _cut(verbatim, keep)), verbatim)
    return _fitted(lambda keep: _rendered(people, _cut(text, keep), mrkdwn, ""), text)


def _fitted(render: Callable[[int], Activity], text: str) -> Activity:
    """``render(keep)`` for the largest ``keep`` (characters of ``text``) that fits in a message."""
    fits, too_long = 0, len(text)
    best = render(0)
    while too_long - fits > 1:
        keep = (fits + too_long) // 2
        candidate = render(keep)
        if size_of(candidate.serialize()) <= MESSAGE_MAX_BYTES:
            fits, best = keep, candidate
        else:
            too_long = keep
    return best


def _cut(text: str, keep: int) -> str:
    """``text`` cut after ``keep`` characters (never inside a ``<@ID>``), saying how much is gone."""
    kept = text[:keep]
    opened = kept.rfind("<@")
    if opened > kept.rfind(">"):
        kept = kept[:opened]
    return f"{kept} … [cut: {len(text) - len(kept)} more characters]"


def _rendered(people: TeamsPeople, text: str, mrkdwn: bool, verbatim: str = "") -> Activity:
    render = from_mrkdwn if mrkdwn else escape_keeping_links
    entities: list[Any] = []
    out: list[str] = []
    last = 0
    for match in PERSON.finditer(text):
        out.append(render(text[last : match.start()]))
        person = people.get(match.group(1))
        name = (person.name if person else "") or match.group(1)
        if person is not None and person.account:
            tag = "<at>" + name.replace("<", "").replace(">", "") + "</at>"
            mention = Mention(
                mentioned=ChannelAccount(id=person.account, name=name), text=tag, type="mention"
            )
            entities.append(Mention().deserialize(mention.serialize()))
            out.append(tag)
        else:
            out.append("**" + escape(name) + "**")
        last = match.end()
    out.append(render(text[last:]))
    if verbatim:
        out.append("\n" + code_block(verbatim))
    return Activity(type=ActivityTypes.message, text="".join(out), text_format="markdown", entities=entities)
