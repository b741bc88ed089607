"""Anonymised features of a mention: hashed word and character n-grams plus the rules' cue hits.

Feature hashing maps each token to one of :data:`BUCKETS` columns with a stable hash (CRC-32, the
same in every process), so a label keeps numbers, never words: no vocabulary is stored anywhere.
Handles, links and digits are replaced by placeholders before hashing, so neither a customer's
handle nor an order number reaches a bucket. Blocks are scaled to unit length so a long post does not
outweigh a short one. :data:`FEATURE_VERSION` changes whenever the mapping changes: a model or a
label of another version is not mixed with this one.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable
from itertools import pairwise

FEATURE_VERSION = 1
BUCKET_BITS = 18
BUCKETS = 1 << BUCKET_BITS
MAX_WORDS = 80  # the start of a very long post says enough, and the cost stays bounded
CHAR_GRAMS = (3, 4, 5)

_MASK = BUCKETS - 1
_SIGN = 1 << 31
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"@\w+")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"\w+(?:'\w+)?|[?!]")
_WORD_SEED = zlib.crc32(b"w:")
_PAIR_SEED = zlib.crc32(b"b:")
_CHAR_SEED = zlib.crc32(b"c:")
_CUE_SEED = zlib.crc32(b"r:")

Vector = dict[int, float]


def words(text: str) -> list[str]:
    """The words features are made of: case folded, handles, links and digits as placeholders."""
    text = _DIGITS.sub("0", _HANDLE.sub(" @user ", _URL.sub(" http ", text.casefold())))
    return _WORD.findall(text)[:MAX_WORDS]


def _block(crcs: list[int]) -> Vector:
    """Signed counts per bucket (the hash's top bit is the sign), scaled to unit length."""
    block: Vector = {}
    get = block.get
    for crc in crcs:
        index = crc & _MASK
        block[index] = get(index, 0.0) + (-1.0 if crc & _SIGN else 1.0)
    norm = math.sqrt(sum(v * v for v in block.values()))
    return {i: v / norm for i, v in block.items() if v} if norm else {}


def cues_of(hits: Iterable[str], verdict: str, language: str) -> list[str]:
    """The named inputs besides the words: every rule that matched (``need:…``, ``cue:…``,
    ``noise:…``), the rules' own verdict and the language."""
    return [*hits, f"verdict:{verdict}", f"language:{language}"]


def vectorise(text: str, cues: Iterable[str], char_grams: tuple[int, ...] = CHAR_GRAMS) -> Vector:
    """The hashed features of ``text`` and the named cues (rule hits, verdicts, language).

    ``char_grams=()`` leaves the character n-grams out: most of the cost, for the benchmark's
    cheaper variant."""
    crc32 = zlib.crc32
    encoded = [word.encode() for word in words(text)]
    word_crcs = [crc32(raw, _WORD_SEED) for raw in encoded]
    word_crcs += [crc32(b, crc32(a + b" ", _PAIR_SEED)) for a, b in pairwise(encoded)]
    padded = [b" " + raw + b" " for raw in encoded]
    char_crcs = [
        crc32(p[start : start + n], _CHAR_SEED)
        for p in padded
        for n in char_grams
        for start in range(len(p) - n + 1)
    ]
    vector = _block(word_crcs)
    for index, value in _block(char_crcs).items():
        vector[index] = vector.get(index, 0.0) + value
    for cue in cues:
        crc = crc32(cue.encode(), _CUE_SEED)
        index = crc & _MASK
        vector[index] = vector.get(index, 0.0) + (-1.0 if crc & _SIGN else 1.0)
    return vector


__all__ = ["BUCKETS", "FEATURE_VERSION", "Vector", "cues_of", "vectorise", "words"]
