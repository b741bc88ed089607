"""Who is who in Teams: the ids a playbook uses for people, their Teams accounts and names.

A playbook lists Teams people by their Microsoft Entra object id (``aadObjectId``): stable, the same
for every app, and what an admin can look up. Teams itself addresses people by a per-app account id
(``29:…``) and shows names. Every activity carries all three, so the bot records them here; the chat
adapter then writes ``<@ID>`` references as names in cards and as real mentions in messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import redis

#: An Entra object id typed as a word of a command (``assign 1042 <object id>``).
_OBJECT_ID = re.compile(
    r"(?<![\w<@:\-])([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})(?![\w>\-])"
)
#: One person written several times in a row: newer Teams clients split a mention of "Erin Expert"
#: into ``<at>Erin</at> <at>Expert</at>``, two mention entities with the same account id.
_REPEATED = re.compile(r"<@([^<>\s]+)>(?:[ \t]*<@\1>)+")


def person_tokens(command: str) -> str:
    """A command's people as the core's neutral ``<@ID>`` tokens: Teams mentions arrive already
    written so (see :class:`~adapters.teams.messages.Incoming`), one per person however Teams split
    the name; an Entra object id typed by hand becomes the same token, lower-cased as Teams sends
    ``aadObjectId``, so an assignment names exactly the id a click on Claim would."""
    command = _OBJECT_ID.sub(lambda m: f"<@{m.group(1).lower()}>", command)
    return _REPEATED.sub(r"<@\1>", command)


@dataclass(frozen=True)
class Person:
    user: str  # the id the core and the playbook use (aadObjectId, else the Teams account id)
    account: str  # the Teams account id (29:…), used for mentions and 1:1 chats
    name: str


def _s(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")


class TeamsPeople:
    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.r = client
        self.prefix = prefix + "teams:"

    def remember(self, account: str, aad_object_id: str = "", name: str = "") -> str:
        """Record a person seen in an activity; returns the id the core knows them by."""
        user = aad_object_id or account
        if not account:
            return user
        mapping: dict[Any, Any] = {"account": account}
        if name:
            mapping["name"] = name
        pipe = self.r.pipeline()
        pipe.hset(self.prefix + "person:" + user, mapping=mapping)
        pipe.set(self.prefix + "account:" + account, user)
        pipe.execute()
        return user

    def get(self, user: str) -> Person | None:
        raw = {_s(k): _s(v) for k, v in self.r.hgetall(self.prefix + "person:" + user).items()}
        if not raw:
            by_account = self.r.get(self.prefix + "account:" + user)
            if not by_account:
                return None
            return self.get(_s(by_account)) if _s(by_account) != user else None
        return Person(user, raw.get("account", ""), raw.get("name", ""))

    def user_of(self, account: str) -> str:
        """The core's id for a Teams account id (the account id itself when never seen)."""
        raw = self.r.get(self.prefix + "account:" + account)
        return _s(raw) if raw else account

    def name_of(self, user: str) -> str:
        person = self.get(user)
        return person.name if person and person.name else user
