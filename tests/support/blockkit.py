"""Validation of what the bridge sends to Slack against the Block Kit JSON Schema in shared/data."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from tests.conftest import shared_data

MESSAGE_BLOCKS_MAX = 50


@cache
def _schema() -> dict[str, Any]:
    path = shared_data("slack", "block-kit-schema", "slack-block-kit.schema.json")
    schema: dict[str, Any] = json.loads(path.read_text())
    return schema


def block_errors(blocks: list[dict[str, Any]]) -> list[str]:
    """Every schema violation of a message's blocks, plus the message-level rules the schema lacks."""
    schema = _schema()
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in Draft202012Validator(schema).iter_errors(blocks)
    ]
    if len(blocks) > MESSAGE_BLOCKS_MAX:
        errors.append(f"{len(blocks)} blocks > {MESSAGE_BLOCKS_MAX}")
    ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(ids) != len(set(ids)):
        errors.append("duplicate block_id")
    return errors


def view_errors(view: dict[str, Any]) -> list[str]:
    schema = _schema()
    modal = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/modal_view"}
    return [f"{list(e.absolute_path)}: {e.message}" for e in Draft202012Validator(modal).iter_errors(view)]
