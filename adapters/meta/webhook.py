"""What Meta's webhook sends: the verification handshake, the signature, and each delivery read into
the core's mentions.

A delivery is ``{"object": "page" | "instagram", "entry": [...]}``; every entry is read (a delivery may
carry several Pages, or one Page twice). Page ``feed``/``mention`` changes and Instagram ``comments``
become public mentions; Messenger and Instagram messages (``entry[].messaging[]``) become private ones.
Everything else (reactions, receipts, echoes of our own sends, edits, moderation echoes, thread
control) is skipped with its reason, never an error: Meta adds fields and events at will.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.meta.ids import (
    comment_url,
    dm_id,
    inbox_url,
    post_url,
    profile_url,
    when,
)
from bridge.domain.model import Author, Mention

__all__ = [
    "Changed",
    "Delivery",
    "IgMentionLookup",
    "check_signature",
    "parse_delivery",
    "unnamed",
    "verification",
]

SIGNATURE_HEADER = "X-Hub-Signature-256"
#: Messaging events that are not a customer's message: skipped, by name.
EVENTS = (
    "postback",
    "read",
    "delivery",
    "reaction",
    "message_edit",
    "policy-enforcement",
    "pass_thread_control",
    "take_thread_control",
    "request_thread_control",
    "optin",
    "referral",
)
UNNAMED = "unknown:"


def unnamed(post_id: str) -> str:
    """An author id for a post Meta delivered without its author (a Page mention, a minimal Instagram
    comment): one per post, so two such posts never pass for one person's follow-up."""
    return f"{UNNAMED}{post_id}"


def check_signature(secret: str, body: bytes, header: str | None) -> bool:
    """``sha256=<hex>``: HMAC-SHA256 of the raw body as received, keyed with the app secret."""
    if not header or not header.startswith("sha256=") or not secret:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def verification(params: Mapping[str, str], verify_token: str) -> tuple[int, str]:
    """The subscription handshake: 200 with ``hub.challenge`` for our token, 403 otherwise."""
    mode = params.get("hub.mode") or params.get("hub_mode")
    token = params.get("hub.verify_token") or params.get("hub_verify_token") or ""
    challenge = params.get("hub.challenge") or params.get("hub_challenge") or ""
    if mode == "subscribe" and verify_token and hmac.compare_digest(token, verify_token) and challenge:
        return 200, challenge
    return 403, "verification refused"


@dataclass(frozen=True)
class IgMentionLookup:
    """An Instagram @mention names only a comment (or media): its text needs a Graph GET."""

    comment_id: str
    media_id: str


@dataclass(frozen=True)
class Changed:
    """A customer's comment or post edited (``edited``, with its new words) or removed (``remove``)."""

    platform: str
    post_id: str
    verb: str
    text: str = ""


@dataclass
class Delivery:
    mentions: list[Mention] = field(default_factory=list)
    lookups: list[IgMentionLookup] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def parse_delivery(payload: Any, page_id: str = "", ig_user_id: str = "", page_name: str = "") -> Delivery:
    """Every mention in one webhook delivery; ``page_id``/``ig_user_id`` are ours (our own words and
    echoes are skipped)."""
    out = Delivery()
    if not isinstance(payload, Mapping) or not isinstance(payload.get("entry"), list):
        out.skipped.append("not a webhook delivery")
        return out
    platform = "instagram" if payload.get("object") == "instagram" else "facebook"
    ours = {page_id, ig_user_id} - {""}
    for entry in payload["entry"]:
        if not isinstance(entry, Mapping):
            continue
        account = _str(entry.get("id"))
        for change in entry.get("changes") or []:
            _change(out, platform, change, ours | {account}, page_name or account)
        for event in entry.get("messaging") or []:
            _message(out, platform, event, ours | {account}, account)
        for _ in entry.get("standby") or []:
            out.skipped.append("standby: another app holds the conversation")
    return out


def _change(out: Delivery, platform: str, change: Any, ours: set[str], account: str) -> None:
    if not isinstance(change, Mapping) or not isinstance(change.get("value"), Mapping):
        out.skipped.append("change without a value")
        return
    name, value = _str(change.get("field")), change["value"]
    if platform == "instagram":
        if name in ("comments", "live_comments"):
            _ig_comment(out, value, ours, account, live=name == "live_comments")
        elif name == "mentions" and value.get("comment_id"):
            out.lookups.append(IgMentionLookup(_str(value["comment_id"]), _str(value.get("media_id"))))
        else:
            out.skipped.append(f"instagram {name}")
        return
    if name not in ("feed", "mention"):
        out.skipped.append(f"field {name}")
        return
    item, verb = _str(value.get("item")), _str(value.get("verb"))
    if verb in ("edited", "remove") and item in ("comment", "post", "status"):
        target = _str(value.get("comment_id") or value.get("post_id"))
        out.changed.append(Changed("facebook", target, verb, _str(value.get("message"))))
        out.skipped.append(f"{name} {item} {verb}")  # not a new case: said in the case's thread
        return
    if verb != "add" or item not in ("comment", "post", "status", "photo", "video"):
        out.skipped.append(f"{name} {item} {verb}")  # edits, removals, hide echoes, reactions
        return
    mention = _fb_item(value, account, is_mention=name == "mention")
    if mention.author.id in ours:
        out.skipped.append(f"{name} {item} by the Page itself")
        return
    out.mentions.append(mention)


