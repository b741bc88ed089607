"""X as a social platform: mentions in, replies out, through tweepy's v2 client."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import tweepy

from adapters.x.errors import translate
from bridge.domain.errors import Rejected
from bridge.domain.model import Author, Mention, PostRef
from bridge.domain.ports import DirectMessage, MentionBatch, PostEngagement

TWEET_FIELDS = [
    "author_id",
    "created_at",
    "conversation_id",
    "in_reply_to_user_id",
    "lang",
    "referenced_tweets",
]
USER_FIELDS = ["name", "username", "public_metrics", "verified"]
PAGE_SIZE = 100


def post_url(handle: str, post_id: str) -> str:
    return f"https://x.com/{handle or 'i'}/status/{post_id}"


def engagement_of(public_metrics: dict[str, Any] | None) -> PostEngagement:
    """A post's ``public_metrics`` in the core's words: quotes count as reposts, as retweets do."""
    metrics = public_metrics or {}

    def count(name: str) -> int:
        return int(metrics.get(name) or 0)

    return PostEngagement(
        likes=count("like_count"),
        replies=count("reply_count"),
        reposts=count("retweet_count") + count("quote_count"),
    )


def profile_url(handle: str) -> str:
    """The author's profile page; "" when X gave no user to build it from."""
    return f"https://x.com/{handle}" if handle else ""


class XPlatform:
    name = "x"

    def __init__(self, client: tweepy.Client, user_id: str, handle: str) -> None:
        self.client = client
        self.user_id = user_id
        self.handle = handle
        self.dms = XDirectMessages(client, user_id)

    def fetch_mentions(self, since_id: str | None) -> MentionBatch:
        mentions: list[Mention] = []
        newest: str | None = None
        token: str | None = None
        while True:
            page: Any = translate(
                self.client.get_users_mentions,
                self.user_id,
                since_id=since_id,
                pagination_token=token,
                max_results=PAGE_SIZE,
                expansions=["author_id"],
                tweet_fields=TWEET_FIELDS,
                user_fields=USER_FIELDS,
            )
            meta = page.meta or {}
            if newest is None and meta.get("newest_id"):
                newest = meta["newest_id"]
            users = {u.id: u for u in (page.includes or {}).get("users", [])}
            mentions.extend(self._mention(t, users) for t in page.data or [])
            token = meta.get("next_token")
            if not token:
                return MentionBatch(mentions, newest)

    def _mention(self, tweet: tweepy.Tweet, users: dict[Any, tweepy.User]) -> Mention:
        user = users.get(tweet.author_id)
        metrics = (user.public_metrics or {}) if user is not None else {}
        author = Author(
            id=str(tweet.author_id or ""),
            handle=user.username if user is not None else str(tweet.author_id or "unknown"),
            name=user.name if user is not None else "",
            followers=int(metrics.get("followers_count", 0) or 0),
        )
        refs = tweet.referenced_tweets or []
        replied_to = next((str(r.id) for r in refs if r.type == "replied_to"), None)
        created = tweet.created_at or datetime.now(UTC)
        return Mention(
            platform="x",
            post_id=str(tweet.id),
            text=tweet.text or "",
            author=author,
            created_at=created,
            url=post_url(author.handle, str(tweet.id)),
            account=self.handle,
            lang=tweet.lang,
            conversation_id=str(tweet.conversation_id) if tweet.conversation_id else None,
            in_reply_to=replied_to,
            is_retweet=any(r.type == "retweeted" for r in refs),
            author_url=profile_url(user.username if user is not None else ""),
        )

    def reply(self, in_reply_to: str, text: str) -> PostRef:
        response: Any = translate(
            self.client.create_tweet, text=text, in_reply_to_tweet_id=in_reply_to, user_auth=True
        )
        post_id = str(response.data["id"])
        return PostRef(post_id, post_url(self.handle, post_id))

    def send_direct_message(self, user_id: str, text: str) -> PostRef:
        return self.dms.send(user_id, text)

    def find_direct_message(self, user_id: str, text: str, newer_than: str = "") -> PostRef | None:
        return self.dms.find(user_id, text, newer_than)

    def fetch_direct_messages(self) -> list[DirectMessage]:
        return self.dms.incoming()

    def has_written_privately(self, user_id: str) -> bool:
        """Whether ``user_id`` ever wrote to us privately: their conversation with us, read directly."""
        return any(str(event.sender_id) == user_id for event in self.dms.events(user_id))

    def _user_id(self, handle: str) -> str:
        response: Any = translate(self.client.get_user, username=handle.lstrip("@"))
        if response.data is None:
            raise Rejected(f"X has no account @{handle}")
        return str(response.data.id)

    def mute(self, handle: str) -> None:
        translate(self.client.mute, self._user_id(handle))

    def unmute(self, handle: str) -> None:
        translate(self.client.unmute, self._user_id(handle))

    def hide_reply(self, post_id: str, hidden: bool = True) -> None:
        call = self.client.hide_reply if hidden else self.client.unhide_reply
        translate(call, post_id)

    def find_reply(self, in_reply_to: str, newer_than: str = "") -> PostRef | None:
        # X ids grow with time: asking for posts newer than both skips an earlier round's answer
        since = max((i for i in (in_reply_to, newer_than) if i.isdigit()), key=int, default=None)
        response: Any = translate(
            self.client.get_users_tweets,
            self.user_id,
            since_id=since,
            max_results=PAGE_SIZE,
            tweet_fields=["referenced_tweets"],
            user_auth=True,
        )
        for tweet in response.data or []:
            for ref in tweet.referenced_tweets or []:
                if ref.type == "replied_to" and str(ref.id) == str(in_reply_to):
                    return PostRef(str(tweet.id), post_url(self.handle, str(tweet.id)))
        return None

    def engagement(self, post_id: str) -> PostEngagement | None:
        """Likes, replies and reposts of our post ``post_id``; None when X no longer has it (X answers
        a deleted post's lookup with an error in a 200, not with data)."""
        response: Any = translate(
            self.client.get_tweet, post_id, tweet_fields=["public_metrics"], user_auth=True
        )
        if response.data is None:
            return None
        return engagement_of(response.data.public_metrics)

    def post(self, text: str) -> PostRef:
        """A statement: a post of its own, not a reply (crisis mode)."""
        response: Any = translate(self.client.create_tweet, text=text, user_auth=True)
        post_id = str(response.data["id"])
        return PostRef(post_id, post_url(self.handle, post_id))

    def find_post(self, text: str) -> PostRef | None:
        response: Any = translate(
            self.client.get_users_tweets,
            self.user_id,
            exclude=["replies", "retweets"],
            max_results=PAGE_SIZE,
            user_auth=True,
        )
        for tweet in response.data or []:
            if tweet.text == text:
                return PostRef(str(tweet.id), post_url(self.handle, str(tweet.id)))
        return None


