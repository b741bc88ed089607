"""Where a department's cases live in chat, given the chat platforms this deployment runs.

A playbook may give a department both a ``slack_channel`` and a ``teams_channel``, and the same playbook
may run where only one of the two platforms is configured. A case's home is therefore the department's
channel in a chat platform that is actually there: the one the case already lives in when the
department has a channel there too (a moved case stays in its chat), else Slack, else Teams. A channel
in a platform that is not configured is never a home, and a department with no channel anywhere
usable is named loudly at start-up (:mod:`bridge.playbook.coverage`) instead of failing when its
first card is posted. Works on anything with channels, so the playbook's own models can use it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

__all__ = ["CHAT_PREFERENCE", "HasChannels", "channels_of", "home"]

#: The order a place's channels are preferred in when both platforms run.
CHAT_PREFERENCE = ("slack", "teams")


class HasChannels(Protocol):
    """A department, or any other place of the playbook that names its chat channels."""

    @property
    def slack_channel(self) -> str | None: ...

    @property
    def teams_channel(self) -> str | None: ...


def channels_of(place: HasChannels) -> dict[str, str]:
    """The place's channels by chat platform, in the order of preference."""
    named = {"slack": place.slack_channel or "", "teams": place.teams_channel or ""}
    return {chat: named[chat] for chat in CHAT_PREFERENCE if named[chat]}


def home(
    place: HasChannels, configured: Collection[str] | None = None, current: str = ""
) -> tuple[str, str] | None:
    """The (chat, channel) where the place's cases live; None when no configured platform has one.

    ``configured`` None means "not known here": every channel the playbook names counts, so a caller
    without the platforms (ingest's first guess) gets the playbook's own preference.
    """
    usable = {
        chat: channel
        for chat, channel in channels_of(place).items()
        if configured is None or chat in configured
    }
    if not usable:
        return None
    chat = current if current in usable else next(iter(usable))
    return chat, usable[chat]
