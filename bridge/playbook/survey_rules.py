"""The playbook's ``surveys:`` and ``measure:`` sections: asking customers how we did, and tracking
the links in our answers.

``surveys`` asks a resolved case's customer for CSAT (1–5) and/or NPS (0–10) by private message,
``delay_minutes`` after the case was answered or resolved, at most once per customer per
``once_per_customer_days``; the wording is a playbook template with the usual placeholders. Without
the section nobody is asked anything. ``measure.tracked_links`` rewrites every link in an approved
answer to the bridge's own short redirect, so clicks and conversions count per case. Both are off
unless the playbook turns them on: asking customers and counting their clicks must be chosen.
``measure.engagement_hours`` (on, 24 hours, by default; 0 turns it off) reads back the likes, replies
and reposts of each public answer that long after it was posted: only our own posts' public counts.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bridge.playbook.loader import Loc, problems_at
from bridge.playbook.templates import check_template

__all__ = [
    "DEFAULT_CSAT_QUESTION",
    "DEFAULT_NPS_QUESTION",
    "PRIVATE_MESSAGE_PLATFORMS",
    "MeasureRules",
    "SurveyRules",
]

DEFAULT_CSAT_QUESTION = (
    "Hi {{ author.name }}, thanks for talking to {{ brand.name }} about {{ case.ref }}. How happy are you "
    "with the help you got, from 1 (not at all) to 5 (very)? Just reply with a number, and a few words "
    "if you like."
)
DEFAULT_NPS_QUESTION = (
    "One more, if you have a moment: how likely are you to recommend {{ brand.name }} to a friend, "
    "from 0 (not at all) to 10 (extremely)? Reply with a number."
)
DEFAULT_SURVEY_DELAY_MINUTES = 60
DEFAULT_ONCE_PER_CUSTOMER_DAYS = 30
DEFAULT_ANSWER_DAYS = 7
DEFAULT_LINK_DAYS = 365
DEFAULT_ENGAGEMENT_HOURS = 24.0
#: Platforms the bridge can reach customers on privately.
PRIVATE_MESSAGE_PLATFORMS = ("x", "mastodon", "bluesky", "facebook", "instagram")


class SurveyRules(BaseModel):
    """``platforms`` limits the surveys to those named (unset: every platform with private messages)."""

    model_config = ConfigDict(extra="forbid")

    csat: bool = True
    nps: bool = False
    delay_minutes: int = Field(default=DEFAULT_SURVEY_DELAY_MINUTES, ge=0, le=7 * 24 * 60)
    once_per_customer_days: int = Field(default=DEFAULT_ONCE_PER_CUSTOMER_DAYS, ge=1)
    answer_days: int = Field(default=DEFAULT_ANSWER_DAYS, ge=1)  # how long a reply still counts
    platforms: list[str] | None = None
    csat_question: str = DEFAULT_CSAT_QUESTION
    nps_question: str = DEFAULT_NPS_QUESTION

    _checked = field_validator("csat_question", "nps_question")(check_template)

    @field_validator("platforms")
    @classmethod
    def _known_platforms(cls, platforms: list[str] | None) -> list[str] | None:
        unknown = [p for p in platforms or [] if p not in PRIVATE_MESSAGE_PLATFORMS]
        if unknown:
            raise ValueError(
                f"unknown platform {', '.join(unknown)} (expected: {', '.join(PRIVATE_MESSAGE_PLATFORMS)})"
            )
        return platforms

    @model_validator(mode="after")
    def _asks_something(self) -> SurveyRules:
        if not (self.csat or self.nps):
            found: list[tuple[Loc, str]] = [
                (("csat",), "a survey asks csat: true or nps: true (or remove the surveys: section)")
            ]
            raise problems_at("SurveyRules", found)
        return self

    def kinds(self) -> list[str]:
        """What is asked, in order: CSAT first, then NPS once CSAT is answered."""
        return [kind for kind, on in (("csat", self.csat), ("nps", self.nps)) if on]

    def asks_on(self, platform: str) -> bool:
        return self.platforms is None or platform in self.platforms

    def question(self, kind: str) -> str:
        return self.csat_question if kind == "csat" else self.nps_question


class MeasureRules(BaseModel):
    """``tracked_links``: links in approved answers go through ``<BRIDGE_PUBLIC_URL>/r/<token>``,
    which redirects and counts a click; a link keeps working ``link_days`` after it was drafted.
    ``engagement_hours``: how long after a public answer is posted the bridge reads back its likes,
    replies and reposts from the platform (0: never). On by default: it reads only our own posts'
    public counts, nothing about the customer."""

    model_config = ConfigDict(extra="forbid")

    tracked_links: bool = False
    link_days: int = Field(default=DEFAULT_LINK_DAYS, ge=1)
    engagement_hours: float = Field(default=DEFAULT_ENGAGEMENT_HOURS, ge=0, le=90 * 24)
