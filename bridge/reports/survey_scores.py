"""Reading a score out of a customer's reply to a survey, tolerantly: people answer "5!", "⭐⭐⭐⭐",
"9/10", "I'd say 8 — great help" or "four, thanks", not a form field.

The rule is strict where guessing would be wrong: the first number in the reply is the score (a lead-in
such as "I'd say" is allowed before it); a number outside the scale, a fraction of another scale
("8/10" when we asked 1 to 5), a decimal, a percentage or a time is no answer at all, and nothing is
recorded rather than something invented. The words after the score are kept as the comment.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["MAX_COMMENT_CHARS", "SurveyAnswer", "parse_score"]

MAX_COMMENT_CHARS = 500

_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_KEYCAPS = {f"{d}\ufe0f\u20e3": str(d) for d in range(10)} | {f"{d}\u20e3": str(d) for d in range(10)}
_KEYCAPS["\U0001f51f"] = "10"  # 🔟
_FILLED_STARS = "⭐★🌟✭✮✯✰"
_EMPTY_STARS = "☆✩"
_LEAD_IN = re.compile(
    r"^(?:(?:i(?:'d| would)? (?:say|give (?:you |it |that )?|rate (?:you |it |that )?)|my (?:score|rating)"
    r"(?: is)?|score|rating|definitely|probably|maybe|solid|easy|honestly|a|an|it'?s|that'?s)[\s:,-]*)+$",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"(?<![\w.,/:%-])(?P<n>\d+)(?![\w%]|[.,:]\d)"
    r"(?:\s*(?:/|out of|of)\s*(?P<d>\d+)(?![\w%]|[.,:]\d))?"
    r"(?:\s*(?:stars?|points?)\b)?",
    re.IGNORECASE,
)
_WORD = re.compile(r"^(?P<w>" + "|".join(_WORDS) + r")\b(?:\s*(?:/|out of|of)\s*(?P<d>\d+|ten|five)\b)?",
                   re.IGNORECASE)  # fmt: skip
_SEPARATORS = " \t\r\n-–—:;,.!?()[]|~*"


@dataclass(frozen=True)
class SurveyAnswer:
    score: int
    comment: str


def parse_score(text: str, low: int, high: int) -> SurveyAnswer | None:
    """The score in ``text`` on the scale ``low``..``high``, with the rest as its comment; None when the
    reply holds no score on that scale."""
    text = _keycaps_to_digits(unicodedata.normalize("NFKC", text or "")).strip()
    found = _stars(text, low, high) or _word(text, high) or _digits(text, high)
    if found is None:
        return None
    score, before, after = found
    if not low <= score <= high:
        return None
    lead = before.strip(_SEPARATORS)
    comment = after.strip(_SEPARATORS)
    if not comment and lead and not _LEAD_IN.match(lead):
        comment = lead
    return SurveyAnswer(score, comment[:MAX_COMMENT_CHARS])


def _keycaps_to_digits(text: str) -> str:
    for cap, digit in _KEYCAPS.items():
        text = text.replace(cap, f" {digit} ")
    return text


def _stars(text: str, low: int, high: int) -> tuple[int, str, str] | None:
    """A run of stars, where the scale is the 1–5 of stars ("★★★★☆" is 4)."""
    match = re.search(
        f"[{_FILLED_STARS}{_EMPTY_STARS}\ufe0f\\s]*[{_FILLED_STARS}][{_FILLED_STARS}{_EMPTY_STARS}\ufe0f\\s]*",
        text,
    )
    if match is None or high != 5 or low > 1 or _NUMBER.search(text[: match.start()]):
        return None
    score = sum(match.group().count(star) for star in _FILLED_STARS)
    return score, text[: match.start()], text[match.end() :]


def _word(text: str, high: int) -> tuple[int, str, str] | None:
    """A number written as a word, only at the very start: "no one helped" is not a 1."""
    match = _WORD.match(text)
    if match is None:
        return None
    of = match.group("d")
    if of is not None and _WORDS.get(of.casefold(), int(of) if of.isdigit() else -1) != high:
        return (-1, "", "")
    return _WORDS[match.group("w").casefold()], "", text[match.end() :]


def _digits(text: str, high: int) -> tuple[int, str, str] | None:
    """The first number in the reply; "n/m" only on our own scale (m is the top)."""
    match = _NUMBER.search(text)
    if match is None:
        return None
    if match.group("d") is not None and int(match.group("d")) != high:
        return (-1, "", "")
    return int(match.group("n")), text[: match.start()], text[match.end() :]
