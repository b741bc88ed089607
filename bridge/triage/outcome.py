"""The words of a triage outcome: verdict, kind, polarity, priority, and what goes in and comes out."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    RESPOND = "respond"  # a person answers
    MONITOR = "monitor"  # trolls and abuse: tracked, not answered
    IGNORE = "ignore"  # spam, bots, our own posts, retweets without text
    NOISE = "noise"  # praise and chatter: tagged for insight


class Polarity(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"
    UNKNOWN = "unknown"  # written in a language the sentiment model does not read


class Kind(StrEnum):
    SERVICE = "service"  # a customer's problem: the care handle answers
    BRAND = "brand"  # about the company itself: tone and the main account matter


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


@dataclass(frozen=True)
class TriageInput:
    """What triage needs to know about one mention; adapters' mentions are turned into this."""

    text: str
    author_id: str
    author_handle: str
    author_followers: int = 0
    is_own_account: bool = False
    is_retweet: bool = False
    lang_hint: str | None = None


@dataclass(frozen=True)
class Triage:
    """The outcome for one mention; ``reasons`` explain every part of it, in order."""

    verdict: Verdict
    kind: Kind
    sentiment: float  # VADER's compound score; 0.0 when ``polarity`` is unknown
    language: str
    tags: tuple[str, ...]
    priority: Priority
    reasons: tuple[str, ...]
    reply_score: float = 0.0
    gets_card: bool = False
    polarity: Polarity = Polarity.NEUTRAL
    needs: tuple[str, ...] = ()  # the need rules that matched: why a person should look

    @property
    def sentiment_known(self) -> bool:
        return self.polarity is not Polarity.UNKNOWN

    @property
    def needs_reply(self) -> bool:
        return self.verdict is Verdict.RESPOND


__all__ = ["Kind", "Polarity", "Priority", "Triage", "TriageInput", "Verdict"]
