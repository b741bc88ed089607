"""Reactions to our public answers on Facebook and Instagram, as the Graph API counts them.

Our answer there is a comment (a reply under the customer's comment or post). A Facebook comment
gives ``like_count`` and ``comment_count`` (its replies); an Instagram comment gives ``like_count`` and
its ``replies`` edge. Comments cannot be shared, so reposts are always 0. A private message (a
Messenger or Instagram message, a private reply) has no public reactions: no count is read for it.
"""

from __future__ import annotations

from typing import Any

from adapters.meta.errors import GraphRejected
from adapters.meta.graph import GraphClient, Json
from adapters.meta.ids import DM_PREFIX
from bridge.domain.ports import PostEngagement

__all__ = ["FACEBOOK_FIELDS", "INSTAGRAM_FIELDS", "facebook_engagement", "instagram_engagement", "read"]

FACEBOOK_FIELDS = "id,like_count,comment_count"
INSTAGRAM_FIELDS = "id,like_count,replies{id}"
#: Meta's code for an object that does not exist (deleted) or that we may no longer read.
NO_SUCH_OBJECT = 100
#: How a Send API message id starts: a message, not a comment.
_MESSAGE_ID_PREFIXES = ("m_", "mid.", "aWdf", DM_PREFIX)


def _count(value: Any) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def facebook_engagement(comment: Json) -> PostEngagement:
    return PostEngagement(
        likes=_count(comment.get("like_count")), replies=_count(comment.get("comment_count"))
    )


def instagram_engagement(comment: Json) -> PostEngagement:
    replies = comment.get("replies")
    data = replies.get("data") if isinstance(replies, dict) else None
    return PostEngagement(
        likes=_count(comment.get("like_count")), replies=len(data) if isinstance(data, list) else 0
    )


def read(graph: GraphClient, post_id: str, platform: str) -> PostEngagement | None:
    """The counts of our comment ``post_id``; None for a message, or a comment that is gone."""
    if not post_id or post_id.startswith(_MESSAGE_ID_PREFIXES):
        return None
    facebook = platform == "facebook"
    try:
        found = graph.get(post_id, fields=FACEBOOK_FIELDS if facebook else INSTAGRAM_FIELDS)
    except GraphRejected as exc:
        if exc.code == NO_SUCH_OBJECT:
            return None
        raise
    return facebook_engagement(found) if facebook else instagram_engagement(found)
