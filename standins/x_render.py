"""Posts, users and DM events as X API v2 renders them for the requested fields and expansions.

X sends ``id``, ``text`` and ``edit_history_tweet_ids`` unless asked for more, and omits fields
that have no value (``in_reply_to_user_id`` on a fresh post): the bridge must cope with exactly
that, so the stand-in does the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from standins.x_store import XDirectMessage, XPost, XStore, XUser

_MENTION = re.compile(r"(?<![\w@])@(\w{1,15})")


def iso(moment: datetime) -> str:
    """``2022-10-07T22:42:12.000Z``, X's timestamp format."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def render_user(user: XUser, fields: set[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"id": user.id, "name": user.name, "username": user.username}
    optional: dict[str, Any] = {
        "created_at": iso(user.created_at),
        "description": user.description,
        "protected": user.protected,
        "verified": user.verified,
        "verified_type": "blue" if user.verified else "none",
        "profile_image_url": f"https://pbs.twimg.com/profile_images/{user.id}/avatar_normal.jpg",
        "public_metrics": {
            "followers_count": user.followers_count,
            "following_count": user.following_count,
            "tweet_count": user.tweet_count,
            "listed_count": 0,
            "like_count": 0,
            "media_count": 0,
        },
    }
    data.update({name: value for name, value in optional.items() if name in fields})
    return data


def _mentions(text: str, store: XStore) -> list[dict[str, Any]]:
    found = []
    for match in _MENTION.finditer(text):
        entry: dict[str, Any] = {"start": match.start(), "end": match.end(), "username": match.group(1)}
        user = store.user_by_handle(match.group(1))
        if user is not None:
            entry["id"] = user.id
        found.append(entry)
    return found


def render_post(post: XPost, fields: set[str], store: XStore) -> dict[str, Any]:
    data: dict[str, Any] = {"id": post.id, "text": post.text, "edit_history_tweet_ids": [post.id]}
    optional: dict[str, Any] = {
        "author_id": post.author_id,
        "created_at": iso(post.created_at),
        "conversation_id": post.conversation_id,
        "lang": post.lang,
        "possibly_sensitive": False,
        "reply_settings": "everyone",
        "public_metrics": {
            "retweet_count": post.retweet_count,
            "reply_count": post.reply_count,
            "like_count": post.like_count,
            "quote_count": post.quote_count,
            "bookmark_count": 0,
            "impression_count": 0,
        },
    }
    if post.in_reply_to_user_id is not None:
        optional["in_reply_to_user_id"] = post.in_reply_to_user_id
    if post.referenced_tweets:
        optional["referenced_tweets"] = post.referenced_tweets
    mentions = _mentions(post.text, store)
    if mentions:
        optional["entities"] = {"mentions": mentions}
    data.update({name: value for name, value in optional.items() if name in fields})
    return data


def includes(
    posts: Iterable[XPost],
    expansions: set[str],
    *,
    tweet_fields: set[str],
    user_fields: set[str],
    store: XStore,
) -> dict[str, Any]:
    """The ``includes`` object for ``expansions`` of ``posts``; empty when nothing expands."""
    user_ids: list[str] = []
    referenced: list[XPost] = []
    with store.lock:
        for post in posts:
            if "author_id" in expansions:
                user_ids.append(post.author_id)
            if "in_reply_to_user_id" in expansions and post.in_reply_to_user_id:
                user_ids.append(post.in_reply_to_user_id)
            if "entities.mentions.username" in expansions:
                user_ids.extend(m["id"] for m in _mentions(post.text, store) if "id" in m)
            parent = store.posts.get(post.in_reply_to or "")
            if parent is not None and "referenced_tweets.id" in expansions:
                referenced.append(parent)
            if parent is not None and "referenced_tweets.id.author_id" in expansions:
                user_ids.append(parent.author_id)
        users = [store.users[i] for i in dict.fromkeys(user_ids) if i in store.users]
        result: dict[str, Any] = {}
        if users:
            result["users"] = [render_user(u, user_fields) for u in users]
        if referenced:
            unique = {p.id: p for p in referenced}.values()
            result["tweets"] = [render_post(p, tweet_fields, store) for p in unique]
        return result


def render_dm(message: XDirectMessage, fields: set[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"id": message.id, "event_type": "MessageCreate", "text": message.text}
    optional: dict[str, Any] = {
        "created_at": iso(message.created_at),
        "sender_id": message.sender_id,
        "dm_conversation_id": message.dm_conversation_id,
        "participant_ids": list(message.participant_ids),
    }
    data.update({name: value for name, value in optional.items() if name in fields})
    return data
