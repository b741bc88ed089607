"""The two interfaces through which the core reaches platforms.

A social platform is where customers speak (X, later Mastodon, Bluesky ...); a chat platform is where
the company's people work (Slack, Teams). Adapters implement these; the core calls nothing else.
Errors are reported with :mod:`bridge.domain.errors` so the core can decide between retrying and telling a
person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from bridge.domain.model import Case, Mention, MessageRef, PostRef

__all__ = [
    "BlocksAndReports",
    "CardView",
    "ChartImage",
    "ChatPlatform",
    "Conversations",
    "CrisisHook",
    "DirectMessage",
    "DraftPreview",
    "Engagement",
    "MentionBatch",
    "PostEngagement",
    "PrivateReplies",
    "SocialPlatform",
]


@dataclass(frozen=True)
class MentionBatch:
    """Every mention newer than the cursor, all pages read; ``newest_id`` is the next cursor."""

    mentions: list[Mention]
    newest_id: str | None


@dataclass(frozen=True)
class DirectMessage:
    platform: str
    id: str
    sender_id: str
    text: str


class SocialPlatform(Protocol):
    name: str
    handle: str  # the account's handle, without "@": who our posts come from

    def fetch_mentions(self, since_id: str | None) -> MentionBatch:
        """Read all mentions of the brand account newer than ``since_id`` (every page)."""
        ...

    def reply(self, in_reply_to: str, text: str) -> PostRef:
        """Post ``text`` publicly as a reply to post ``in_reply_to``."""
        ...

    def find_reply(self, in_reply_to: str, newer_than: str = "") -> PostRef | None:
        """Our own reply to ``in_reply_to`` posted after our post ``newer_than`` (when given), if one
        exists: used after a post whose outcome is unknown, so an earlier answer never passes for it."""
        ...

    def post(self, text: str) -> PostRef:
        """Post ``text`` publicly, not as a reply: a statement (crisis mode)."""
        ...

    def find_post(self, text: str) -> PostRef | None:
        """Our own recent non-reply post with exactly ``text``, after a post whose outcome is unknown."""
        ...

    def send_direct_message(self, user_id: str, text: str) -> PostRef:
        """Send ``text`` privately to ``user_id``."""
        ...

    def find_direct_message(self, user_id: str, text: str, newer_than: str = "") -> PostRef | None:
        """Our own direct message to ``user_id`` with exactly ``text``, sent after our message or post
        ``newer_than`` (when given), after an unknown outcome."""
        ...

    def fetch_direct_messages(self) -> list[DirectMessage]:
        """Recent direct messages sent to the brand, newest first."""
        ...

    def mute(self, handle: str) -> None:
        """Stop ``handle``'s posts reaching the brand account (reversible with :meth:`unmute`)."""
        ...

    def unmute(self, handle: str) -> None: ...

    def hide_reply(self, post_id: str, hidden: bool = True) -> None:
        """Hide (or show again) a reply under one of the brand's conversations."""
        ...


@runtime_checkable
class BlocksAndReports(Protocol):
    """What a platform whose API still blocks and reports (Mastodon) offers beside :class:`SocialPlatform`."""

    def block(self, handle: str) -> None: ...

    def report(self, handle: str, post_ids: list[str], comment: str) -> None:
        """Report ``handle`` (and their posts) to the moderators of the instance."""
        ...


@runtime_checkable
class Conversations(Protocol):
    """What a platform that can look up one private conversation (X) offers beside
    :class:`SocialPlatform`: whether ``user_id`` has written to the brand privately, however long ago."""

    def has_written_privately(self, user_id: str) -> bool: ...


@dataclass(frozen=True)
class PostEngagement:
    """How people reacted to one of our public posts, as the platform counts it when asked: likes
    (favourites), replies, and reposts (boosts, retweets and quotes together)."""

    likes: int = 0
    replies: int = 0
    reposts: int = 0


@runtime_checkable
class Engagement(Protocol):
    """What a platform that can count reactions to a post offers beside :class:`SocialPlatform`."""

    def engagement(self, post_id: str) -> PostEngagement | None:
        """The counts of our post ``post_id``; None when the post is gone (deleted, or not ours to
        read) or is not public (a private message has no likes)."""
        ...