def _fb_author(value: Mapping[str, Any], post_id: str) -> Author:
    sender: Mapping[str, Any] = value["from"] if isinstance(value.get("from"), Mapping) else {}
    author_id = _str(sender.get("id") or value.get("sender_id"))
    name = _str(sender.get("name") or value.get("sender_name"))
    if not author_id:
        return Author(id=unnamed(post_id), handle="", name=name)
    return Author(id=author_id, handle=author_id, name=name)


def _attachment_note(value: Mapping[str, Any]) -> str:
    kinds = [k for k in ("photo", "video") if value.get(k)]
    return f" [{', '.join(kinds)}]" if kinds else ""


def _fb_item(value: Mapping[str, Any], account: str, *, is_mention: bool) -> Mention:
    post = _str(value.get("post_id"))
    comment = _str(value.get("comment_id"))
    author = _fb_author(value, comment or post)
    text = _str(value.get("message")) + _attachment_note(value)
    parent = _str(value.get("parent_id")) or post
    return Mention(
        platform="facebook",
        post_id=comment or post,
        text=text.strip() or ("(a mention without text)" if is_mention else "(no text)"),
        author=author,
        created_at=when(value.get("created_time")),
        url=comment_url(post, comment) if comment else post_url(post),
        account=account,
        conversation_id=post,
        in_reply_to=parent if comment else None,
        visibility="public",
        author_url=profile_url("facebook", author.id) if author.handle else "",
    )


def _ig_comment(out: Delivery, value: Mapping[str, Any], ours: set[str], account: str, *, live: bool) -> None:
    sender: Mapping[str, Any] = value["from"] if isinstance(value.get("from"), Mapping) else {}
    author_id = _str(sender.get("id")) or unnamed(_str(value.get("id")))
    author = Author(id=author_id, handle=_str(sender.get("username")), name="")
    if author.id in ours:
        out.skipped.append("instagram comment by our own account")
        return
    media: Mapping[str, Any] = value["media"] if isinstance(value.get("media"), Mapping) else {}
    media_id = _str(media.get("id"))
    out.mentions.append(
        Mention(
            platform="instagram",
            post_id=_str(value.get("id")),
            text=_str(value.get("text")) or "(no text)",
            author=author,
            created_at=when(value.get("timestamp") or value.get("created_time")),
            url=post_url("", media_id, platform="instagram"),
            account=account,
            conversation_id=media_id or None,
            in_reply_to=_str(value.get("parent_id")) or media_id or None,
            visibility="public" if not live else "public (live video)",
            author_url=profile_url("instagram", author.handle) if author.handle else "",
        )
    )


def _message(out: Delivery, platform: str, event: Any, ours: set[str], account: str) -> None:
    if not isinstance(event, Mapping):
        return
    sender = _str((event.get("sender") or {}).get("id"))
    message = event.get("message")
    if not isinstance(message, Mapping):
        kinds = [k for k in EVENTS if k in event]
        out.skipped.append(f"{platform} {'/'.join(kinds) or 'event'}")
        return
    if message.get("is_echo") or sender in ours or not sender:
        out.skipped.append(f"{platform} echo of our own message")
        return
    if message.get("is_deleted"):
        out.skipped.append(f"{platform} message deleted")
        return
    mid = _str(message.get("mid"))
    kinds = [_str(a.get("type")) for a in message.get("attachments") or [] if isinstance(a, Mapping)]
    note = f" [attachment: {', '.join(kinds)}]" if kinds else ""
    text = (_str(message.get("text")) + note).strip() or "(no text)"
    out.mentions.append(
        Mention(
            platform=platform,
            post_id=dm_id(sender, mid),
            text=text,
            author=Author(id=sender, handle=sender, name=""),
            created_at=when(event.get("timestamp")),
            url=inbox_url(platform, account),
            account=account,
            conversation_id=dm_id(sender, ""),
            visibility="direct",
        )
    )
