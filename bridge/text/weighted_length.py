"""How long X considers a reply, so a draft that X would refuse is caught before anyone signs it off.

X does not count characters. It follows the twitter-text rules (config v3): the text is NFC-normalised;
code points up to U+10FF (Latin, Greek, Cyrillic, Hebrew, Arabic, Indic scripts …) and common
punctuation weigh 1, everything else (CJK, most symbols) weighs 2; every link weighs 23 whatever its
length, because X rewrites it to a t.co link; every emoji sequence (ZWJ families, flags, keycaps, skin
tones) weighs 2. The limit is 280. The rules are re-implemented here by hand because the Python port on
PyPI imports pkg_resources and cannot be used; twitter-text's own conformance cases keep them honest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import emoji

from bridge.text.tlds import COUNTRY_TLDS, GENERIC_TLDS

__all__ = [
    "INVALID_CHARACTERS",
    "MAX_WEIGHTED_LENGTH",
    "RULES_V1",
    "RULES_V2",
    "RULES_V3",
    "LengthCheck",
    "Trie",
    "WeightingRules",
    "check_length",
    "weighted_length",
]

MAX_WEIGHTED_LENGTH = 280

INVALID_CHARACTERS = "\ufffe\ufeff\uffff"
"""Characters that make X refuse a post outright, whatever its length."""


@dataclass(frozen=True)
class WeightingRules:
    """One twitter-text configuration: what each character, link and emoji weighs, and the limit.

    RULES_V3 is what X applies today and the default everywhere. RULES_V1 (140 characters) and RULES_V2
    (280, emoji not discounted) exist because twitter-text publishes its conformance cases against them,
    and passing those too is the evidence that the shared machinery is right.
    """

    max_weighted_length: int
    scale: int
    default_weight: int
    ranges: tuple[tuple[int, int, int], ...]
    """(first code point, last code point, weight); code points outside all ranges weigh default_weight."""
    transformed_url_length: int = 23
    emoji_parsing: bool = False

    def char_weight(self, char: str) -> int:
        """The weight of one code point, in units of 1/scale of a character."""
        code_point = ord(char)
        for first, last, weight in self.ranges:
            if first <= code_point <= last:
                return weight
        return self.default_weight


_LIGHT_RANGES = ((0, 4351, 100), (8192, 8205, 100), (8208, 8223, 100), (8242, 8247, 100))
RULES_V1 = WeightingRules(max_weighted_length=140, scale=1, default_weight=1, ranges=())
RULES_V2 = WeightingRules(max_weighted_length=280, scale=100, default_weight=200, ranges=_LIGHT_RANGES)
RULES_V3 = WeightingRules(
    max_weighted_length=MAX_WEIGHTED_LENGTH,
    scale=100,
    default_weight=200,
    ranges=_LIGHT_RANGES,
    emoji_parsing=True,
)


@dataclass(frozen=True)
class LengthCheck:
    """The verdict on one reply: what X would count, and whether X would accept it."""

    weighted_length: int
    max_length: int
    valid: bool
    over_by: int
    blank: bool = False
    """Nothing but whitespace and invisible formatting characters: X refuses it as empty."""
    has_invalid_characters: bool = False
    """Contains U+FFFE, U+FEFF or U+FFFF, which X refuses whatever the length."""

    def describe(self) -> str:
        """Plain words for the people drafting: '212/280', '291/280 — 11 over the limit' or 'empty'."""
        if self.blank:
            return "empty"
        problems = []
        if self.over_by:
            problems.append(f"{self.over_by} over the limit")
        if self.has_invalid_characters:
            problems.append("contains a character X does not accept (U+FFFE, U+FEFF or U+FFFF)")
        counted = f"{self.weighted_length}/{self.max_length}"
        return f"{counted} — {'; '.join(problems)}" if problems else counted


def check_length(text: str, rules: WeightingRules = RULES_V3) -> LengthCheck:
    """Measure a reply as X will, before it is posted, so an over-long draft is sent back, not refused."""
    normalized = unicodedata.normalize("NFC", text)
    length = _weigh(normalized, rules)
    blank = all(char.isspace() or unicodedata.category(char) == "Cf" for char in normalized)
    invalid = any(char in INVALID_CHARACTERS for char in normalized)
    limit = rules.max_weighted_length
    return LengthCheck(
        weighted_length=length,
        max_length=limit,
        valid=not blank and not invalid and length <= limit,
        over_by=max(0, length - limit),
        blank=blank,
        has_invalid_characters=invalid,
    )


def weighted_length(text: str, rules: WeightingRules = RULES_V3) -> int:
    """The length X counts for this text (280 is the limit), as opposed to len(text)."""
    return _weigh(unicodedata.normalize("NFC", text), rules)


def _weigh(text: str, rules: WeightingRules) -> int:
    # Where a link and an emoji start at the same place the link wins, as in twitter-text.
    urls = dict(_url_spans(text))
    # A lone code point weighs the same whether it is an emoji or not, except U+00A9 and U+00AE, which
    # twitter-text counts as emoji only when U+FE0F follows: so only sequences take the emoji weight.
    emojis = {}
    if rules.emoji_parsing:
        for found in emoji.emoji_list(text):
            first, last = int(found["match_start"]), int(found["match_end"])
            if last - first > 1:
                emojis[first] = last
    total, index = 0, 0
    while index < len(text):
        if index in urls:
            total += rules.transformed_url_length * rules.scale
            index = urls[index]
        elif index in emojis:
            total += rules.default_weight
            index = emojis[index]
        else:
            total += rules.char_weight(text[index])
            index += 1
    return total // rules.scale


Trie = dict[str, "Trie"]


def _alternation(words: Iterable[str]) -> str:
    """A regex matching any of the words, factored into a trie so ~1,500 domains stay quick to scan."""
    trie: Trie = {}
    for word in words:
        node = trie
        for char in word.lower():
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: Trie) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


# twitter-text's link pattern, piece by piece (its regexp/ folder: validUrlPrecedingChars, validDomain …).
_DIRECTIONAL_MARKS = "\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_PUNCTUATION = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"
_LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263\u0268\u026f"
    "\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = "\u0400-\u04ff"
_DOMAIN_CHAR = f"[^{_PUNCTUATION}{_SPACES}{INVALID_CHARACTERS}{_DIRECTIONAL_MARKS}]"
_TLD = (
    f"(?:{_alternation(GENERIC_TLDS | COUNTRY_TLDS)})(?=[^0-9a-z@+-]|\\Z)"
    "|xn--[-0-9a-z]+"  # punycode
)
# Possessive (*+) because a label only ever ends at a ".": giving characters back cannot help, and not
# trying makes long runs of text without spaces (Japanese, say) several times quicker to scan.
_SUBDOMAIN = f"(?:{_DOMAIN_CHAR}(?:[_-]*+{_DOMAIN_CHAR})*+\\.)"
_DOMAIN_NAME = f"(?:{_DOMAIN_CHAR}(?:-*+{_DOMAIN_CHAR})*+\\.)"
_PATH_CHAR = f"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~@|&{_LATIN_ACCENTS}]"
_BALANCED_PARENS = f"\\((?:{_PATH_CHAR}+|{_PATH_CHAR}*\\({_PATH_CHAR}+\\){_PATH_CHAR}*)\\)"
_PATH_END = f"(?:[+\\-a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|{_BALANCED_PARENS})"
_PATH = f"(?:{_PATH_CHAR}*(?:{_BALANCED_PARENS}{_PATH_CHAR}*)*{_PATH_END}|@{_PATH_CHAR}+/)"
_QUERY = r"\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9\-_&=#/]"

# DNS allows at most 127 labels. twitter-text sets no bound, but without one long dotted text takes
# quadratic time; a longer chain is counted as plain characters, the stricter reading.
_URL = re.compile(
    f"(?P<before>[^a-z0-9@＠$#＃{INVALID_CHARACTERS}]|[{_DIRECTIONAL_MARKS}]|^)"
    f"(?P<url>(?P<protocol>https?://)?(?P<domain>{_SUBDOMAIN}{{0,126}}{_DOMAIN_NAME}(?:{_TLD}))"
    f"(?::[0-9]+)?(?P<path>/{_PATH}*)?(?:{_QUERY})?)",
    re.IGNORECASE,
)
_ASCII_DOMAIN = re.compile(f"(?:[-a-z0-9{_LATIN_ACCENTS}]+\\.)+(?:{_TLD})", re.IGNORECASE)
_TCO_URL = re.compile(f"https?://t\\.co/([a-z0-9]+)(?:{_QUERY})?", re.IGNORECASE)
_DEFAULT_SCHEME = "https://"
_MAX_URL_LENGTH = 4096
_MAX_TCO_SLUG_LENGTH = 40
_MAX_LABEL_LENGTH = 63


def _url_spans(text: str) -> Iterator[tuple[int, int]]:
    """Start and end of each link twitter-text would extract, with or without http(s)://."""
    if "." not in text:
        return
    for match in _URL.finditer(text):
        start, end = match.span("url")
        domain, path = match["domain"], match["path"]
        if not match["protocol"]:
            length_with_scheme = len(_DEFAULT_SCHEME) + end - start
            if match["before"] in ("-", "_", ".", "/") or not _is_valid_host(domain, length_with_scheme):
                continue
            # Without a scheme only the ASCII part of a domain is a link; the path goes with the last one.
            hosts = [(start + found.start(), start + found.end()) for found in _ASCII_DOMAIN.finditer(domain)]
            for number, (first, last) in enumerate(hosts):
                yield first, (end if path and number == len(hosts) - 1 else last)
            continue
        if not _is_valid_host(domain, len(match["protocol"]) + end - start):
            continue
        tco = _TCO_URL.match(text, start, end)
        if tco:
            if len(tco[1]) > _MAX_TCO_SLUG_LENGTH:
                continue
            end = tco.end()
        yield start, end


def _is_valid_host(domain: str, url_length: int) -> bool:
    """Each DNS label fits in 63 characters once punycode-encoded, and the link (scheme counted) in 4096."""
    if domain.startswith("xn--") and not _ASCII_DOMAIN.search(domain):
        return False
    for label in domain.split("."):
        encoded = label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
        if not 1 <= len(encoded) <= _MAX_LABEL_LENGTH:
            return False
    return url_length <= _MAX_URL_LENGTH
