"""Which language a mention is written in, so it reaches a team that reads it.

No model and no network: the writing system decides for most scripts, and for Latin script a count of
very common words (articles, pronouns, prepositions) picks among a handful of languages. A platform's
own language field wins when it names a real language. The answer is an ISO 639-1 code, or ``"und"``
when there is too little to go on.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

UNDETERMINED = "und"
MIN_NON_ENGLISH_HITS = 2  # short English posts share words with other languages ("no", "de", "me")

#: Latin-script languages the stopword counter can tell apart.
LATIN_LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "de", "pt", "it", "nl")

#: Platform codes that are not a language (X: undetermined, media only, hashtags only, …) or old
#: aliases of a current code.
_NOT_A_LANGUAGE = frozenset({"und", "zxx", "qam", "qct", "qht", "qme", "qst", "art", "mul", "xx"})
_ALIASES = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and you your is are was were to of in it my for on with this that have has not but "
        "be at me i i'm it's just what why how can can't don't we they our an or from been still "
        "will would no get got please any as do so he she all when who im if out up about there"
    ),
    "es": _words(
        "el la los las de que y en un una es por para con no mi su al lo como pero más ya muy "
        "está están hay del se le me te tengo porque cuando también nos sin qué"
    ),
    "fr": _words(
        "le la les de des du et est un une que qui pas pour dans avec je vous nous ne mon ma mes "
        "sur au aux ce cette il elle c'est j'ai très mais ou votre vos suis depuis toujours"
    ),
    "de": _words(
        "der die das und ist nicht ich sie ein eine zu den mit von auf für es dem im mein meine "
        "ihr ihre auch noch wir aber wie bei sind war hat habe kein keine schon seit immer"
    ),
    "pt": _words(
        "o a os as de do da dos das que e em um uma é não para com por meu minha você vocês mais "
        "mas foi está estou tem no na nos nas ao seu sua isso já muito ainda"
    ),
    "it": _words(
        "il lo la i gli le di che e è un una per non con del della dei nel mi mio mia sono ho "
        "ma anche come più questo questa ancora sempre perché tutto vostro"
    ),
    "nl": _words(
        "de het een en van is niet ik je jij u wij we zijn dat die op te met voor mijn maar ook "
        "nog al bij heb hebben naar er geen wel wat dit jullie"
    ),
}

#: Every common word the detector knows, in any of its languages: words that say nothing about a topic,
#: so routing's example phrases compare the rest.
COMMON_WORDS: frozenset[str] = frozenset().union(*_STOPWORDS.values())

#: Letters that, when present, make one Latin-script language more likely (one extra vote each).
_LETTER_HINTS: dict[str, str] = {"ñ": "es", "¿": "es", "¡": "es", "ß": "de", "ã": "pt", "õ": "pt", "ij": "nl"}

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")

# (first code point, last code point, language) for scripts that name a language on their own.
_SCRIPTS: tuple[tuple[int, int, str], ...] = (
    (0x0370, 0x03FF, "el"),
    (0x0400, 0x04FF, "ru"),
    (0x0530, 0x058F, "hy"),
    (0x0590, 0x05FF, "he"),
    (0x0600, 0x06FF, "ar"),
    (0x0750, 0x077F, "ar"),
    (0x0900, 0x097F, "hi"),
    (0x0980, 0x09FF, "bn"),
    (0x0A00, 0x0A7F, "pa"),
    (0x0A80, 0x0AFF, "gu"),
    (0x0B80, 0x0BFF, "ta"),
    (0x0C00, 0x0C7F, "te"),
    (0x0C80, 0x0CFF, "kn"),
    (0x0D00, 0x0D7F, "ml"),
    (0x0D80, 0x0DFF, "si"),
    (0x0E00, 0x0E7F, "th"),
    (0x0E80, 0x0EFF, "lo"),
    (0x1000, 0x109F, "my"),
    (0x10A0, 0x10FF, "ka"),
    (0x1200, 0x137F, "am"),
    (0x1780, 0x17FF, "km"),
    (0x3040, 0x30FF, "ja"),  # hiragana and katakana
    (0x31F0, 0x31FF, "ja"),
    (0x1100, 0x11FF, "ko"),
    (0x3130, 0x318F, "ko"),
    (0xAC00, 0xD7AF, "ko"),
    (0x3400, 0x4DBF, "zh"),
    (0x4E00, 0x9FFF, "zh"),
    (0xF900, 0xFAFF, "zh"),
)
_SCRIPTS = tuple(sorted(_SCRIPTS))
_SCRIPT_STARTS = tuple(first for first, _, _ in _SCRIPTS)
_UKRAINIAN = frozenset("іїєґІЇЄҐ")
_PERSIAN = frozenset("پچژگ")
_URDU = frozenset("ٹڈڑںھے")


@dataclass(frozen=True)
class Detected:
    """A language code and the reason people see for it."""

    code: str
    reason: str


def normalise_hint(hint: str | None) -> str | None:
    """The ISO 639-1 code in a platform's language field, or None when it names no language."""
    if not hint:
        return None
    code = hint.strip().lower().replace("_", "-").split("-", 1)[0]
    code = _ALIASES.get(code, code)
    if len(code) != 2 or not code.isascii() or not code.isalpha() or code in _NOT_A_LANGUAGE:
        return None
    return code


