"""The social platforms' names as people write them, for cards, reasons and crisis texts alike (the
playbook and the code use the lower-case keys)."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["PLATFORM_NAMES"]

PLATFORM_NAMES: Mapping[str, str] = {
    "x": "X",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "facebook": "Facebook",
    "instagram": "Instagram",
}
