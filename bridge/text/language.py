"""Which language a mention is written in, so it reaches a team that reads it and sentiment is honest.

A platform's own language field wins when it names a real language. Otherwise a writing system that
names one language on its own (Greek, Hebrew, Thai, Hangul, kana …) decides, and for the rest a small
maintained classifier (py3langid, a naive Bayes model over byte n-grams shipped inside the package)
picks among a playbook's candidate languages. The answer is an ISO 639-1 code, or ``"und"`` when there
is too little text or the classifier is unsure. The common-word lists below serve two smaller ends:
a fast path that takes plain ASCII text full of English-only function words (and none of another
language's) as English without running the classifier (it agreed on every such post of the benchmark
files), and routing's comparison of the topic words of example phrases.
"""

from __future__ import annotations

import copy
import functools
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from py3langid.langid import MODEL_FILE, LanguageIdentifier

UNDETERMINED = "und"

#: Latin-script languages the classifier chooses among by default (scripts that name one language on
#: their own are told apart before it runs). Fewer candidates make short posts more reliable.
LANGUAGE_CANDIDATES: tuple[str, ...] = (
    *("en", "es", "fr", "de", "pt", "it", "nl", "sv", "da"),
    *("no", "fi", "pl", "cs", "tr", "id", "ro", "hu", "ca"),
)
#: The old name of the default candidates, kept for playbooks and callers that import it.
LATIN_LANGUAGES = LANGUAGE_CANDIDATES
#: Languages the sentiment model reads: VADER's lexicon and rules are English. A post detected as any
#: other language gets sentiment "unknown"; an undetermined one (emoji, a word or two) is still scored,
#: since VADER reads emoji and the English fragments such posts usually are.
SENTIMENT_LANGUAGES: tuple[str, ...] = ("en",)
MIN_LETTERS = 8  # fewer letters (after mentions, links and hashtags) than this: undetermined
MIN_CONFIDENCE = 0.5  # the classifier's length-calibrated probability below which it abstains
MAX_CLASSIFIED_CHARS = 400  # a post's opening says its language; the cost grows with the length

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

_LETTER = re.compile(r"[^\W\d_]")
_ASCII_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
#: English function words that no other candidate language uses as one.
_ONLY_ENGLISH: frozenset[str] = _STOPWORDS["en"] - frozenset().union(
    *(words for lang, words in _STOPWORDS.items() if lang != "en")
)
_NOT_ENGLISH: frozenset[str] = COMMON_WORDS - _STOPWORDS["en"]
MIN_ENGLISH_WORDS = 3  # the fast path's evidence: this many English-only function words, no other
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


@functools.cache
def _base_identifier() -> LanguageIdentifier:
    """py3langid's shipped model, loaded once per process (about half a second)."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@functools.cache
def _identifier(candidates: tuple[str, ...]) -> LanguageIdentifier:
    identifier = copy.copy(_base_identifier())
    identifier.set_languages(list(candidates))
    return identifier


def known_language(code: str) -> bool:
    """Whether the classifier can answer ``code`` (a two-letter code of one of its languages)."""
    return len(code) == 2 and code in _base_identifier().labels


def warm_up(candidates: Iterable[str] = LANGUAGE_CANDIDATES) -> None:
    """Load the classifier now, so the first mention does not pay for it."""
    _identifier(tuple(sorted(candidates)))


def _plainly_english(text: str) -> bool:
    """A fast path for the commonest case: plain ASCII with several English-only function words and
    none of another language's. The classifier agrees on such posts; skipping it halves triage's cost."""
    if not text.isascii():
        return False
    words = _ASCII_WORD.findall(text.lower())
    english = sum(word in _ONLY_ENGLISH for word in words)
    return english >= MIN_ENGLISH_WORDS and not any(len(word) > 1 and word in _NOT_ENGLISH for word in words)


def _classified(text: str, candidates: tuple[str, ...]) -> tuple[str | None, float]:
    plain = _NOISE.sub(" ", text[:MAX_CLASSIFIED_CHARS])
    if len(_LETTER.findall(plain, 0, MAX_CLASSIFIED_CHARS)) < MIN_LETTERS:
        return None, 0.0
    code, confidence = _identifier(tuple(sorted(candidates))).classify(plain)
    if confidence < MIN_CONFIDENCE or len(code) != 2:
        return None, confidence
    return code, confidence


def detect_language(
    text: str, hint: str | None = None, candidates: Iterable[str] = LANGUAGE_CANDIDATES
) -> Detected:
    """The language of ``text``: the platform's hint when real, else the script, else the classifier."""
    code = normalise_hint(hint)
    if code is not None:
        return Detected(code, f"language {code} (platform hint)")
    script = _script_language(text)
    if script is not None:
        return Detected(script, f"language {script} (writing system)")
    candidates = tuple(candidates)
    if "en" in candidates and _plainly_english(_NOISE.sub(" ", text[:MAX_CLASSIFIED_CHARS])):
        return Detected("en", "language en (English function words only)")
    code, confidence = _classified(text, candidates)
    if code is not None:
        return Detected(code, f"language {code} (detected, {confidence:.0%} sure)")
    if confidence:
        return Detected(UNDETERMINED, f"language undetermined (best guess {confidence:.0%} sure)")
    return Detected(UNDETERMINED, "language undetermined (too little text)")


__all__ = [
    "COMMON_WORDS",
    "LANGUAGE_CANDIDATES",
    "LATIN_LANGUAGES",
    "SENTIMENT_LANGUAGES",
    "UNDETERMINED",
    "Detected",
    "detect_language",
    "known_language",
    "normalise_hint",
    "warm_up",
]
