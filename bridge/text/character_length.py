"""How long a status is as Mastodon counts it, against the instance's own limit.

Mastodon counts characters (grapheme clusters) of the text, where every link counts as
``characters_reserved_per_url`` whatever its length, and a mention of a remote account
(``@user@example.social``) counts as its local part (``@user``). The bridge opens every answer with the
customer's ``@acct`` so the instance delivers it, and that counts too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import emoji

from bridge.text.weighted_length import LengthCheck

__all__ = ["CharacterLimit", "addressed", "count_characters", "counted_text"]

_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_REMOTE_MENTION = re.compile(r"(?<![\w@])@(\w+)@[\w.-]+\w", re.UNICODE)
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}


@dataclass(frozen=True)
class CharacterLimit:
    """An instance's limit: ``configuration.statuses`` of ``GET /api/v2/instance``."""

    max_characters: int
    characters_reserved_per_url: int = 23


def _characters(text: str) -> int:
    """User-perceived characters: an emoji sequence is one, combining marks join their base."""
    single = emoji.replace_emoji(text, replace="e")
    return sum(1 for char in single if not unicodedata.combining(char) and char not in _JOINERS)


def counted_text(text: str, limit: CharacterLimit) -> str:
    """``text`` with links and remote mentions replaced by what they count as."""
    text = _URL.sub("x" * limit.characters_reserved_per_url, text)
    return _REMOTE_MENTION.sub(lambda m: f"@{m.group(1)}", text)


def addressed(text: str, addressee: str) -> str:
    """The answer as posted: opened with ``@addressee`` unless it already names them."""
    if not addressee:
        return text
    mention = f"@{addressee.lstrip('@')}"
    named = re.search(rf"(?<![\w@]){re.escape(mention)}(?![\w@])", text, re.IGNORECASE)
    return text if named else f"{mention} {text}"


def count_characters(text: str, limit: CharacterLimit, *, addressee: str = "") -> LengthCheck:
    normalized = unicodedata.normalize("NFC", text)
    blank = all(char.isspace() or unicodedata.category(char) == "Cf" for char in normalized)
    size = _characters(counted_text(addressed(normalized, addressee), limit))
    over = max(0, size - limit.max_characters)
    return LengthCheck(size, limit.max_characters, not blank and not over, over, blank=blank)
