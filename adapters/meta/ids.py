"""How Meta's objects are named in the core: post ids, links, times.

A comment or post keeps Meta's own id; a private message is ``dm:<sender>:<message id>``, so an answer
knows whom to write to from the id alone (a Messenger ``mid`` may itself hold colons: the sender, a
page-scoped id, never does).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

__all__ = [
    "DM_PREFIX",
    "comment_url",
    "dm_id",
    "dm_parts",
    "inbox_url",
    "post_url",
    "profile_url",
    "when",
]

DM_PREFIX = "dm:"
FACEBOOK = "https://www.facebook.com"
INSTAGRAM = "https://www.instagram.com"


def dm_id(sender: str, mid: str) -> str:
    return f"{DM_PREFIX}{sender}:{mid}"


def dm_parts(post_id: str) -> tuple[str, str] | None:
    """(sender, message id) of a private message's id; None for a comment or post."""
    if not post_id.startswith(DM_PREFIX):
        return None
    sender, _, mid = post_id.removeprefix(DM_PREFIX).partition(":")
    return sender, mid


def post_url(post_id: str, media_id: str = "", *, platform: str = "facebook") -> str:
    """A Page post (``<page>_<post>``) on facebook.com; Instagram media only have a permalink the
    Graph API gives, so until it is read the link is Instagram's address for the media id."""
    if platform == "instagram":
        return f"{INSTAGRAM}/p/{media_id}/" if media_id else INSTAGRAM
    page, _, post = post_id.partition("_")
    return f"{FACEBOOK}/{page}/posts/{post}" if post else f"{FACEBOOK}/{post_id}"


def comment_url(post_id: str, comment_id: str) -> str:
    return f"{post_url(post_id)}?comment_id={comment_id.rsplit('_', 1)[-1]}"


def profile_url(platform: str, who: str) -> str:
    return f"{INSTAGRAM}/{who}/" if platform == "instagram" else f"{FACEBOOK}/{who}"


def inbox_url(platform: str, account: str) -> str:
    """Where the Page's people read the conversation (Meta Business Suite's inbox)."""
    return f"https://business.facebook.com/latest/inbox/{platform}?asset_id={account}"


def when(value: Any) -> datetime:
    """A webhook time: unix seconds, milliseconds (Messenger), or an ISO string (Graph answers)."""
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        number = float(value)
        return datetime.fromtimestamp(number / 1000 if number > 10**11 else number, UTC)
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("+0000", "+00:00")).astimezone(UTC)
        except ValueError:
            pass
    return datetime.now(UTC)
