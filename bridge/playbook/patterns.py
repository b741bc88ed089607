"""What a rule looks for, and the one-pass matcher that triage and routing both use.

A :class:`Pattern` is validated playbook data: whole words, phrases, hashtags or regular expressions,
compiled on load so a bad one is an error that names its key. A :class:`Matcher` finds, in one pass over
a text's words, which of many named patterns match and the stretch of text each matched (what reasons
quote). :class:`Rule` and :class:`Cue` add the name people read and, for cues, a weight.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

_RULE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


def check_regexes(patterns: list[str]) -> list[str]:
    """Refuse a playbook whose regular expression does not compile, naming it and why."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regex {pattern!r}: {exc}") from exc
    return patterns


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


_TOKEN = re.compile(r"\w+(?:'\w+)*|[^\w\s]")

Term = tuple[tuple[str, ...], bool]  # the words of a term, and whether its last word is a prefix


def _term(term: str) -> Term:
    """A literal term matched as whole words; a trailing ``*`` after a letter matches any ending."""
    prefix = len(term) > 1 and term.endswith("*") and (term[-2].isalnum() or term[-2] == "_")
    words = tuple(w.lower() for w in _TOKEN.findall(term[:-1] if prefix else term))
    return words, prefix


class Pattern(Strict):
    """What a rule looks for: whole words, phrases, hashtags or regular expressions (case-insensitive)."""

    keywords: list[str] = Field(default_factory=list)
    phrases: list[str] = Field(default_factory=list)
    hashtags: list[str] = Field(default_factory=list)
    regex: list[str] = Field(default_factory=list)

    _terms: tuple[Term, ...] = PrivateAttr(default=())
    _regexes: tuple[re.Pattern[str], ...] = PrivateAttr(default=())
    _matcher: Matcher | None = PrivateAttr(default=None)

    _listify = field_validator("keywords", "phrases", "hashtags", "regex", mode="before")(_as_list)

    @field_validator("keywords", "phrases", "hashtags")
    @classmethod
    def _not_blank(cls, terms: list[str]) -> list[str]:
        for term in terms:
            if not _term(term.strip())[0]:
                raise ValueError(f"empty term {term!r}")
        return [term.strip() for term in terms]

    @field_validator("regex")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        return check_regexes(patterns)

    @model_validator(mode="after")
    def _compile(self) -> Pattern:
        if not (self.keywords or self.phrases or self.hashtags or self.regex):
            raise ValueError("a rule needs at least one of keywords, phrases, hashtags or regex")
        hashtags = ("#" + tag.lstrip("#") for tag in self.hashtags)
        self._terms = tuple(_term(term) for term in (*self.keywords, *self.phrases, *hashtags))
        self._regexes = tuple(re.compile(p, re.IGNORECASE) for p in self.regex)
        return self

    @property
    def terms(self) -> tuple[Term, ...]:
        return self._terms

    @property
    def regexes(self) -> tuple[re.Pattern[str], ...]:
        return self._regexes

    def find(self, text: str) -> str | None:
        """The first stretch of ``text`` this pattern matches, or None."""
        if self._matcher is None:
            self._matcher = Matcher([("", self)])
        return self._matcher.scan(text).get("")


_Entry = tuple[str, tuple[str, ...], bool]


class Matcher:
    """Which of many patterns match a text, found in one pass over its words (then their regexes)."""

    def __init__(self, patterns: Iterable[tuple[str, Pattern]]) -> None:
        self._exact: dict[str, list[_Entry]] = {}  # one-word terms, and two-word terms ending in a prefix
        self._pairs: dict[tuple[str, str], list[_Entry]] = {}  # longer terms, by their first two words
        self._prefix: dict[int, dict[str, list[_Entry]]] = {}  # one-word prefixes, by length
        self._regexes: list[tuple[str, re.Pattern[str]]] = []
        for key, pattern in patterns:
            for words, prefix in pattern.terms:
                entry = (key, words, prefix)
                if len(words) == 1 and prefix:
                    self._prefix.setdefault(len(words[0]), {}).setdefault(words[0], []).append(entry)
                elif len(words) == 1 or (len(words) == 2 and prefix):
                    self._exact.setdefault(words[0], []).append(entry)
                else:
                    self._pairs.setdefault((words[0], words[1]), []).append(entry)
            self._regexes.extend((key, regex) for regex in pattern.regexes)
        self._lengths = tuple(sorted(self._prefix))

    def scan(self, text: str) -> dict[str, str]:
        """For every pattern key that matches, the first stretch of ``text`` it matched."""
        spans = [(m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
        hits: dict[str, str] = {}
        last = len(spans) - 1
        for i, (word, _, _) in enumerate(spans):
            entries = self._exact.get(word)
            if entries:
                self._extend(entries, spans, i, text, hits)
            if i < last:
                entries = self._pairs.get((word, spans[i + 1][0]))
                if entries:
                    self._extend(entries, spans, i, text, hits)
            for length in self._lengths:
                if len(word) < length:
                    break
                entries = self._prefix[length].get(word[:length])
                if entries:
                    self._extend(entries, spans, i, text, hits)
        for key, regex in self._regexes:
            if key not in hits and (m := regex.search(text)):
                hits[key] = m.group(0) or regex.pattern
        return hits

    @staticmethod
    def _extend(
        entries: list[_Entry], spans: list[tuple[str, int, int]], i: int, text: str, hits: dict[str, str]
    ) -> None:
        for key, words, prefix in entries:
            if key in hits:
                continue
            last = i + len(words) - 1
            if last >= len(spans):
                continue
            if any(spans[i + k][0] != words[k] for k in range(1, len(words) - 1)):
                continue
            tail = spans[last][0]
            if len(words) > 1 and not (tail.startswith(words[-1]) if prefix else tail == words[-1]):
                continue
            hits[key] = text[spans[i][1] : spans[last][2]]


class Rule(Pattern):
    """A named pattern; the name is what reasons, cards and the audit show."""

    name: str

    @field_validator("name")
    @classmethod
    def _name_is_a_word(cls, name: str) -> str:
        if not _RULE_NAME.match(name):
            raise ValueError(f"rule name {name!r} may hold only letters, digits, '_', '.' and '-'")
        return name


class Cue(Rule):
    """A sign that a mention needs a reply (positive weight) or does not (negative weight).

    ``explains: false`` keeps a structural cue (an @mention, a question mark) out of the reasons people
    read; it still counts in the score.
    """

    weight: float
    explains: bool = True


__all__ = ["Cue", "Matcher", "Pattern", "Rule", "Strict", "Term", "check_regexes"]