@dataclass(frozen=True)
class ChartImage:
    """A chart the bridge rendered (a report's): PNG bytes, what it shows in words, and where the
    bridge serves it (an unguessable, expiring URL; "" when it has no public address). Slack shows an
    image only by URL; Teams takes the PNG inline when it is small enough."""

    alt: str
    png: bytes
    url: str = ""


@runtime_checkable
class PrivateReplies(Protocol):
    """What a platform that answers a public comment privately (Facebook, Instagram: one message to
    the comment's author, within a window) offers beside :class:`SocialPlatform`."""

    def private_reply(self, comment_id: str, text: str) -> PostRef: ...

    def find_private_reply(self, comment_id: str) -> PostRef | None:
        """Our private reply to ``comment_id``, after a send whose outcome is unknown."""
        ...


@dataclass(frozen=True)
class CardView:
    """Everything a case card shows, decided by the core; adapters only render it."""

    number: int
    state: str
    state_label: str
    department: str
    author_handle: str
    author_name: str
    author_followers: int
    text: str
    post_url: str
    platform: str
    created_at: datetime
    sla_due: datetime | None
    claimant: str = ""
    approver: str = ""
    reply_url: str = ""
    verdict: str = ""
    priority: str = ""
    reasons: tuple[str, ...] = ()
    kind: str = ""  # "service" or "brand"
    claim_due: datetime | None = None
    reply_account: str = ""  # the handle the answer should come from
    actions: tuple[str, ...] = ()  # "claim", "reassign", "ignore", "draft"
    draft_version: int = 0  # the newest draft, 0 before any
    approved_version: int = 0  # the draft signed off, 0 while none is
    language: str = ""  # e.g. "language de"; "" when triage could not tell
    sentiment: str = ""  # e.g. "negative (-0.62)" or "sentiment unknown" (a language the model cannot read)
    visibility: str = ""  # e.g. "direct (private)" for a Mastodon direct mention; "" where posts have none
    author_url: str = ""  # the author's profile page; "" where the platform gave none
    #: the customer's earlier cases, e.g. "2 earlier cases · last #1012: resolved, ended negative";
    #: "" for a first case. The bridge's words, but rendered escaped (it repeats stored values)
    customer_history: str = ""
    customer_history_url: str = ""  # the dashboard's list of those cases; "" when the bridge has no address
    on_post: str = ""  # the post or media a comment is on (untrusted text), and its link
    on_post_url: str = ""


@dataclass(frozen=True)
class DraftPreview:
    """A draft shown for sign-off: the text exactly as it will be posted and its length check."""

    number: int
    version: int
    text: str
    author: str
    length_label: str  # e.g. "212/280" or "291/280 — 11 over the limit"
    can_approve: bool
    approvers: tuple[str, ...] = field(default_factory=tuple)


class ChatPlatform(Protocol):
    name: str

    def post_card(self, channel: str, card: CardView) -> MessageRef: ...

    def update_card(self, ref: MessageRef, card: CardView) -> None: ...

    def post_in_thread(self, ref: MessageRef, text: str, quote: str = "") -> MessageRef:
        """Post the bridge's ``text`` in the card's thread, and under it ``quote``: a customer's words,
        untrusted, to be rendered inert."""
        ...

    def post_preview(self, ref: MessageRef, preview: DraftPreview) -> MessageRef: ...

    def tell(self, channel: str, user: str, text: str) -> None:
        """Tell one person something only they see (a refusal, who owns a case)."""
        ...

    def post_message(self, channel: str, text: str, link_to: MessageRef | None = None) -> MessageRef:
        """Post bridge-written text in a channel, with a link to another message (a case card)."""
        ...


class CrisisHook(Protocol):
    """What ingest asks of crisis mode (:class:`bridge.crisis.service.Crisis`), so the case flow does
    not depend on the crisis package: every new case is observed for a mass problem."""

    def observe(self, mention: Mention, case: Case, number: int) -> bool:
        """Feed detection; True when the case joins a mass-issue card and gets no card of its own."""
        ...
