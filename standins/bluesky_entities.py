"""Bluesky's records and views (post record, postView, notification, profile, chat message) as the
stand-in sends them.

Field for field the shapes of ``../shared/data/bluesky/lexicons`` (app.bsky.feed.defs#postView,
app.bsky.notification.listNotifications#notification, chat.bsky.convo.defs#messageView) and of the
AppView's own snapshot (``responses/atproto-appview-snapshots``), filled with well-formed identifiers:
``did:plc:`` DIDs, TID record keys that sort by time, and CIDv1 strings.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import UTC, datetime
from typing import Any

APP = "https://bsky.app"
_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"
_last_tid = [0]  # the last TID's microseconds, shared by every stand-in in the process


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def tid() -> str:
    """A record key as the PDS makes them: microseconds since the epoch in base32-sortable, always
    growing, so a later record's key sorts after an earlier one's."""
    _last_tid[0] = max(_last_tid[0] + 1, time.time_ns() // 1000)
    value = _last_tid[0] << 10
    return "".join(_SORTABLE[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def did_for(handle: str) -> str:
    return "did:plc:" + base64.b32encode(hashlib.sha256(handle.encode()).digest()).decode().lower()[:24]


def cid_for(record: dict[str, Any]) -> str:
    """A CIDv1 (dag-cbor, sha-256) string; derived from the record's JSON, not its CBOR."""
    digest = hashlib.sha256(json.dumps(record, sort_keys=True).encode()).digest()
    raw = b"\x01\x71\x12\x20" + digest  # CIDv1, dag-cbor, sha2-256, 32 bytes
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def profile(did: str, handle: str, display_name: str = "") -> dict[str, Any]:
    """app.bsky.actor.defs#profileView (and the detailed view's common fields)."""
    return {
        "did": did,
        "handle": handle,
        "displayName": display_name,
        "labels": [],
        "viewer": {"muted": False, "blockedBy": False},
        "createdAt": "2026-08-01T00:00:00.000Z",
        "indexedAt": "2026-08-01T00:00:00.000Z",
    }


def post_url(handle: str, uri: str) -> str:
    return f"{APP}/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


def post_view(post: dict[str, Any]) -> dict[str, Any]:
    """app.bsky.feed.defs#postView of a stored post ({uri, cid, author, record, indexedAt}, and
    ``counts``: its likeCount, replyCount, repostCount, quoteCount where a test set them)."""
    return {
        "uri": post["uri"],
        "cid": post["cid"],
        "author": post["author"],
        "record": post["record"],
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 0,
        "quoteCount": 0,
        **post.get("counts", {}),  # set by a test: what people did with the post
        "indexedAt": post["indexedAt"],
        "labels": [],
        "viewer": {},
    }


def notification(post: dict[str, Any], reason: str) -> dict[str, Any]:
    """app.bsky.notification.listNotifications#notification for ``post``."""
    item = {
        "uri": post["uri"],
        "cid": post["cid"],
        "author": post["author"],
        "reason": reason,
        "record": post["record"],
        "isRead": False,
        "indexedAt": post["indexedAt"],
        "labels": [],
    }
    reply = post["record"].get("reply")
    if reason == "reply" and reply:
        item["reasonSubject"] = reply["parent"]["uri"]
    return item


def message_view(message_id: str, sender: str, text: str, sent: datetime) -> dict[str, Any]:
    """chat.bsky.convo.defs#messageView."""
    return {
        "$type": "chat.bsky.convo.defs#messageView",
        "id": message_id,
        "rev": message_id,
        "text": text,
        "sender": {"did": sender},
        "sentAt": iso(sent),
    }


def iso_now() -> str:
    return iso(datetime.now(UTC))
