"""Deciding, from a topic's window and baseline, whether leadership must hear about it now.

Pure functions over plain data, so every decision can be replayed and explained: an alert carries the
counts, the window, the baseline it was compared with, the negative share, the reach and the posts
that show what is going on. Nothing here talks to Redis or a platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bridge.crisis.counts import WindowStats, describe_slot, hour_of_week
from bridge.playbook.crisis_rules import Thresholds

__all__ = [
    "ALMOST_NONE",
    "AlertSnapshot",
    "Decision",
    "Example",
    "Explanation",
    "Verdict",
    "above_thresholds",
    "decide",
    "explain",
]

#: Fewer expected mentions per window than this reads as "almost none" rather than a huge ratio.
ALMOST_NONE = 0.1


class Verdict(StrEnum):
    NONE = "none"  # no alert, nothing to raise
    RAISE = "raise"  # a new alert
    REALERT = "realert"  # an open alert whose numbers grew by the playbook's step
    HOT = "hot"  # an open alert, still above its thresholds
    QUIET = "quiet"  # an open alert below its thresholds, not yet for long enough
    CALM = "calm"  # an open alert below its thresholds for ``calm_minutes``: send the digest


@dataclass(frozen=True)
class Example:
    """A post that shows what people are saying, with the author's reach."""

    handle: str
    followers: int
    text: str
    url: str
    case: int = 0


@dataclass(frozen=True)
class AlertSnapshot:
    """What the detector needs to know about the topic's open alert. ``usual`` and ``usual_negative``
    are the baseline when it was raised: while a fire burns it is judged against the time before it,
    not against a baseline that the fire itself is raising (a cluster's trailing hours)."""

    last_count: int
    quiet_since: datetime | None
    dismissed: bool = False
    usual: float | None = None
    usual_negative: float | None = None


@dataclass(frozen=True)
class Explanation:
    """Why an alert was raised, in figures a person can check."""

    topic: str
    label: str
    count: int
    window_minutes: int
    expected: float
    baseline_hourly: float
    baseline_source: str
    baseline_weeks: int
    slot: str
    negative_share: float
    baseline_negative_share: float | None
    reach: int
    reasons: tuple[str, ...]
    examples: tuple[Example, ...] = field(default=())

    @property
    def ratio(self) -> float | None:
        return self.count / self.expected if self.expected > 0 else None

    def baseline_text(self) -> str:
        if self.baseline_source == "not learned yet":
            return "no baseline learned yet for this topic"
        weeks = f", {self.baseline_weeks} sample{'s' if self.baseline_weeks != 1 else ''}"
        where = self.slot if self.baseline_source == "same hour of week" else "all hours so far"
        usual = f"{self.expected:.1f}" if self.expected >= ALMOST_NONE else "almost none"
        return (
            f"usually {usual} in {self.window_minutes} min "
            f"({self.baseline_hourly:.{1 if self.baseline_hourly >= 1 else 2}f}/h, {where}{weeks})"
        )

    def summary(self) -> str:
        ratio = ""
        if self.ratio is not None and self.expected >= ALMOST_NONE and self.ratio >= 1:
            ratio = f" — {self.ratio:.0f}× usual"
        elif self.baseline_source != "not learned yet":
            ratio = " — usually almost none"
        return (
            f"{self.count} mentions of {self.label} in the last {self.window_minutes} min{ratio}; "
            f"{self.negative_share:.0%} negative; reach {self.reach:,} followers"
        )


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reasons: tuple[str, ...] = ()


def above_thresholds(
    rule: Thresholds, stats: WindowStats, alert: AlertSnapshot | None = None
) -> tuple[str, ...]:
    """The reasons this window is a fire; empty when it is not."""
    if stats.count < rule.min_mentions:
        return ()
    expected = stats.baseline.expected(stats.window_minutes)
    usual_negative = stats.baseline.negative_share
    if alert is not None and alert.usual is not None:  # judged against the time before the fire
        expected, usual_negative = alert.usual, alert.usual_negative
    reasons = []
    if stats.count >= rule.factor_k * expected:
        usual = f"{rule.factor_k:g}× the usual {expected:.1f}" if expected > 0 else "no usual volume"
        reasons.append(
            f"{stats.count} mentions in {stats.window_minutes} min ≥ {usual} and ≥ {rule.min_mentions}"
        )
    if rule.negative_share_jump is not None and usual_negative is not None:
        jump = stats.negative_share - usual_negative
        if jump >= rule.negative_share_jump:
            reasons.append(
                f"negative share {stats.negative_share:.0%} is {jump:.0%} above the usual "
                f"{usual_negative:.0%} (playbook: {rule.negative_share_jump:.0%})"
            )
    return tuple(reasons)


def decide(rule: Thresholds, stats: WindowStats, alert: AlertSnapshot | None, now: datetime) -> Decision:
    """What to do about a topic given its window and its open alert (if any)."""
    reasons = above_thresholds(rule, stats, alert)
    if alert is None:
        return Decision(Verdict.RAISE, reasons) if reasons else Decision(Verdict.NONE)
    if reasons:
        if not alert.dismissed and stats.count >= alert.last_count * rule.realert_step:
            return Decision(Verdict.REALERT, reasons)
        return Decision(Verdict.HOT, reasons)
    if alert.quiet_since is not None and now - alert.quiet_since >= timedelta(minutes=rule.calm_minutes):
        return Decision(Verdict.CALM)
    return Decision(Verdict.QUIET)


def explain(
    stats: WindowStats, label: str, reasons: tuple[str, ...], examples: tuple[Example, ...], now: datetime
) -> Explanation:
    baseline = stats.baseline
    return Explanation(
        topic=stats.topic,
        label=label,
        count=stats.count,
        window_minutes=stats.window_minutes,
        expected=baseline.expected(stats.window_minutes),
        baseline_hourly=baseline.hourly,
        baseline_source=baseline.source,
        baseline_weeks=baseline.weeks,
        slot=describe_slot(hour_of_week(now)),
        negative_share=stats.negative_share,
        baseline_negative_share=baseline.negative_share,
        reach=stats.reach,
        reasons=reasons,
        examples=examples,
    )
