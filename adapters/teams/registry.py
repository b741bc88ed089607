"""What the bridge knows about the Teams it is installed in: teams, their channels, service URLs.

Teams tells a bot about a team only through activities (the install's ``conversationUpdate``, channel
events, messages), and every outbound call must go to the service URL that came with them. So the
bot records them here, in Redis, and the workers' :class:`~adapters.teams.chat.TeamsChat` reads them
back to resolve a playbook's ``teams_channel`` (a channel id, a name, or ``Team/Channel``) and to know
where to send. The posted cards are remembered too, so a thread reply finds its case whichever way
the playbook named the channel.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import redis

from bridge.domain.errors import PlatformError

GENERAL = "General"  # the General channel shares its team's id and has no name of its own


class ChannelUnknown(PlatformError):
    """A playbook names a channel the bot has not seen; the text says what is known."""


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    team_id: str
    team_name: str
    service_url: str
    tenant_id: str
    aliases: tuple[str, ...] = ()  # the channel's names before renames
    team_aliases: tuple[str, ...] = ()  # the team's names before renames

    @property
    def qualified(self) -> str:
        return f"{self.team_name}/{self.name}"

    def old_names(self, *, qualified: bool) -> set[str]:
        """What a playbook written before a rename calls this channel (casefolded), its current
        name excluded: ``Team/Channel`` for every old team or channel name when ``qualified``."""
        names = [self.name, *self.aliases]
        if not qualified:
            return {n.casefold() for n in self.aliases if n}
        teams = [self.team_name, *self.team_aliases]
        every = {f"{t}/{n}".casefold() for t in teams for n in names if n}
        return every - {self.qualified.casefold()}


@dataclass(frozen=True)
class PostedMessage:
    conversation: str  # the channel's conversation id
    service_url: str


def _s(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")


def thread_id(conversation: str, root: str) -> str:
    """A channel thread's conversation id: the channel's id with the root message's id."""
    return f"{conversation};messageid={root}"


def split_thread(conversation: str) -> tuple[str, str]:
    """(channel conversation id, root message id or "") of a conversation id."""
    channel, _, root = conversation.partition(";messageid=")
    return channel, root


