"""What the X stand-in remembers: people, posts (mentions and the brand's own), mutes and DMs.

Ids are snowflake-like numeric strings that only ever increase, so ``since_id`` and "newest
first" mean what they mean on X. All access goes through one lock: the server writes on its
loop thread while tests arrange and assert from theirs.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# X's snowflake epoch (2010-11-04T01:42:54.657Z); ids are (ms since it) << 22 | sequence.
SNOWFLAKE_EPOCH_MS = 1_288_834_974_657
SNOWFLAKE_SEQUENCE_BITS = 22


@dataclass
class XUser:
    id: str
    username: str
    name: str
    created_at: datetime
    followers_count: int = 0
    following_count: int = 0
    tweet_count: int = 0
    verified: bool = False
    description: str = ""
    protected: bool = False


@dataclass
class XPost:
    """A post as the stand-in holds it; ``hidden`` is set by the hide-reply endpoint."""

    id: str
    text: str
    author_id: str
    created_at: datetime
    conversation_id: str
    lang: str = "en"
    in_reply_to_user_id: str | None = None
    in_reply_to: str | None = None
    mentions_brand: bool = False
    mentions_account: str | None = None  # another account of ours it mentions (the main brand)
    hidden: bool = False
    like_count: int = 0
    retweet_count: int = 0
    reply_count: int = 0
    quote_count: int = 0

    @property
    def referenced_tweets(self) -> list[dict[str, str]]:
        return [{"type": "replied_to", "id": self.in_reply_to}] if self.in_reply_to else []


@dataclass
class XDirectMessage:
    id: str
    dm_conversation_id: str
    sender_id: str
    participant_ids: list[str]
    text: str
    created_at: datetime


def now_utc() -> datetime:
    """Millisecond precision, as X reports ``created_at``."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@dataclass
class XStore:
    brand: XUser
    lock: threading.RLock = field(default_factory=threading.RLock)
    users: dict[str, XUser] = field(default_factory=dict)
    posts: dict[str, XPost] = field(default_factory=dict)
    deleted_ids: set[str] = field(default_factory=set)
    muted: dict[str, set[str]] = field(default_factory=dict)
    direct_messages: list[XDirectMessage] = field(default_factory=list)
    account_tokens: dict[str, str] = field(default_factory=dict)  # OAuth 1.0a access token -> user id
    _last_id: int = 0

    def __post_init__(self) -> None:
        self.users[self.brand.id] = self.brand

    def clear(self) -> None:
        with self.lock:
            accounts = {i: self.users[i] for i in self.account_tokens.values() if i in self.users}
            self.users.clear()
            self.users.update(accounts)
            self.users[self.brand.id] = self.brand
            self.posts.clear()
            self.deleted_ids.clear()
            self.muted.clear()
            self.direct_messages.clear()

    def next_id(self) -> str:
        with self.lock:
            from_clock = (int(time.time() * 1000) - SNOWFLAKE_EPOCH_MS) << SNOWFLAKE_SEQUENCE_BITS
            self._last_id = max(from_clock, self._last_id + 1)
            return str(self._last_id)

    def user_by_handle(self, handle: str) -> XUser | None:
        with self.lock:
            wanted = handle.removeprefix("@").lower()
            return next((u for u in self.users.values() if u.username.lower() == wanted), None)

    def ensure_user(self, handle: str, name: str, user_id: str | None, **fields: Any) -> XUser:
        """The known user with this handle (updated with ``fields``), or a new one."""
        with self.lock:
            user = self.users.get(user_id) if user_id else self.user_by_handle(handle)
            if user is None:
                user = XUser(
                    id=user_id or self.next_id(),
                    username=handle.removeprefix("@"),
                    name=name,
                    created_at=now_utc(),
                )
                self.users[user.id] = user
            for key, value in fields.items():
                setattr(user, key, value)
            return user

    def add_post(
        self,
        text: str,
        author: XUser,
        *,
        created_at: datetime | None = None,
        conversation_id: str | None = None,
        in_reply_to: str | None = None,
        lang: str = "en",
        mentions_brand: bool = False,
        mentions_account: str | None = None,
    ) -> XPost:
        with self.lock:
            post_id = self.next_id()
            parent = self.posts.get(in_reply_to) if in_reply_to else None
            if in_reply_to and parent is None:
                raise KeyError(f"no post {in_reply_to} to reply to")
            post = XPost(
                id=post_id,
                text=text,
                author_id=author.id,
                created_at=created_at or now_utc(),
                conversation_id=conversation_id or (parent.conversation_id if parent else post_id),
                lang=lang,
                in_reply_to_user_id=parent.author_id if parent else None,
                in_reply_to=parent.id if parent else None,
                mentions_brand=mentions_brand,
                mentions_account=mentions_account,
            )
            if parent is not None:
                parent.reply_count += 1
            author.tweet_count += 1
            self.posts[post_id] = post
            return post

    def delete_post(self, post_id: str) -> bool:
        with self.lock:
            post = self.posts.pop(post_id, None)
            if post is None:
                return False
            self.deleted_ids.add(post_id)
            return True

    def select(self, keep: Callable[[XPost], bool]) -> list[XPost]:
        """Copies of the posts ``keep`` accepts, newest first."""
        with self.lock:
            chosen = [dataclasses.replace(p) for p in self.posts.values() if keep(p)]
        return sorted(chosen, key=lambda p: int(p.id), reverse=True)

    def add_direct_message(self, sender_id: str, recipient_id: str, text: str) -> XDirectMessage:
        with self.lock:
            participants = sorted({sender_id, recipient_id}, key=int)
            message = XDirectMessage(
                id=self.next_id(),
                dm_conversation_id="-".join(participants),
                sender_id=sender_id,
                participant_ids=participants,
                text=text,
                created_at=now_utc(),
            )
            self.direct_messages.append(message)
            return message
