"""Mastodon's entities (Account, Status, Notification, Relationship, Instance) as the stand-in sends them.

Field for field the shape of the responses Mastodon 4.6.4 sent to Mastodon.py's test suite (recorded
in ``shared/data/mastodon/mastodon-py/decoded``; ``tests/unit/test_mastodon_standin.py`` compares them),
filled with the stand-in's own values.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

VISIBILITIES = ("public", "unlisted", "private", "direct")
BASE = "https://social.example"  # the stand-in instance's public address, in its links


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def account(
    base: str, account_id: str, acct: str, display_name: str = "", followers: int = 0
) -> dict[str, Any]:
    username = acct.split("@", 1)[0]
    url = f"{base}/@{acct}"
    return {
        "id": account_id, "username": username, "acct": acct, "display_name": display_name,
        "locked": False, "bot": False, "discoverable": None, "indexable": False, "group": False,
        "created_at": "2026-08-01T00:00:00.000Z", "note": "", "url": url,
        "uri": f"{base}/ap/users/{account_id}",
        "avatar": f"{base}/avatars/original/missing.png",
        "avatar_static": f"{base}/avatars/original/missing.png",
        "avatar_description": "", "header": f"{base}/headers/original/missing.png",
        "header_static": f"{base}/headers/original/missing.png", "header_description": "",
        "followers_count": followers, "following_count": 0, "statuses_count": 0,
        "last_status_at": None, "hide_collections": None, "show_media": True, "show_media_replies": True,
        "show_featured": True, "noindex": False,
        "feature_approval": {"automatic": [], "manual": [], "current_user": "denied"},
        "emojis": [], "roles": [], "fields": [],
    }  # fmt: skip


def mention_link(base: str, named: dict[str, Any]) -> str:
    return (
        f'<span class="h-card" translate="no"><a href="{base}/@{named["acct"]}" class="u-url mention">'
        f"@<span>{html.escape(named['username'])}</span></a></span>"
    )


def content_html(base: str, text: str, named: list[dict[str, Any]]) -> str:
    """Text as Mastodon renders it: escaped, one paragraph per blank line, mentions as h-card links."""
    by_handle = {f"@{a['acct']}": a for a in named}
    paragraphs = []
    for block in text.split("\n\n"):
        words = []
        for word in block.split(" "):
            found = by_handle.get(word)
            words.append(mention_link(base, found) if found else html.escape(word))
        paragraphs.append(" ".join(words).replace("\n", "<br>"))
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def status(
    base: str,
    status_id: str,
    author: dict[str, Any],
    text: str,
    *,
    created: datetime,
    visibility: str = "public",
    in_reply_to: dict[str, Any] | None = None,
    spoiler_text: str = "",
    named: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    named = named or []
    return {
        "id": status_id, "created_at": iso(created),
        "in_reply_to_id": in_reply_to["id"] if in_reply_to else None,
        "in_reply_to_account_id": in_reply_to["account"]["id"] if in_reply_to else None,
        "sensitive": bool(spoiler_text), "spoiler_text": spoiler_text, "visibility": visibility,
        "language": "en", "uri": f"{base}/ap/users/{author['id']}/statuses/{status_id}",
        "url": f"{base}/@{author['acct']}/{status_id}",
        "replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "quotes_count": 0,
        "edited_at": None, "favourited": False, "reblogged": False, "muted": False, "bookmarked": False,
        "pinned": False, "content": content_html(base, text, named), "filtered": [], "reblog": None,
        "application": {"name": "stand-in", "website": None}, "account": author, "media_attachments": [],
        "mentions": [
            {"id": a["id"], "username": a["username"], "url": a["url"], "acct": a["acct"]} for a in named
        ],
        "tags": [], "emojis": [], "tagged_collections": [], "quote": None, "card": None, "poll": None,
        "quote_approval": {"automatic": ["public"], "manual": [], "current_user": "automatic"},
    }  # fmt: skip


def notification(
    notification_id: str, kind: str, source: dict[str, Any], created: datetime
) -> dict[str, Any]:
    return {
        "id": notification_id, "type": kind, "created_at": iso(created),
        "group_key": f"ungrouped-{notification_id}", "account": source["account"], "status": source,
    }  # fmt: skip


def relationship(account_id: str, *, blocking: bool = False, muting: bool = False) -> dict[str, Any]:
    return {
        "id": account_id, "following": False, "showing_reblogs": False, "notifying": False,
        "languages": None, "followed_by": False, "blocking": blocking, "blocked_by": False,
        "muting": muting, "muting_notifications": muting, "muting_expires_at": None, "requested": False,
        "requested_by": False, "domain_blocking": False, "endorsed": False, "note": "",
    }  # fmt: skip


def instance(base: str, max_characters: int) -> dict[str, Any]:
    domain = base.split("://", 1)[-1]
    return {
        "domain": domain, "title": "Mastodon stand-in", "version": "4.6.4",
        "source_url": "https://github.com/mastodon/mastodon", "description": "", "usage": {"users": {}},
        "thumbnail": {"url": f"{base}/packs/media/images/preview.png"}, "icon": [], "languages": ["en"],
        "configuration": {
            "urls": {"streaming": base.replace("http", "ws", 1), "status": None},
            "statuses": {
                "max_characters": max_characters, "max_media_attachments": 4,
                "characters_reserved_per_url": 23,
            },
        },
        "registrations": {"enabled": False, "approval_required": False, "message": None},
        "api_versions": {"mastodon": 7}, "contact": {"email": "", "account": None}, "rules": [],
    }  # fmt: skip
