"""What a department's routing rules look for, as validated playbook data.

A rule names conditions of several kinds: the text (keywords, phrases, regular expressions, hashtags,
example phrases), the language, the account that was mentioned (the main brand account or the care
handle), the author (named lists such as VIPs or press, or single handles), the kind of matter
(service issue or brand matter) and the platform the mention came from (x, mastodon, bluesky, facebook,
instagram). A rule matches when **every kind it names holds**; within the text kinds, any one listed
item is enough. A department's own keys form its first rule; ``rules:`` adds more. Rules are tried by
``priority`` (higher first), ties in playbook order.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from bridge.playbook.patterns import Pattern, check_regexes
from bridge.text.language import UNDETERMINED

Role = Literal["care", "main"]
KindName = Literal["service", "brand"]
PlatformName = Literal["x", "mastodon", "bluesky", "facebook", "instagram"]

#: An example phrase matches when the mention holds at least this share of its topic words.
DEFAULT_EXAMPLE_SHARE = 0.6
MIN_EXAMPLE_WORDS = 2
TEXT_KINDS = ("keywords", "phrases", "hashtags", "regex")


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


class RouteConditions(BaseModel):
    """The conditions one routing rule may name. Every list is optional."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    keywords: list[str] = Field(default_factory=list)  # whole words, case-insensitive; 'refund*' a prefix
    phrases: list[str] = Field(default_factory=list)  # words in this order
    regex: list[str] = Field(default_factory=list)  # Python regular expressions, case-insensitive
    hashtags: list[str] = Field(default_factory=list)  # with or without '#'
    examples: list[str] = Field(default_factory=list)  # example phrases: most of their topic words present
    languages: list[str] = Field(default_factory=list)  # ISO 639-1 codes: route to native-language teams
    accounts: list[Role] = Field(default_factory=list)  # which of our accounts was mentioned
    authors: list[str] = Field(default_factory=list)  # author_lists names, or '@handle'
    kinds: list[KindName] = Field(default_factory=list)  # service issue or brand matter
    platforms: list[PlatformName] = Field(default_factory=list)  # where the mention was posted
    priority: int = 0  # higher is tried first; a department's extra rules take its priority unless set

    _patterns: tuple[tuple[str, Pattern], ...] = PrivateAttr(default=())

    _listify = field_validator(
        "keywords",
        "phrases",
        "regex",
        "hashtags",
        "examples",
        "languages",
        "authors",
        "platforms",
        mode="before",
    )(_as_list)

    @field_validator("keywords", "phrases", "hashtags", "examples")
    @classmethod
    def _not_blank(cls, items: list[str]) -> list[str]:
        for item in items:
            if not re.search(r"\w", item):
                raise ValueError(f"{item!r} has no word to look for")
        return [item.strip() for item in items]

    @field_validator("regex")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        return check_regexes(patterns)

    @field_validator("languages")
    @classmethod
    def _codes(cls, codes: list[str]) -> list[str]:
        out = []
        for code in codes:
            folded = code.strip().lower()
            if folded != UNDETERMINED and not (len(folded) == 2 and folded.isascii() and folded.isalpha()):
                raise ValueError(f"{code!r} is not a two-letter language code (en, es, fr ...)")
            out.append(folded)
        return out

    @field_validator("authors")
    @classmethod
    def _authors(cls, names: list[str]) -> list[str]:
        for name in names:
            if not re.fullmatch(r"@?[\w.\-]+", name.strip()):
                raise ValueError(f"{name!r} is neither an author list name nor an @handle")
        return [name.strip() for name in names]

    @model_validator(mode="after")
    def _compile(self) -> RouteConditions:
        self._patterns = tuple(
            (kind, Pattern(**{kind: getattr(self, kind)})) for kind in TEXT_KINDS if getattr(self, kind)
        )
        return self

    @property
    def text_patterns(self) -> tuple[tuple[str, Pattern], ...]:
        """One compiled pattern per text kind the rule names (``keywords``, ``phrases`` ...)."""
        return self._patterns

    def names_text(self) -> bool:
        return bool(self._patterns or self.examples)

    def names_anything(self) -> bool:
        return self.names_text() or bool(
            self.languages or self.accounts or self.authors or self.kinds or self.platforms
        )

    def list_names(self) -> list[str]:
        """The author lists this rule refers to (entries without '@')."""
        return [name for name in self.authors if not name.startswith("@")]


class RouteRule(RouteConditions):
    """One more way into a department, beyond its own keys; ``name`` appears in the reasons."""

    name: str = ""

    @model_validator(mode="after")
    def _needs_a_condition(self) -> RouteRule:
        if not self.names_anything():
            raise ValueError(
                "a routing rule needs at least one of keywords, phrases, regex, hashtags, examples, "
                "languages, accounts, authors, kinds or platforms"
            )
        return self


__all__ = [
    "DEFAULT_EXAMPLE_SHARE",
    "MIN_EXAMPLE_WORDS",
    "KindName",
    "PlatformName",
    "Role",
    "RouteConditions",
    "RouteRule",
]
