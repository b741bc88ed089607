"""What the stand-in answers and what the adapter writes, checked against the real lexicons in
``../shared/data/bluesky/lexicons``: every required field there, every field of the declared type,
strings within their byte and grapheme limits, references followed across files."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from atproto_client.models.utils import get_model_as_dict

from adapters.bluesky.platform import _strong
from adapters.bluesky.text import rich_text
from standins.bluesky_api import BlueskyStandIn
from standins.bluesky_routes import graphemes
from tests.conftest import shared_data

JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "boolean": bool,
    "array": list,
    "object": dict,
    "unknown": dict,
}


@cache
def lexicon(nsid: str) -> dict[str, Any]:
    *folders, name = nsid.split(".")
    path: Path = shared_data("bluesky", "lexicons", *folders, f"{name}.json")
    return dict(json.loads(path.read_text(encoding="utf-8"))["defs"])


def resolve(ref: str, within: str) -> tuple[dict[str, Any], str]:
    nsid, _, name = ref.partition("#")
    nsid = nsid or within
    found = lexicon(nsid)[name or "main"]
    return (found.get("record", found) if found.get("type") == "record" else found), nsid


def problems(value: Any, schema: dict[str, Any], nsid: str, path: str = "") -> list[str]:
    kind = schema.get("type")
    if kind == "ref":
        return problems(value, *resolve(schema["ref"], nsid), path)
    if kind == "union":
        typed = value.get("$type", "") if isinstance(value, dict) else ""
        if typed.removesuffix("#main") not in {
            r if "#" not in r or r.split("#")[0] else nsid + r for r in schema["refs"]
        }:
            return [] if not schema.get("closed") else [f"{path}: $type {typed!r} not in {schema['refs']}"]
        return problems(value, *resolve(typed.removesuffix("#main"), nsid), path)
    expected = JSON_TYPES.get(str(kind))
    if expected is not None and not isinstance(value, expected):
        return [f"{path}: expected {kind}, got {type(value).__name__}"]
    found: list[str] = []
    if kind == "object":
        found += [f"{path}.{key}: required" for key in schema.get("required", []) if key not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value and not (value[key] is None and key in schema.get("nullable", [])):
                found += problems(value[key], sub, nsid, f"{path}.{key}")
    elif kind == "array":
        for i, item in enumerate(value):
            found += problems(item, schema["items"], nsid, f"{path}[{i}]")
    elif kind == "string" and (
        len(value.encode()) > schema.get("maxLength", 10**9)
        or graphemes(value) > schema.get("maxGraphemes", 10**9)
    ):
        found.append(f"{path}: too long")
    return found


def test_the_records_and_views_the_stand_in_serves_follow_the_lexicons() -> None:
    pds = BlueskyStandIn()
    root = pds.add_post("lena.bsky.social", "Anyone else charged twice?")
    mention = pds.add_mention("maria.bsky.social", "me too, order 88231", in_reply_to=root["uri"])
    note = pds.state.notifications[-1]
    notification = lexicon("app.bsky.notification.listNotifications")["notification"]
    assert problems(note, notification, "app.bsky.notification.listNotifications") == []
    post = resolve("app.bsky.feed.post", "")[0]
    assert problems(mention["record"], post, "app.bsky.feed.post") == []
    message = pds.send_message("maria.bsky.social", "card ending 4242")
    assert problems(message, lexicon("chat.bsky.convo.defs")["messageView"], "chat.bsky.convo.defs") == []


def test_the_reply_record_the_adapter_builds_follows_the_lexicon() -> None:
    from atproto import models

    rich = rich_text(
        "@maria.bsky.social Sorry 🙏 see https://acme.example/refunds/88231 #refund",
        lambda h: f"did:plc:{h[:5]}",
    )
    ref = _strong(
        "at://did:plc:abc/app.bsky.feed.post/3n3xwpfueji22",
        "bafyreicecnx2gvntm6fbcrvnc336qze6st5u7qq7457igegamd3bzkx7ri",
    )
    record = models.AppBskyFeedPost.Record(
        text=rich.text,
        facets=rich.facets,
        reply=models.AppBskyFeedPost.ReplyRef(root=ref, parent=ref),
        created_at="2026-12-06T04:00:00.000Z",
    )
    written = get_model_as_dict(record)
    assert problems(written, resolve("app.bsky.feed.post", "")[0], "app.bsky.feed.post") == []
    assert [f["features"][0]["$type"] for f in written["facets"]] == [
        "app.bsky.richtext.facet#mention",
        "app.bsky.richtext.facet#link",
        "app.bsky.richtext.facet#tag",
    ]


def test_a_record_missing_its_reply_cid_is_caught() -> None:
    post = resolve("app.bsky.feed.post", "")[0]
    broken = {
        "text": "hi",
        "createdAt": "2026-12-06T04:00:00.000Z",
        "reply": {"root": {"uri": "at://x"}, "parent": {"uri": "at://x"}},
    }
    assert problems(broken, post, "app.bsky.feed.post") == [
        ".reply.root.cid: required",
        ".reply.parent.cid: required",
    ]
