"""The reconciliation read: comments, visitor posts and messages since the last one seen, in case a
webhook delivery was lost (Meta gives up retrying after a while).

What the Graph API lists is rewritten as the webhook delivery Meta would have sent and read by the
same :func:`~adapters.meta.webhook.parse_delivery`, so a comment seen both ways has one id and makes one
case (ingest is once per post). The cursor is the newest creation time seen, in unix seconds.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from adapters.meta.graph import Json
from adapters.meta.ids import when
from adapters.meta.webhook import parse_delivery
from bridge.domain.ports import MentionBatch

if TYPE_CHECKING:
    from adapters.meta.platform import MetaPlatform

__all__ = ["FIRST_LOOK_SECONDS", "read"]

#: Without a cursor (a first start), look back this far rather than through the Page's history.
FIRST_LOOK_SECONDS = 3600
RECENT_POSTS = 10
MESSAGES = "messages.limit(10){id,message,from,created_time}"


def _seconds(value: Any) -> int:
    return int(when(value).timestamp())


def read(platform: MetaPlatform, since_id: str | None) -> MentionBatch:
    since = int(since_id) if since_id and since_id.isdigit() else int(time.time()) - FIRST_LOOK_SECONDS
    if platform.name == "instagram":
        changes = _instagram_comments(platform, since)
    else:
        changes = _facebook_feed(platform, since)
    messaging = _messages(platform, since)
    times = [_seconds(c["value"].get("created_time") or c["value"].get("timestamp")) for c in changes]
    times += [_seconds(m["timestamp"]) for m in messaging]
    payload = {
        "object": "instagram" if platform.name == "instagram" else "page",
        "entry": [{"id": platform.account_id, "changes": changes, "messaging": messaging}],
    }
    delivery = parse_delivery(payload, platform.page_id, platform.account_id, platform.handle)
    newest = max(times, default=since)
    return MentionBatch([platform.with_context(m) for m in delivery.mentions], str(newest))


def _facebook_feed(platform: MetaPlatform, since: int) -> list[Json]:
    graph = platform.graph
    changes: list[Json] = []
    posts = graph.pages(f"{platform.page_id}/feed", fields="id,message,from,created_time", since=since)
    for post in posts[:RECENT_POSTS]:
        if _seconds(post.get("created_time")) >= since:
            value = {"item": "post", "verb": "add", "post_id": post.get("id"), **_common(post)}
            changes.append({"field": "feed", "value": value})
        fields = "id,message,from,created_time,parent{id}"
        for comment in graph.pages(f"{post.get('id')}/comments", fields=fields, filter="stream", since=since):
            if _seconds(comment.get("created_time")) < since:
                continue
            parent = (comment.get("parent") or {}).get("id") or post.get("id")
            value = {
                "item": "comment",
                "verb": "add",
                "comment_id": comment.get("id"),
                "post_id": post.get("id"),
                "parent_id": parent,
                **_common(comment),
            }
            changes.append({"field": "feed", "value": value})
    return changes


def _common(item: Json) -> Json:
    return {
        "from": item.get("from") or {},
        "created_time": item.get("created_time"),
        "message": item.get("message"),
    }


def _instagram_comments(platform: MetaPlatform, since: int) -> list[Json]:
    graph = platform.graph
    changes: list[Json] = []
    media = graph.get(
        f"{platform.account_id}/media", fields="id,caption,permalink,timestamp", limit=RECENT_POSTS
    )
    for item in [m for m in media.get("data", []) if isinstance(m, dict)]:
        fields = "id,text,username,from,timestamp,parent_id"
        for comment in graph.pages(f"{item.get('id')}/comments", fields=fields):
            if _seconds(comment.get("timestamp")) < since:
                continue
            sender = comment.get("from") or {"id": "", "username": comment.get("username")}
            value = {**comment, "from": sender, "media": {"id": item.get("id")}}
            changes.append({"field": "comments", "value": value})
    return changes


def _messages(platform: MetaPlatform, since: int) -> list[Json]:
    kind = "instagram" if platform.name == "instagram" else "messenger"
    convos = platform.graph.pages(
        f"{platform.page_id}/conversations", platform=kind, fields=f"id,updated_time,{MESSAGES}"
    )
    events: list[Json] = []
    for convo in convos:
        for message in (convo.get("messages") or {}).get("data", []):
            if not isinstance(message, dict) or _seconds(message.get("created_time")) < since:
                continue
            sender = str((message.get("from") or {}).get("id") or "")
            events.append(
                {
                    "sender": {"id": sender},
                    "recipient": {"id": platform.account_id},
                    "timestamp": message.get("created_time"),
                    "message": {"mid": message.get("id"), "text": message.get("message") or ""},
                }
            )
    return events
