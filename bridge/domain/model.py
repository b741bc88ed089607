"""Plain typed data that flows between the core and the adapters.

Nothing here talks to Redis or a platform; adapters build these from payloads and the store turns a
:class:`Case` into a Redis hash and back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from bridge.domain.lifecycle import State

__all__ = ["Author", "Case", "Draft", "Mention", "MessageRef", "PostRef", "utcnow"]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Author:
    id: str
    handle: str
    name: str
    followers: int = 0


@dataclass(frozen=True)
class Mention:
    """One public post that names the brand, as read from a social platform."""

    platform: str
    post_id: str
    text: str
    author: Author
    created_at: datetime
    url: str
    account: str = ""  # the brand handle that was mentioned
    lang: str | None = None
    conversation_id: str | None = None
    in_reply_to: str | None = None
    is_retweet: bool = False
    visibility: str = ""  # who can see the post where the platform says (Mastodon: public ... direct)
    author_url: str = ""  # the author's profile page, built by the adapter from the platform's own data
    on_post: str = ""  # a comment's post or media (Facebook, Instagram): its text, where the adapter read it
    on_post_url: str = ""  # and its link


@dataclass(frozen=True)
class PostRef:
    """A post the bridge made on a social platform."""

    id: str
    url: str


@dataclass(frozen=True)
class MessageRef:
    """Where a message lives in a chat platform: enough to update it or reply in its thread."""

    chat: str
    channel: str
    ts: str

    def key(self) -> str:
        return f"{self.chat}:{self.channel}:{self.ts}"


@dataclass(frozen=True)
class Draft:
    case: int
    version: int
    text: str
    author: str
    source: str  # "thread" or "modal"
    created_at: datetime

    def to_json(self) -> str:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["created_at"] = self.created_at.isoformat()
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Draft:
        data = json.loads(raw)
        data["created_at"] = datetime.fromisoformat(data["created_at"])
        return cls(**data)


_JSON_FIELDS = {"reasons", "tags", "needs"}
_INT_FIELDS = {"number", "author_followers", "draft_version", "approved_version"}
_FLOAT_FIELDS = {"sentiment"}
_TIME_FIELDS = {"created_at", "ingested_at", "sla_due", "claim_due", "claimed_at", "posted_at"}


@dataclass
class Case:
    """A customer's concern from the moment it is ingested until it is answered or set aside."""

    number: int
    state: State
    platform: str
    post_id: str
    text: str
    author_id: str
    author_handle: str
    author_name: str
    post_url: str
    created_at: datetime
    ingested_at: datetime
    department: str = ""
    author_followers: int = 0
    account: str = ""
    lang: str = ""
    conversation_id: str = ""
    verdict: str = ""
    kind: str = ""
    priority: str = ""
    sentiment: float = 0.0
    polarity: str = ""  # negative, neutral, positive, or "unknown": a language the model does not read
    needs: list[str] = field(default_factory=list)  # the need rules triage matched: why someone should look
    reasons: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    sla_due: datetime | None = None
    claim_due: datetime | None = None  # when the claim reminder fires (half the SLA, in open hours)
    chat: str = ""
    channel: str = ""
    card_ts: str = ""
    claimant: str = ""
    claimed_at: datetime | None = None
    draft_version: int = 0
    approved_version: int = 0
    approver: str = ""
    reply_id: str = ""
    reply_url: str = ""
    posted_at: datetime | None = None
    last_error: str = ""
    ignore_reason: str = ""
    reply_to: str = ""  # the customer's newest post in this case, which our next answer replies to
    mode: str = ""  # "private" once the conversation moved to direct messages
    pending_private: str = ""  # "1" while the move-to-DM answer waits for sign-off and posting
    reply_account: str = ""  # the handle our answer should come from (care handle or main brand)
    template: str = ""  # the playbook template triage suggests for the first answer
    posting_to: str = ""  # the post the answer being posted replies to, fixed when posting began
    posting_after: str = ""  # our previous reply in this case: a check for this answer looks past it
    visibility: str = ""  # the customer's post's visibility where the platform has one (Mastodon)
    author_url: str = ""  # the author's profile page on their platform, for the card's handle link
    customer_history: str = ""  # the card's line about the customer's earlier cases, in the bridge's words
    customer_history_url: str = ""  # and where the dashboard lists them ("" without a public address)
    on_post: str = ""  # the post or media the customer's comment is on: its text (Meta)
    on_post_url: str = ""  # and its link

    @property
    def ref(self) -> str:
        """The short reference people type and see: ``#1042``."""
        return f"#{self.number}"

    @property
    def card(self) -> MessageRef | None:
        if not (self.chat and self.channel and self.card_ts):
            return None
        return MessageRef(self.chat, self.channel, self.card_ts)

    def to_hash(self, *, compact: bool = False) -> dict[str, str]:
        """The case as Redis hash fields; ``compact`` leaves out each field that is empty, as its
        default is: :meth:`from_hash` gives the default back, and a transition's guard reads a
        missing field as empty (a new case has some 25 of them). Fields whose default is a number
        stay: a guard on ``draft_version`` compares it with "0"."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            text = _hash_value(f.name, value)
            if not (compact and text == "" and f.name in _EMPTY_BY_DEFAULT):
                out[f.name] = text
        return out

    @classmethod
    def from_hash(cls, raw: dict[str, str]) -> Case:
        known = {f.name for f in fields(cls)}
        data: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in known:
                continue
            if key in _JSON_FIELDS:
                data[key] = json.loads(value)
            elif key in _INT_FIELDS:
                data[key] = int(value or 0)
            elif key in _FLOAT_FIELDS:
                data[key] = float(value or 0)
            elif key in _TIME_FIELDS:
                data[key] = datetime.fromisoformat(value) if value else None
            elif key == "state":
                data[key] = State(value)
            else:
                data[key] = value
        return cls(**data)


def _hash_value(name: str, value: object) -> str:
    if name in _JSON_FIELDS:
        return json.dumps(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


#: The :class:`Case` fields whose default is the empty string.
_EMPTY_BY_DEFAULT = frozenset(f.name for f in fields(Case) if f.default == "")
