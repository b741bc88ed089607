"""Reading a team the bot was added to: its channels into the registry, so the playbook can name them
(``Team/Channel``), and its members into the people, so they show with their names (and can be
mentioned and told privately) before they have said anything to the bot."""

from __future__ import annotations

from functools import partial
from typing import Any

from adapters.teams.connector import Connector
from adapters.teams.people import TeamsPeople
from adapters.teams.registry import TeamsRegistry
from bridge.domain.errors import Rejected

MEMBER_PAGE_SIZE = 500
MEMBER_PAGES_MAX = 100


class TeamSync:
    def __init__(self, connector: Connector, registry: TeamsRegistry, people: TeamsPeople) -> None:
        self.connector = connector
        self.registry = registry
        self.people = people

    def sync(self, team_id: str) -> int:
        """Read a team's channels and members (on install); returns how many channels it has."""
        url = self.registry.service_url_of(team_id)
        if not url:
            raise Rejected(f"No Teams service URL is known for team {team_id}.")
        channels = self._channels(team_id, url)
        self._members(team_id, url)
        return channels

    def _channels(self, team_id: str, url: str) -> int:
        teams_client = self.connector.teams_client(url)
        listing = self.connector.call(
            team_id, "get_teams_channels", lambda: teams_client.teams.get_teams_channels(team_id)
        )
        channels = list(listing.conversations or [])
        for channel in channels:
            self.registry.record_channel(team_id, str(channel.id), str(channel.name or ""))
        return len(channels)

    def _members(self, team_id: str, url: str) -> None:
        """Every member, a page at a time (at most :data:`MEMBER_PAGES_MAX` pages)."""
        client = self.connector.client(url)
        token: str | None = None
        for _page in range(MEMBER_PAGES_MAX):
            fetch = partial(
                client.conversations.get_conversation_paged_members,
                team_id,
                page_size=MEMBER_PAGE_SIZE,
                continuation_token=token,
                raw=True,
            )
            raw = self.connector.call(team_id, "get_conversation_paged_members", fetch)
            page: dict[str, Any] = raw.response.json() or {}
            for member in page.get("members") or []:
                aad = str(member.get("aadObjectId") or member.get("objectId") or "")
                self.people.remember(str(member.get("id") or ""), aad, str(member.get("name") or ""))
            token = page.get("continuationToken")
            if not token:
                break
