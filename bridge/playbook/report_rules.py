"""The playbook's ``reports:`` section: KPI targets, the forecast's settings, and the scheduled digests.

``weekly`` goes to leadership (by default the crisis section's leadership channel, else the social
team's), ``daily`` to the social team's channel; each can name its own channels, a time and (weekly)
a day. Times are in the desk's zone (``hours.timezone``), UTC without hours. Without the section
nothing is posted and the targets are the defaults below.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bridge.playbook.hours import DAYS

__all__ = [
    "DEFAULT_FORECAST_WEEKS",
    "DEFAULT_HANDLING_MINUTES",
    "DEFAULT_SERVICE_LEVEL_PERCENT",
    "DEFAULT_SLA_ATTAINMENT_PERCENT",
    "Digest",
    "ReportRules",
    "ReportTargets",
]

DEFAULT_SLA_ATTAINMENT_PERCENT = 90.0
DEFAULT_SERVICE_LEVEL_PERCENT = 80.0
DEFAULT_FORECAST_WEEKS = 8
DEFAULT_HANDLING_MINUTES = 10.0  # the staff calculation's handling time when the history has none
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReportTargets(_Strict):
    sla_attainment_percent: float = Field(default=DEFAULT_SLA_ATTAINMENT_PERCENT, ge=0, le=100)
    csat_average: float | None = Field(default=None, ge=1, le=5)
    nps: float | None = Field(default=None, ge=-100, le=100)


class Digest(_Strict):
    """One scheduled digest: where (channels; unset: its default place), at what local time, which day."""

    slack_channel: str | None = None
    teams_channel: str | None = None
    at: str = "08:00"
    day: str = "mon"  # weekly only

    @field_validator("at")
    @classmethod
    def _time(cls, value: str) -> str:
        if not _TIME.match(value.strip()):
            raise ValueError(f"{value!r} is not a time of day like 08:00")
        return value.strip()

    @field_validator("day")
    @classmethod
    def _day(cls, value: str) -> str:
        day = value.strip().lower()[:3]
        if day not in DAYS:
            raise ValueError(f"{value!r} is not a day (mon … sun)")
        return day

    @property
    def hour_minute(self) -> tuple[int, int]:
        hour, minute = self.at.split(":")
        return int(hour), int(minute)

    @property
    def has_channel(self) -> bool:
        return bool(self.slack_channel or self.teams_channel)


class ReportRules(_Strict):
    targets: ReportTargets = Field(default_factory=ReportTargets)
    weekly: Digest | None = None  # to leadership
    daily: Digest | None = None  # to the social team
    forecast_weeks: int = Field(default=DEFAULT_FORECAST_WEEKS, ge=1, le=52)
    service_level_percent: float = Field(default=DEFAULT_SERVICE_LEVEL_PERCENT, gt=0, lt=100)
    handling_minutes: float = Field(default=DEFAULT_HANDLING_MINUTES, gt=0)
