"""The playbook's ``crisis:`` section: who leadership is, what counts as a fire, what goes out.

Like the rest of the playbook, every model forbids unknown keys so a typo is an error with its line.
Every default is a named constant here, with its unit in its name, so a playbook author can read what
the bridge will do when a key is left out.
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bridge.playbook.homes import home
from bridge.playbook.placeholders import (
    BULK_PLACEHOLDERS,
    CHANNEL_NAME_FIELDS,
    STATEMENT_PLACEHOLDERS,
    bulk_sample,
    channel_sample,
    statement_sample,
)
from bridge.playbook.templates import render_strict

__all__ = [
    "DEFAULT_BASELINE_ALPHA",
    "DEFAULT_BULK_POSTS_PER_WINDOW",
    "DEFAULT_BULK_REPLY_TEMPLATE",
    "DEFAULT_BULK_WINDOW_MINUTES",
    "DEFAULT_CALM_MINUTES",
    "DEFAULT_CLUSTER_MIN_MENTIONS",
    "DEFAULT_FACTOR_K",
    "DEFAULT_INCIDENT_CHANNEL_NAME",
    "DEFAULT_MASS_UPDATE_SECONDS",
    "DEFAULT_MIN_MENTIONS",
    "DEFAULT_NEGATIVE_SHARE_JUMP",
    "DEFAULT_REALERT_STEP",
    "DEFAULT_STATEMENT_TEMPLATE",
    "DEFAULT_WINDOW_MINUTES",
    "MAX_FORMAT_WIDTH",
    "X_POSTS_PER_WINDOW_LIMIT",
    "ClusterRule",
    "CrisisRule",
    "CrisisRules",
    "Leadership",
    "Thresholds",
]

DEFAULT_WINDOW_MINUTES = 15
DEFAULT_MIN_MENTIONS = 20
DEFAULT_FACTOR_K = 4.0
DEFAULT_NEGATIVE_SHARE_JUMP = 0.3
DEFAULT_REALERT_STEP = 2.0  # re-alert each time the window's count reaches 2× the count last alerted
DEFAULT_CALM_MINUTES = 30
DEFAULT_CLUSTER_MIN_MENTIONS = 15
DEFAULT_BASELINE_ALPHA = 0.3  # weight of the newest week in the hour-of-week moving average
#: X lets one user post 100 times per 15 minutes; bulk replies leave room for the desk's own answers.
X_POSTS_PER_WINDOW_LIMIT = 100
DEFAULT_BULK_POSTS_PER_WINDOW = 90
DEFAULT_BULK_WINDOW_MINUTES = 15
DEFAULT_MASS_UPDATE_SECONDS = 1.0  # a mass-issue card changes at most this often
DEFAULT_INCIDENT_CHANNEL_NAME = "incident-{date}-{topic}"
DEFAULT_STATEMENT_TEMPLATE = (
    "An update from {{ brand.name }} about the {{ topic }}: we know many of you are affected and we are "
    "sorry. We are working on it now and will post the next update here."
)
#: A width or precision in ``incident_channel_name`` (``{id:03}``) stays small: names are ≤ 80 chars.
MAX_FORMAT_WIDTH = 99
DEFAULT_BULK_REPLY_TEMPLATE = (
    "Hi @{{ author.handle }}, we're sorry for the trouble. Here is what we know and what to do: "
    "{{ statement.url }}"
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class Leadership(_Strict):
    """The people who receive alerts and sign off the statement, and the channel they read."""

    slack_channel: str | None = None
    teams_channel: str | None = None
    approvers: list[str] = Field(min_length=1)
    members: list[str] = Field(default_factory=list)  # may acknowledge, dismiss, start and close

    @model_validator(mode="after")
    def _needs_a_channel(self) -> Leadership:
        if not (self.slack_channel or self.teams_channel):
            raise ValueError("leadership needs a slack_channel or a teams_channel")
        if len({*self.approvers, *self.members}) < 2:
            raise ValueError(
                "the statement always needs four eyes: name a second person in leadership "
                "(another approver, or a member who can write a version for the approver to sign off)"
            )
        return self

    @property
    def chat(self) -> str:
        return "slack" if self.slack_channel else "teams"

    @property
    def channel(self) -> str:
        return self.slack_channel or self.teams_channel or ""

    def home(self, running: Collection[str]) -> tuple[str, str]:
        """Leadership's (chat, channel) in a chat platform this deployment runs, so a playbook naming
        both a Slack and a Teams channel alerts leadership wherever the bridge is connected; the
        playbook's first choice when neither runs (posting then fails, saying which is missing)."""
        return home(self, running or None) or (self.chat, self.channel)

    def may_act(self, user: str) -> bool:
        return user in self.approvers or user in self.members

    def may_approve(self, user: str) -> bool:
        return user in self.approvers