class TeamsRegistry:
    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.r = client
        self.prefix = prefix + "teams:"

    def k(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    # teams and channels ----------------------------------------------------------------------------
    def record_team(
        self, team_id: str, *, name: str = "", service_url: str = "", tenant_id: str = ""
    ) -> None:
        """Remember a team (on install or any activity from it); empty values keep what is known."""
        values = {"name": name, "service_url": service_url, "tenant_id": tenant_id}
        if name:
            self._keep_old_name(
                self.k("team_aliases"), team_id, _s(self.r.hget(self.k("team", team_id), "name")), name
            )
        pipe = self.r.pipeline()
        pipe.sadd(self.k("teams"), team_id)
        pipe.hsetnx(self.k("team", team_id), "name", "")
        updates: dict[Any, Any] = {k: v for k, v in values.items() if v}
        if updates:
            pipe.hset(self.k("team", team_id), mapping=updates)
        if service_url and tenant_id:
            pipe.set(self.k("tenant", tenant_id), service_url)
        pipe.hsetnx(self.k("channels", team_id), team_id, GENERAL)
        pipe.execute()

    def forget_team(self, team_id: str) -> None:
        self.r.srem(self.k("teams"), team_id)
        self.r.hdel(self.k("team_aliases"), team_id)
        self.r.delete(self.k("team", team_id), self.k("channels", team_id), self.k("aliases", team_id))

    def record_channel(self, team_id: str, channel_id: str, name: str = "") -> None:
        """Remember a channel; a channel seen without its name keeps the name it had."""
        key = self.k("channels", team_id)
        if name or channel_id == team_id:
            before = _s(self.r.hget(key, channel_id))
            self._keep_old_name(self.k("aliases", team_id), channel_id, before, name or GENERAL)
            self.r.hset(key, channel_id, name or GENERAL)
        else:
            self.r.hsetnx(key, channel_id, "")

    def forget_channel(self, team_id: str, channel_id: str) -> None:
        self.r.hdel(self.k("channels", team_id), channel_id)
        self.r.hdel(self.k("aliases", team_id), channel_id)

    def _keep_old_name(self, key: str, field: str, before: str, after: str) -> None:
        """On a rename, remember the old name as an alias (a playbook may still use it); a name
        taken back is no alias any more."""
        if before.casefold() == after.casefold():
            return
        old = self._aliases(key, field)
        kept = [n for n in old if n.casefold() not in (after.casefold(), before.casefold())]
        if before:
            kept.append(before)
        if kept != old:
            self.r.hset(key, field, json.dumps(kept))

    def _aliases(self, key: str, field: str) -> list[str]:
        raw = self.r.hget(key, field)
        try:
            names = json.loads(_s(raw)) if raw else []
        except ValueError:
            return []
        return [str(n) for n in names] if isinstance(names, list) else []

    def service_url_for_tenant(self, tenant_id: str) -> str:
        return _s(self.r.get(self.k("tenant", tenant_id)))

    # conversations the bot has seen -----------------------------------------------------------------
    def note_conversation(self, conversation: str, service_url: str, tenant_id: str = "") -> None:
        """Where to answer in a conversation (channel, chat, or 1:1): recorded from every activity."""
        channel, _ = split_thread(conversation)
        mapping: dict[Any, Any] = {"service_url": service_url}
        if tenant_id:
            mapping["tenant_id"] = tenant_id
        self.r.hset(self.k("conv", channel), mapping=mapping)

    def _conversation(self, conversation: str) -> dict[str, str]:
        channel, _ = split_thread(conversation)
        raw = {_s(k): _s(v) for k, v in self.r.hgetall(self.k("conv", channel)).items()}
        if raw:
            return raw
        for known in self.channels():
            if known.id == channel or known.team_id == channel:
                return {"service_url": known.service_url, "tenant_id": known.tenant_id}
        return {}

    def service_url_of(self, conversation: str) -> str:
        return self._conversation(conversation).get("service_url", "")

    def tenant_of(self, conversation: str) -> str:
        return self._conversation(conversation).get("tenant_id", "")

    def note_bot(self, account: str) -> None:
        """The bot's own Teams account id (``28:<app id>``), needed to open 1:1 chats."""
        if account:
            self.r.set(self.k("bot"), account)

    def bot_account(self) -> str:
        return _s(self.r.get(self.k("bot")))

    def remember_chat(self, account: str, conversation: str, service_url: str) -> None:
        self.r.set(self.k("chat", account), conversation)
        self.note_conversation(conversation, service_url)

    def chat_with(self, account: str) -> str:
        return _s(self.r.get(self.k("chat", account)))

    def channels(self) -> list[Channel]:
        out: list[Channel] = []
        for raw_team in sorted(_s(t) for t in self.r.smembers(self.k("teams"))):
            team = {_s(k): _s(v) for k, v in self.r.hgetall(self.k("team", raw_team)).items()}
            team_aliases = tuple(self._aliases(self.k("team_aliases"), raw_team))
            aliases_key = self.k("aliases", raw_team)
            for channel_id, name in sorted(self.r.hgetall(self.k("channels", raw_team)).items()):
                out.append(
                    Channel(
                        id=_s(channel_id),
                        name=_s(name),
                        team_id=raw_team,
                        team_name=team.get("name", ""),
                        service_url=team.get("service_url", ""),
                        tenant_id=team.get("tenant_id", ""),
                        aliases=tuple(self._aliases(aliases_key, _s(channel_id))),
                        team_aliases=team_aliases,
                    )
                )
        return out

    def resolve(self, address: str) -> Channel:
        """The channel a playbook means by ``address``: an id, a name, or ``Team/Channel``."""
        channels = self.channels()
        wanted = address.strip()
        exact = [c for c in channels if c.id == wanted]
        if exact:
            return self._usable(exact[0], address)
        name = wanted.lstrip("#").casefold()
        qualified = "/" in name
        if qualified:
            found = [c for c in channels if c.qualified.casefold() == name]
        else:
            found = [c for c in channels if c.name.casefold() == name]
        if not found:  # a name from before a rename, unless a channel is called that now
            found = [c for c in channels if name in c.old_names(qualified=qualified)]
        if len(found) == 1:
            return self._usable(found[0], address)
        known = ", ".join(c.qualified for c in channels if c.name) or "none yet"
        if found:
            choices = ", ".join(c.qualified for c in found)
            raise ChannelUnknown(f"Teams channel {address!r} is ambiguous; write one of: {choices}.")
        raise ChannelUnknown(
            f"Teams channel {address!r} is unknown: add the bridge to its team first (known: {known})."
        )

    @staticmethod
    def _usable(channel: Channel, address: str) -> Channel:
        if not channel.service_url:
            raise ChannelUnknown(f"No service URL is known yet for Teams channel {address!r}.")
        return channel

    # posted messages ---------------------------------------------------------------------------------
    def remember_message(self, address: str, activity_id: str, posted: PostedMessage, *, root: bool) -> None:
        """Where a message the bridge posted lives; a card (``root``) also maps its thread back to
        the channel address the core knows it by."""
        mapping: dict[Any, Any] = {
            "conversation": posted.conversation,
            "service_url": posted.service_url,
        }
        self.r.hset(self.k("msg", address, activity_id), mapping=mapping)
        if root:
            self.r.set(self.k("thread", posted.conversation, activity_id), address)

    def posted(self, address: str, activity_id: str) -> PostedMessage | None:
        raw = {_s(k): _s(v) for k, v in self.r.hgetall(self.k("msg", address, activity_id)).items()}
        if not raw:
            return None
        return PostedMessage(raw["conversation"], raw["service_url"])

    def address_of(self, conversation: str, root: str) -> str | None:
        """The channel address of the card whose thread is ``conversation;messageid=root``."""
        raw = self.r.get(self.k("thread", conversation, root))
        return _s(raw) if raw else None

    # draft previews ----------------------------------------------------------------------------------
    def remember_preview(self, number: int, version: int, record: dict[str, Any]) -> None:
        """What a posted draft preview showed (its message, draft and status), to update it in place."""
        self.r.hset(self.k("previews", str(number)), str(version), json.dumps(record))

    def previews(self, number: int) -> dict[int, dict[str, Any]]:
        """The case's posted previews by draft version."""
        raw = self.r.hgetall(self.k("previews", str(number)))
        return {int(_s(version)): json.loads(_s(record)) for version, record in raw.items()}
