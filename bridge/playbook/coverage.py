"""Which parts of a playbook have a home in the chat platforms this deployment runs, and which not.

Said at start-up, once per missing platform, so an operator learns which departments' cards cannot
be posted before the first failed job tells them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import structlog

from bridge.playbook.homes import CHAT_PREFERENCE, HasChannels, channels_of, home
from bridge.playbook.model import Playbook

__all__ = ["MissingChat", "missing_chats", "places", "reachable_departments", "warn_missing_chats"]

log = structlog.get_logger(__name__)

#: What to set for each chat platform, as the operator reads it in the warning.
CHAT_SETTINGS = {
    "slack": "SLACK_BOT_TOKEN (with SLACK_SIGNING_SECRET, or SLACK_APP_TOKEN for Socket Mode)",
    "teams": "TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID (or TEAMS_LOCAL=1 for local development)",
}


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