def _script_language(text: str) -> str | None:
    if text.isascii():
        return None
    counts: dict[str, int] = {}
    latin = 0
    for ch in text:
        cp = ord(ch)
        if cp < 0x0370:
            if ch.isalpha():
                latin += 1
            continue
        at = bisect_right(_SCRIPT_STARTS, cp) - 1
        if at >= 0 and cp <= _SCRIPTS[at][1]:
            lang = _SCRIPTS[at][2]
            counts[lang] = counts.get(lang, 0) + 1
    if not counts:
        return None
    if counts.get("ja") and counts.get("zh"):
        counts["ja"] += counts.pop("zh")  # kanji inside Japanese text
    lang, count = max(counts.items(), key=lambda kv: kv[1])
    if count < latin:
        return None  # mostly Latin letters with a few borrowed symbols
    letters = set(text)
    if lang == "ru" and letters & _UKRAINIAN:
        return "uk"
    if lang == "ar" and letters & _URDU:
        return "ur"
    if lang == "ar" and letters & _PERSIAN:
        return "fa"
    return lang


def _latin_language(text: str, candidates: Iterable[str]) -> tuple[str | None, int]:
    words = _WORD.findall(_NOISE.sub(" ", text.lower()))
    if not words:
        return None, 0
    scores = {lang: 0 for lang in candidates if lang in _STOPWORDS}
    for word in words:
        if len(word) < 2:
            continue  # "a", "e", "o", "y": shared by too many languages
        for lang in scores:
            if word in _STOPWORDS[lang]:
                scores[lang] += 1
    lowered = text.lower()
    for letters, lang in _LETTER_HINTS.items():
        if lang in scores and letters in lowered:
            scores[lang] += 1
    if not scores:
        return None, 0
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best, hits = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if hits == runner_up or hits < (1 if best == "en" else MIN_NON_ENGLISH_HITS):
        return None, hits
    return best, hits


def detect_language(
    text: str, hint: str | None = None, candidates: Iterable[str] = LATIN_LANGUAGES
) -> Detected:
    """The language of ``text``: the platform's hint when real, else the script, else common words."""
    code = normalise_hint(hint)
    if code is not None:
        return Detected(code, f"language {code} (platform hint)")
    script = _script_language(text)
    if script is not None:
        return Detected(script, f"language {script} (writing system)")
    latin, hits = _latin_language(text, candidates)
    if latin is not None:
        return Detected(latin, f"language {latin} ({hits} common words)")
    return Detected(UNDETERMINED, "language undetermined (too little text)")


__all__ = ["COMMON_WORDS", "LATIN_LANGUAGES", "UNDETERMINED", "Detected", "detect_language", "normalise_hint"]
