"""The triage section of a playbook: its schema, defaults and how built-in rules merge with its own.

An empty section works: the built-in rules apply (word lists in :mod:`bridge.playbook.triage_words`,
complaint cues in :mod:`bridge.playbook.reply_cues`, what asks for a person in
:mod:`bridge.playbook.need_cues`), each with a name that reads well in a reason ("matched rule
spam.crypto_links"). Rules a playbook lists are added to the built-in ones; ``disabled_rules`` switches
named built-ins off and ``builtin_rules: false`` drops them all. Every model forbids unknown keys, and
every regex is compiled on load, so a typo or a bad pattern is an error that names its key instead of a
rule that silently never fires.
"""

from __future__ import annotations

from pydantic import Field, PrivateAttr, field_validator, model_validator

from bridge.playbook.need_cues import DEFAULT_NEED_RULES
from bridge.playbook.patterns import Cue, Matcher, Pattern, Rule, Strict, check_regexes
from bridge.playbook.reply_cues import (
    DEFAULT_NEGATIVE_QUESTION_WEIGHT,
    DEFAULT_NEGATIVE_SENTIMENT_WEIGHT,
    DEFAULT_POSITIVE_SENTIMENT_WEIGHT,
    DEFAULT_REPLY_BIAS,
    DEFAULT_REPLY_CUES,
    DEFAULT_REPLY_THRESHOLD,
    NEGATIVE_QUESTION,
)
from bridge.playbook.triage_words import (
    DEFAULT_ABUSE_RULES,
    DEFAULT_BRAND_RULES,
    DEFAULT_NOISE_RULES,
    DEFAULT_SPAM_RULES,
    DEFAULT_TAGGERS,
    DEFAULT_URGENT_WORDS,
)
from bridge.text.language import LANGUAGE_CANDIDATES, known_language

DEFAULT_HIGH_REACH_FOLLOWERS = 10_000
DEFAULT_NEGATIVE_BELOW = -0.05  # VADER's own cut-offs for a negative / positive compound score
DEFAULT_POSITIVE_ABOVE = 0.05
DEFAULT_MAX_ANALYSED_CHARS = 5_000
DEFAULT_ABUSE_REPLY_MARGIN = 1.5
DEFAULT_REPLY_LANGUAGES = ("en",)  # the languages the built-in complaint cues are written in


class ReplyModel(Strict):
    """Whether a mention needs a reply: bias + matched cue weights + sentiment weights ≥ threshold."""

    bias: float = DEFAULT_REPLY_BIAS
    threshold: float = DEFAULT_REPLY_THRESHOLD
    negative_sentiment_weight: float = DEFAULT_NEGATIVE_SENTIMENT_WEIGHT
    positive_sentiment_weight: float = DEFAULT_POSITIVE_SENTIMENT_WEIGHT
    negative_question_weight: float = DEFAULT_NEGATIVE_QUESTION_WEIGHT  # reply.negative_question
    cues: list[Cue] = Field(default_factory=list)


