"""Bluesky rich text and length against the upstream test vectors in ``../shared/data/bluesky``
(bluesky-social/atproto's rich-text tests): facets on UTF-8 byte offsets, graphemes as Intl.Segmenter
counts them, and a post's facets rendered as plain text for a case."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.bluesky.text import LINK_DISPLAY_GRAPHEMES, MAX_GRAPHEMES, link_display, plain_text, rich_text
from bridge.text.character_length import CharacterLimit, count_characters
from standins.bluesky_routes import graphemes
from tests.conftest import shared_data

BLUESKY_LIMIT = CharacterLimit(
    max_characters=MAX_GRAPHEMES, characters_reserved_per_url=LINK_DISPLAY_GRAPHEMES
)


def vectors(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        shared_data("bluesky", "test-vectors", name).read_text(encoding="utf-8")
    )
    return data


def fake_did(handle: str) -> str:
    return f"did:fake:{handle}"  # as the upstream test's mocked resolveHandle answers


def segments(text: str) -> list[list[str]]:
    """The text cut at its mention and link facets, as the upstream test writes its expectations."""
    rich = rich_text(text, fake_did, shorten_links=False)
    data = rich.text.encode()
    out: list[list[str]] = []
    at = 0
    for facet in rich.facets:
        feature = facet.features[0]
        target = getattr(feature, "did", None) or getattr(feature, "uri", None)
        if target is None:
            continue  # tags and cashtags: checked by their own vectors
        start, end = facet.index.byte_start, facet.index.byte_end
        if start > at:
            out.append([data[at:start].decode()])
        out.append([data[start:end].decode(), target])
        at = end
    if at < len(data):
        out.append([data[at:].decode()])
    return out


def test_mentions_and_links_are_cut_on_the_upstream_segments() -> None:
    cases = vectors("facet-detection-vectors.json")["mentions_and_links"]["cases"]
    assert len(cases) >= 40
    wrong = [
        (c["input"], segments(c["input"]), c["segments"])
        for c in cases
        if segments(c["input"]) != c["segments"]
    ]
    assert wrong == []


@pytest.mark.parametrize("kind", ["tags", "cashtags"])
def test_tags_and_cashtags_sit_on_the_upstream_byte_indices(kind: str) -> None:
    for case in vectors("facet-detection-vectors.json")[kind]["cases"]:
        rich = rich_text(case["input"], fake_did, shorten_links=False)
        found = [f for f in rich.facets if hasattr(f.features[0], "tag")]
        assert [f.features[0].tag for f in found] == case["tags"], case["input"]
        indices = [{"byteStart": f.index.byte_start, "byteEnd": f.index.byte_end} for f in found]
        assert indices == case["indices"], case["input"]


VIRAMA = "\u094d"  # an Indic conjunct: one grapheme by Unicode 15.1's rule, which the core does not apply yet


def test_the_preview_counts_graphemes_and_bytes_as_bluesky_does() -> None:
    for case in vectors("length-and-index-vectors.json")["lengths"]:
        text, expected = case["text"], case["graphemes"]
        counted = count_characters(text, BLUESKY_LIMIT).weighted_length
        assert counted == expected or (VIRAMA in text and counted > expected), text  # never fewer
        assert graphemes(text) == counted, text  # the stand-in refuses what the preview refuses
        if "utf8_bytes" in case:
            assert len(text.encode()) == case["utf8_bytes"]


def test_a_long_link_is_posted_shortened_with_the_full_address_in_its_facet() -> None:
    url = "https://acme.example/help/refunds/how-long-does-it-take?order=88231"
    rich = rich_text(f"👨‍👩‍👧‍👧 See {url} or ask @maria.bsky.social", fake_did)
    shown = link_display(url)
    assert shown == "acme.example/help/refu…" and len(shown) == LINK_DISPLAY_GRAPHEMES
    assert rich.text == f"👨‍👩‍👧‍👧 See {shown} or ask @maria.bsky.social"
    link, mention = rich.facets
    data = rich.text.encode()
    assert data[link.index.byte_start : link.index.byte_end].decode() == shown and link.features[0].uri == url
    assert data[mention.index.byte_start : mention.index.byte_end] == b"@maria.bsky.social"
    assert mention.features[0].did == "did:fake:maria.bsky.social"
    # what the preview counted for the draft is what the post is at most
    drafted = count_characters(f"👨‍👩‍👧‍👧 See {url} or ask @maria.bsky.social", BLUESKY_LIMIT).weighted_length
    assert graphemes(rich.text) <= drafted


def test_a_post_reads_as_plain_text_with_every_link_target_shown() -> None:
    text = "👋 @acmehelp.bsky.social see acme.example/refun… and this"
    data = text.encode()

    def at(part: str) -> dict[str, int]:
        start = data.index(part.encode())
        return {"byteStart": start, "byteEnd": start + len(part.encode())}

    facets = [
        {"index": at("@acmehelp.bsky.social"), "features": [{"did": "did:plc:abc"}]},
        {"index": at("acme.example/refun…"), "features": [{"uri": "https://acme.example/refunds/88231"}]},
        {"index": at("this"), "features": [{"uri": "https://evil.example/login"}]},
    ]
    assert plain_text(text, facets) == (
        "👋 @acmehelp.bsky.social see https://acme.example/refunds/88231 and this (https://evil.example/login)"
    )


def test_the_appviews_recorded_mention_reads_as_its_text() -> None:
    path = shared_data(
        "bluesky", "responses", "atproto-appview-snapshots", "listNotifications.notifications.json"
    )
    notes = json.loads(path.read_text(encoding="utf-8"))
    mention = next(n for n in notes if n["reason"] == "mention")
    record = mention["record"]
    assert plain_text(record["text"], record["facets"]) == "@alice.bluesky.xyz is the best"
