"""The bridge's words as a Teams message: people written ``<@ID>`` by the core become live mentions
(or bold names for people Teams has not introduced yet), everything else is escaped, and text the
bridge does not vouch for (``verbatim``) follows in an inert code block. Kept under Teams' size limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, Mention

from adapters.teams.cardkit import MAX_CARD_BYTES, size_of
from adapters.teams.people import TeamsPeople
from adapters.teams.text import PERSON, code_block, escape, escape_keeping_links, from_mrkdwn

MESSAGE_MAX_BYTES = MAX_CARD_BYTES  # Teams refuses a message over about 28 KB; this leaves headroom


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
