"""Reading Adaptive Cards in tests: the official 1.5 schema, button titles, and readable text."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from tests.conftest import shared_data

READABLE = ("text", "value", "title", "body", "items", "facts", "actions", "card")


def validator() -> jsonschema.Draft6Validator:
    """The official schema (draft-06), or a skip when ../shared/data is absent."""
    path = shared_data("teams", "adaptive-card-schema", "adaptive-card-1.5.0.json")
    return jsonschema.Draft6Validator(json.loads(path.read_text()))


def errors(checker: jsonschema.Draft6Validator, card: dict[str, Any]) -> list[str]:
    found = sorted(checker.iter_errors(card), key=lambda e: list(e.path))
    return [f"{list(e.path)}: {e.message[:200]}" for e in found[:3]]


def titles(card: dict[str, Any]) -> list[str]:
    return [a["title"] for a in card.get("actions", [])]


def texts(card: Any) -> str:
    """Every string a person can read on the card, one per line."""
    if isinstance(card, dict):
        return "\n".join(texts(v) for k, v in card.items() if k in READABLE)
    if isinstance(card, list):
        return "\n".join(texts(v) for v in card)
    return card if isinstance(card, str) else ""
