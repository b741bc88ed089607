"""How long an answer may be: a public reply on X counts as X counts it (280 weighted); a private
message may run to X's direct-message limit. Other platforms name their own limit here
(:func:`use_character_limit`, called by the composition root): Mastodon's comes from the instance."""

from __future__ import annotations

from collections.abc import Callable

from bridge.domain.model import Case
from bridge.text.character_length import CharacterLimit, count_characters
from bridge.text.weighted_length import LengthCheck, check_length

__all__ = ["CharacterLimit", "answer_length", "use_character_limit"]

DIRECT_MESSAGE_MAX_CHARACTERS = 10_000

#: Meta's limits, public (a comment) and private (a message): Facebook comments 8,000 characters,
#: Messenger messages 2,000; Instagram comments 2,200, Instagram messages 1,000. Posted as written.
META_LIMITS = {
    ("facebook", False): 8000,
    ("facebook", True): 2000,
    ("instagram", False): 2200,
    ("instagram", True): 1000,
}

_limits: dict[str, Callable[[], CharacterLimit]] = {}


def use_character_limit(platform: str, limit: Callable[[], CharacterLimit] | None) -> None:
    """Answers on ``platform`` (public and private alike) are bounded by ``limit()``, asked when a
    length is checked (the adapter reads and keeps it); ``None`` forgets the platform's limit."""
    if limit is None:
        _limits.pop(platform, None)
    else:
        _limits[platform] = limit


def _plain(text: str, most: int) -> LengthCheck:
    blank = not text.strip()
    size = len(text)
    over = max(0, size - most)
    return LengthCheck(size, most, not blank and not over, over, blank=blank)


def answer_length(case: Case, text: str) -> LengthCheck:
    private = case.visibility == "direct" or case.mode == "private" or bool(case.pending_private)
    meta = META_LIMITS.get((case.platform, private))
    if meta is not None:
        return _plain(text, meta)
    limit = _limits.get(case.platform)
    if limit is not None:
        return count_characters(text, limit(), addressee=case.author_handle)
    if case.mode != "private":
        return check_length(text)
    return _plain(text, DIRECT_MESSAGE_MAX_CHARACTERS)
