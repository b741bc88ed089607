"""Adaptive Card building blocks shared by the bridge's Teams cards, and the size guard.

Teams refuses a message over about 28 KB; :func:`fit` rebuilds a card with ever shorter quoted text
until it is comfortably under that, envelope included.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from bridge.domain.ports import ChartImage

CARD_VERSION = "1.5"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_CARD_BYTES = 24_000
QUOTE_MAX = 3000
MIN_QUOTE = 200


#: A chart goes inline (a data URI) up to this many base64 characters; a larger one by its URL.
INLINE_IMAGE_MAX = 12_000


def image_block(image: ChartImage | None) -> list[dict[str, Any]]:
    """A rendered chart: inline when small enough to keep the card under Teams' limit, else the
    bridge's URL for it, else nothing (the words carry the figures either way)."""
    if image is None:
        return []
    inline = "data:image/png;base64," + base64.b64encode(image.png).decode("ascii")
    source = inline if len(inline) <= INLINE_IMAGE_MAX else image.url
    if not source:
        return []
    return [{"type": "Image", "url": source, "altText": image.alt[:500], "size": "Stretch"}]


def text_block(text: str, **options: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **options}


def quote_block(escaped: str) -> dict[str, Any]:
    return {"type": "Container", "style": "emphasis", "items": [text_block(escaped or " ")]}


def execute(title: str, verb: str, data: dict[str, Any], *, style: str | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "Action.Execute", "title": title, "verb": verb, "data": data}
    if style:
        action["style"] = style
    return action


def show_card(title: str, body: list[dict[str, Any]], actions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "Action.ShowCard",
        "title": title,
        "card": {"type": "AdaptiveCard", "body": body, "actions": actions},
    }


def input_text(input_id: str, label: str, *, value: str = "", multiline: bool = True) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "Input.Text", "id": input_id, "label": label, "isMultiline": multiline}
    if value:
        element["value"] = value
    return element


def adaptive_card(body: list[dict[str, Any]], actions: list[dict[str, Any]], fallback: str) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "fallbackText": fallback,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def size_of(card: dict[str, Any]) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode("utf-8"))


def fit(build: Callable[[int], dict[str, Any]], limit: int = QUOTE_MAX) -> dict[str, Any]:
    """Build with ever shorter quotes until the card is under :data:`MAX_CARD_BYTES`."""
    card = build(limit)
    while size_of(card) > MAX_CARD_BYTES and limit > MIN_QUOTE:
        limit //= 2
        card = build(limit)
    return card
