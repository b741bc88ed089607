"""What a command answers: text for the person who typed it, or a dialog to confirm first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bridge.domain.ports import ChartImage

__all__ = ["FAILED", "CommandReply", "Confirmation", "Handler"]

FAILED = "Something went wrong with that command; it has been logged."


@dataclass(frozen=True)
class Confirmation:
    """An action that must be confirmed in a dialog before it runs."""

    action: str  # "mute", "unmute", "hide", "unhide"
    target: str  # a handle for mute/unmute, a case number for hide/unhide
    prompt: str


@dataclass(frozen=True)
class CommandReply:
    """An answer meant only for the person who typed the command.

    ``text`` is the bridge's own words: people as ``<@ID>`` tokens, Slack-style ``*bold*`` and
    `` `code` ``. ``verbatim`` is text the bridge does not vouch for (a case's timeline holds customers'
    words): each chat adapter shows it exactly as it is, in a preformatted block after ``text``, through
    its one escaping function, so nothing in it can mention, broadcast, link or format."""

    text: str
    confirm: Confirmation | None = None
    verbatim: str = ""
    image: ChartImage | None = None  # a chart after the words (``/bridge report``)


#: A subcommand: who typed it and its arguments (a :class:`~bridge.desk.commands.parsing.Words`).
Handler = Callable[[str, list[str]], CommandReply]
