"""Where a department's cases live in chat, given the chat platforms this deployment runs.

A playbook may give a department both a ``slack_channel`` and a ``teams_channel``, and the same playbook
may run where only one of the two platforms is configured. A case's home is therefore the department's
channel in a chat platform that is actually there: the one the case already lives in when the
department has a channel there too (a moved case stays in its chat), else Slack, else Teams. A channel
in a platform that is not configured is never a home, and a department with no channel anywhere
usable is named loudly at start-up instead of failing when its first card is posted.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

import structlog

from bridge.playbook import Playbook

log = structlog.get_logger(__name__)

#: The order a place's channels are preferred in when both platforms run.
CHAT_PREFERENCE = ("slack", "teams")
#: What to set for each chat platform, as the operator reads it in the warning.
CHAT_SETTINGS = {
    "slack": "SLACK_BOT_TOKEN (with SLACK_SIGNING_SECRET, or SLACK_APP_TOKEN for Socket Mode)",
    "teams": "TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID (or TEAMS_LOCAL=1 for local development)",
}


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


def reachable_departments(playbook: Playbook, configured: Collection[str]) -> list[str]:
    """The departments a case can be moved to from chat: those with a channel in a running platform.
    A picker offering the others would lead to a card that stays where it is."""
    return sorted(n for n, d in playbook.departments.items() if home(d, configured) is not None)


@dataclass(frozen=True)
class MissingChat:
    """A chat platform the playbook names channels in but this deployment does not run."""

    chat: str
    departments: tuple[str, ...]  # every department with a channel there
    stranded: tuple[str, ...]  # those with no channel in any configured platform: their cases fail
    settings: str  # what to set to run the platform

    @property
    def effect(self) -> str:
        if self.stranded:
            return (
                f"cards of {', '.join(self.stranded)} cannot be posted anywhere; the others' cards go "
                "to their channel in the chat platform that is configured"
            )
        return "their cards go to their channel in the chat platform that is configured"


def places(playbook: Playbook) -> dict[str, HasChannels]:
    """Every part of the playbook that names chat channels: the departments, and crisis leadership
    (as ``crisis.leadership``), whose alerts would otherwise go unseen."""
    found: dict[str, HasChannels] = dict(playbook.departments)
    if playbook.crisis is not None:
        found["crisis.leadership"] = playbook.crisis.leadership
    return found


def missing_chats(playbook: Playbook, configured: Collection[str]) -> list[MissingChat]:
    """Each chat platform the playbook names channels in but the deployment lacks, with who it hits."""
    found: list[MissingChat] = []
    named_places = places(playbook)
    for chat in CHAT_PREFERENCE:
        if chat in configured:
            continue
        named = sorted(n for n, place in named_places.items() if chat in channels_of(place))
        if not named:
            continue
        stranded = tuple(n for n in named if home(named_places[n], configured) is None)
        found.append(MissingChat(chat, tuple(named), stranded, CHAT_SETTINGS[chat]))
    return found


def warn_missing_chats(playbook: Playbook, chats: Mapping[str, object]) -> list[MissingChat]:
    """Say at start-up, once per missing platform, which departments' channels will not be used,
    whose cases cannot be posted at all, and what to set: otherwise the first sign is a failed job."""
    found = missing_chats(playbook, set(chats))
    for missing in found:
        log.warning(
            "playbook_channels_in_unconfigured_chat",
            chat=missing.chat,
            departments=list(missing.departments),
            stranded=list(missing.stranded),
            effect=missing.effect,
            fix=f"set {missing.settings}, or remove the {missing.chat}_channel entries",
        )
    return found
