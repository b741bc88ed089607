"""Rich text both ways: a post's facets → plain text for a case, an answer → text and facets.

Bluesky posts are plain text plus facets: byte ranges of the UTF-8 text marked as a mention (a DID),
a link (a URI) or a tag. On the way in the case keeps the words and every link target as text (a link
whose visible text is not its target reads ``text (target)``), so nothing live reaches chat. On the
way out mentions, links, tags and cashtags are found with the SDK's detector (the reference regexes),
mentions resolved to DIDs, and long links shown shortened, as the Bluesky app shows them, with the full
address in the link facet: a link then counts at most :data:`LINK_DISPLAY_GRAPHEMES` graphemes, the
allowance the draft preview gives every link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from atproto import models
from atproto_client.utils.facet_detection import detect_facets, detect_mentions

LINK_DISPLAY_GRAPHEMES = 23
MAX_GRAPHEMES = 300
MAX_BYTES = 3000
Resolve = Callable[[str], str | None]  # handle → DID, None when it does not resolve


def _get(item: Any, key: str) -> Any:
    if isinstance(item, dict):
        return item.get(key) or item.get({"byte_start": "byteStart", "byte_end": "byteEnd"}.get(key, key))
    return getattr(item, key, None)


def plain_text(text: str, facets: list[Any] | None) -> str:
    """The post as the desk reads it: link targets shown, never markup."""
    data = (text or "").encode()
    parts: list[bytes] = []
    at = 0
    spans = sorted(
        (f for f in facets or [] if _get(f, "index")), key=lambda f: _get(_get(f, "index"), "byte_start")
    )
    for facet in spans:
        start, end = _get(_get(facet, "index"), "byte_start"), _get(_get(facet, "index"), "byte_end")
        if not isinstance(start, int) or not isinstance(end, int) or start < at or end > len(data):
            continue
        uri = next((_get(f, "uri") for f in _get(facet, "features") or [] if _get(f, "uri")), None)
        if not uri:
            continue
        shown = data[start:end].decode(errors="replace").strip()
        bare = shown.rstrip(".…").removeprefix("https://").removeprefix("http://")
        target = str(uri)
        parts.append(data[at:start])
        if shown == target or (
            bare and target.split("://", 1)[-1].startswith(bare) and shown.endswith(("…", "..."))
        ):
            parts.append(target.encode())
        elif bare and target.split("://", 1)[-1] == bare:
            parts.append(shown.encode())
        else:
            parts.append(f"{shown} ({target})".encode())
        at = end
    parts.append(data[at:])
    return b"".join(parts).decode(errors="replace").strip()


def link_display(uri: str) -> str:
    """How a link is shown in our post: without its scheme, cut with "…" past the allowance."""
    shown = uri.split("://", 1)[-1]
    return shown if len(shown) <= LINK_DISPLAY_GRAPHEMES else shown[: LINK_DISPLAY_GRAPHEMES - 1] + "…"


@dataclass(frozen=True)
class RichText:
    text: str
    facets: list[models.AppBskyRichtextFacet.Main]


def _slice(start: int, end: int, feature: Any) -> models.AppBskyRichtextFacet.Main:
    return models.AppBskyRichtextFacet.Main(
        features=[feature], index=models.AppBskyRichtextFacet.ByteSlice(byte_start=start, byte_end=end)
    )


def _shorten_links(text: str) -> tuple[str, list[models.AppBskyRichtextFacet.Main]]:
    """``text`` with every detected link shown by :func:`link_display`, and all facets found on it
    (links, tags, cashtags) on the new text's byte offsets."""
    data = text.encode()
    out = bytearray()
    facets = []
    at = 0
    for facet in detect_facets(text):
        start, end = facet.index.byte_start, facet.index.byte_end
        out += data[at:start]
        feature = facet.features[0]
        shown = (
            link_display(feature.uri).encode()
            if isinstance(feature, models.AppBskyRichtextFacet.Link)
            else data[start:end]
        )
        facets.append(_slice(len(out), len(out) + len(shown), feature))
        out += shown
        at = end
    out += data[at:]
    return out.decode(), facets


def rich_text(text: str, resolve: Resolve, *, shorten_links: bool = True) -> RichText:
    """``text`` ready to post: mention facets for the handles that resolve, link, tag and cashtag
    facets, all on UTF-8 byte offsets."""
    if shorten_links:
        text, facets = _shorten_links(text)
    else:
        facets = detect_facets(text)
    dids: dict[str, str | None] = {}
    for mention in detect_mentions(text):
        handle = mention.handle.lower()
        if handle not in dids:
            dids[handle] = resolve(handle)
        did = dids[handle]
        if did:
            facets.append(
                _slice(mention.byte_start, mention.byte_end, models.AppBskyRichtextFacet.Mention(did=did))
            )
    return RichText(text, sorted(facets, key=lambda f: f.index.byte_start))
