"""How long an answer may be: a public reply counts as X counts it (280 weighted); a private message
may run to X's direct-message limit."""

from __future__ import annotations

from bridge.domain.model import Case
from bridge.text.weighted_length import LengthCheck, check_length

DIRECT_MESSAGE_MAX_CHARACTERS = 10_000


def answer_length(case: Case, text: str) -> LengthCheck:
    if case.mode != "private":
        return check_length(text)
    blank = not text.strip()
    size = len(text)
    over = max(0, size - DIRECT_MESSAGE_MAX_CHARACTERS)
    return LengthCheck(size, DIRECT_MESSAGE_MAX_CHARACTERS, not blank and not over, over, blank=blank)
