"""A routed X case as tests build one, with only what a test cares about named."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bridge.domain.lifecycle import State
from bridge.domain.model import Case, utcnow


def routed_case(
    post_id: str,
    *,
    handle: str = "maria",
    text: str = "help",
    author_id: str | None = None,
    name: str | None = None,
    at: datetime | None = None,
    **fields: Any,
) -> Case:
    """A billing case in ``routed`` for post ``post_id`` by ``@handle``; ``fields`` override the rest."""
    now = at or utcnow()
    values: dict[str, Any] = {
        "number": 0,
        "state": State.ROUTED,
        "platform": "x",
        "post_id": post_id,
        "text": text,
        "author_id": author_id or "9" + post_id,
        "author_handle": handle,
        "author_name": name or handle.title(),
        "post_url": f"https://x.com/{handle}/status/{post_id}",
        "created_at": now,
        "ingested_at": now,
        "department": "billing",
    }
    values.update(fields)
    return Case(**values)