class TriageRules(Strict):
    """The triage section of a playbook. Rule lists add to the built-in ones named ``DEFAULT_*``."""

    builtin_rules: bool = True  # false: only the rules listed here apply
    disabled_rules: list[str] = Field(default_factory=list)  # names of built-in rules to switch off
    spam: list[Rule] = Field(default_factory=list)  # -> ignore
    abuse: list[Rule] = Field(default_factory=list)  # -> monitor (respond if it also reports a problem)
    needs: list[Rule] = Field(default_factory=list)  # -> respond: the mention asks for something
    noise: list[Rule] = Field(default_factory=list)  # named reasons for noise (praise, acknowledgements)
    brand_matter: list[Rule] = Field(default_factory=list)  # kind brand instead of service
    taggers: dict[str, Pattern] = Field(default_factory=dict)  # tag name -> what earns it
    urgent_words: list[str] = Field(default_factory=list)  # raise priority
    reply: ReplyModel = Field(default_factory=ReplyModel)  # what needs a reply
    ignore_authors: list[str] = Field(default_factory=list)  # handles of bots and partners, without '@'
    ignore_retweets_without_text: bool = True
    noise_gets_card: bool = False  # noise is tagged for insight; true also posts a card
    questions_need_reply: bool = True  # questions addressed to the brand get a person; false: complaints only
    abuse_reply_margin: float = DEFAULT_ABUSE_REPLY_MARGIN  # reply score above threshold that outweighs abuse
    high_reach_followers: int = Field(default=DEFAULT_HIGH_REACH_FOLLOWERS, ge=0)
    negative_below: float = Field(default=DEFAULT_NEGATIVE_BELOW, ge=-1, le=1)  # VADER compound
    positive_above: float = Field(default=DEFAULT_POSITIVE_ABOVE, ge=-1, le=1)
    languages: list[str] = Field(
        default_factory=lambda: list(LANGUAGE_CANDIDATES)
    )  # what detection picks from
    reply_languages: list[str] = Field(
        default_factory=lambda: list(DEFAULT_REPLY_LANGUAGES)
    )  # others: a person
    max_analysed_chars: int = Field(default=DEFAULT_MAX_ANALYSED_CHARS, gt=0)

    _urgent: Pattern | None = PrivateAttr(default=None)

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, languages: list[str]) -> list[str]:
        unknown = [code for code in languages if not known_language(code)]
        if unknown:
            raise ValueError(
                f"the language detector does not know {unknown}; use two-letter codes (en, es …)"
            )
        return languages

    @field_validator("urgent_words")
    @classmethod
    def _urgent_words_not_blank(cls, words: list[str]) -> list[str]:
        Pattern(keywords=words or ["x"])  # same checks as a rule's keywords
        return words

    @model_validator(mode="after")
    def _check_names(self) -> TriageRules:
        builtin = {rule.name for rule in _all_builtin()}
        unknown = [name for name in self.disabled_rules if name not in builtin]
        if unknown:
            raise ValueError(f"disabled_rules names no built-in rule: {', '.join(unknown)}")
        seen: set[str] = set()
        for rule in (
            *self.spam_rules,
            *self.abuse_rules,
            *self.need_rules,
            *self.noise_rules,
            *self.brand_rules,
            *self.reply_cues,
        ):
            if rule.name in seen:
                raise ValueError(f"two rules are named {rule.name!r}")
            seen.add(rule.name)
        if self.positive_above < self.negative_below:
            raise ValueError("positive_above must not be below negative_below")
        words = [*(DEFAULT_URGENT_WORDS if self.builtin_rules else ()), *self.urgent_words]
        self._urgent = Pattern(keywords=words) if words else None
        return self

    def _merge(self, builtin: tuple[Rule, ...], extra: list[Rule]) -> tuple[Rule, ...]:
        kept = [r for r in builtin if r.name not in self.disabled_rules] if self.builtin_rules else []
        return (*kept, *extra)

    @property
    def spam_rules(self) -> tuple[Rule, ...]:
        return self._merge(DEFAULT_SPAM_RULES, self.spam)

    @property
    def abuse_rules(self) -> tuple[Rule, ...]:
        return self._merge(DEFAULT_ABUSE_RULES, self.abuse)

    @property
    def need_rules(self) -> tuple[Rule, ...]:
        return self._merge(DEFAULT_NEED_RULES, self.needs)

    @property
    def noise_rules(self) -> tuple[Rule, ...]:
        return self._merge(DEFAULT_NOISE_RULES, self.noise)

    @property
    def brand_rules(self) -> tuple[Rule, ...]:
        return self._merge(DEFAULT_BRAND_RULES, self.brand_matter)

    @property
    def reply_cues(self) -> tuple[Cue, ...]:
        kept = (
            [c for c in DEFAULT_REPLY_CUES if c.name not in self.disabled_rules] if self.builtin_rules else []
        )
        return (*kept, *self.reply.cues)

    @property
    def all_taggers(self) -> dict[str, Pattern]:
        return {**(DEFAULT_TAGGERS if self.builtin_rules else {}), **self.taggers}

    @property
    def urgent(self) -> Pattern | None:
        return self._urgent


def _all_builtin() -> tuple[Rule, ...]:
    return (
        *DEFAULT_SPAM_RULES,
        *DEFAULT_ABUSE_RULES,
        *DEFAULT_NEED_RULES,
        *DEFAULT_NOISE_RULES,
        *DEFAULT_BRAND_RULES,
        *DEFAULT_REPLY_CUES,
    )


__all__ = [
    "DEFAULT_ABUSE_RULES",
    "DEFAULT_BRAND_RULES",
    "DEFAULT_NEED_RULES",
    "DEFAULT_NOISE_RULES",
    "DEFAULT_REPLY_CUES",
    "DEFAULT_SPAM_RULES",
    "DEFAULT_TAGGERS",
    "DEFAULT_URGENT_WORDS",
    "NEGATIVE_QUESTION",
    "Cue",
    "Matcher",
    "Pattern",
    "ReplyModel",
    "Rule",
    "Strict",
    "TriageRules",
    "check_regexes",
]