class Thresholds(_Strict):
    """When a topic's volume is a fire, and when it has calmed down again."""

    window_minutes: int = Field(default=DEFAULT_WINDOW_MINUTES, ge=1, le=180)
    min_mentions: int = Field(default=DEFAULT_MIN_MENTIONS, ge=1)
    factor_k: float = Field(default=DEFAULT_FACTOR_K, ge=1.0)
    negative_share_jump: float | None = Field(default=DEFAULT_NEGATIVE_SHARE_JUMP, gt=0.0, le=1.0)
    realert_step: float = Field(default=DEFAULT_REALERT_STEP, gt=1.0)
    calm_minutes: int = Field(default=DEFAULT_CALM_MINUTES, ge=1)


class CrisisRule(Thresholds):
    """A named topic (``recall``) found by keywords; its baseline is learned per hour of the week."""

    topic: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    keywords: list[str] = Field(min_length=1)

    @cached_property
    def keyword_pattern(self) -> re.Pattern[str]:
        words = "|".join(re.escape(k.casefold()) for k in self.keywords)
        return re.compile(rf"(?<!\w)(?:{words})(?!\w)")

    def matches(self, folded_text: str) -> bool:
        return self.keyword_pattern.search(folded_text) is not None


class ClusterRule(Thresholds):
    """Bursts of near-duplicate mentions that match no named topic. Clusters are new by nature, so
    they have no baseline: ``min_mentions`` within ``window_minutes`` is what raises the alert."""

    enabled: bool = True
    min_mentions: int = Field(default=DEFAULT_CLUSTER_MIN_MENTIONS, ge=2)


class CrisisRules(_Strict):
    leadership: Leadership
    rules: list[CrisisRule] = Field(default_factory=list)
    clusters: ClusterRule = Field(default_factory=ClusterRule)
    statement_account: Literal["main", "care"] = "main"
    statement_template: str = DEFAULT_STATEMENT_TEMPLATE
    bulk_reply_template: str = DEFAULT_BULK_REPLY_TEMPLATE
    incident_channel: str | None = None  # an existing channel every incident uses
    incident_channel_name: str = DEFAULT_INCIDENT_CHANNEL_NAME  # else the bridge opens one by this name
    bulk_posts_per_window: int = Field(
        default=DEFAULT_BULK_POSTS_PER_WINDOW, ge=1, le=X_POSTS_PER_WINDOW_LIMIT
    )
    bulk_window_minutes: int = Field(default=DEFAULT_BULK_WINDOW_MINUTES, ge=1)
    baseline_alpha: float = Field(default=DEFAULT_BASELINE_ALPHA, gt=0.0, le=1.0)
    mass_update_seconds: float = Field(default=DEFAULT_MASS_UPDATE_SECONDS, ge=0.0)

    @field_validator("statement_template")
    @classmethod
    def _statement_renders(cls, text: str) -> str:
        """Rendered once with sample values, as desk templates are: an error here, not raw Jinja in the
        statement's first draft."""
        render_strict(text, statement_sample(), STATEMENT_PLACEHOLDERS)
        return text

    @field_validator("bulk_reply_template")
    @classmethod
    def _bulk_reply_renders(cls, text: str) -> str:
        render_strict(text, bulk_sample(), BULK_PLACEHOLDERS)
        return text

    @field_validator("incident_channel_name")
    @classmethod
    def _channel_name_formats(cls, pattern: str) -> str:
        known = ", ".join(f"{{{f}}}" for f in CHANNEL_NAME_FIELDS)
        try:
            fields = list(string.Formatter().parse(pattern))
        except ValueError as exc:
            raise ValueError(f"not a valid name pattern: {exc}; placeholders: {known}") from None
        for _, field, spec, conversion in fields:
            if field is None:
                continue
            if field not in CHANNEL_NAME_FIELDS:
                raise ValueError(f"unknown placeholder {{{field}}}; known: {known}")
            if conversion or re.search(r"[{}]|\d{3,}", spec or ""):
                raise ValueError(
                    f"{{{field}}} may take a short format ({{id:03}}) but no conversion, nested field or "
                    f"width over {MAX_FORMAT_WIDTH}"
                )
        try:
            pattern.format(**channel_sample())
        except (ValueError, TypeError) as exc:
            raise ValueError(f"cannot fill in the name: {exc}; placeholders: {known}") from None
        return pattern

    @model_validator(mode="after")
    def _topics_are_unique(self) -> CrisisRules:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.topic in seen:
                raise ValueError(f"crisis topic {rule.topic!r} is defined twice")
            seen.add(rule.topic)
        return self

    def rule_for(self, text: str) -> CrisisRule | None:
        """The first named topic whose keywords the text contains (playbook order decides)."""
        folded = text.casefold()
        return next((rule for rule in self.rules if rule.matches(folded)), None)

    def thresholds(self, topic: str) -> Thresholds:
        """The rule for a topic name; clusters (``cluster-…``) share the cluster rule."""
        return next((rule for rule in self.rules if rule.topic == topic), self.clusters)