class XDirectMessages:
    """Direct messages of the brand account, for cases moved out of public view."""

    def __init__(self, client: tweepy.Client, user_id: str) -> None:
        self.client = client
        self.user_id = user_id

    def send(self, user_id: str, text: str) -> PostRef:
        response: Any = translate(
            self.client.create_direct_message, participant_id=user_id, text=text, user_auth=True
        )
        return PostRef(str(response.data["dm_event_id"]), "")

    def events(self, participant_id: str | None = None) -> list[Any]:
        response: Any = translate(
            self.client.get_direct_message_events,
            participant_id=participant_id,
            event_types="MessageCreate",
            dm_event_fields=["id", "text", "sender_id", "created_at", "dm_conversation_id"],
            max_results=100,
            user_auth=True,
        )
        return list(response.data or [])

    def find(self, user_id: str, text: str, newer_than: str = "") -> PostRef | None:
        # ids grow with time, so an identical message of an earlier round is older than newer_than
        after = int(newer_than) if newer_than.isdigit() else 0
        for event in self.events(user_id):
            newer = int(event.id) > after if str(event.id).isdigit() else True
            if str(event.sender_id) == self.user_id and event.text == text and newer:
                return PostRef(str(event.id), "")
        return None

    def incoming(self) -> list[DirectMessage]:
        return [
            DirectMessage("x", str(e.id), str(e.sender_id), e.text or "")
            for e in self.events()
            if str(e.sender_id) != self.user_id
        ]
