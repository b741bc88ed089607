"""When a topic's window is a fire, when to re-alert, and when it has calmed down: pure decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bridge.crisis.counts import Baseline, WindowStats
from bridge.crisis.detector import AlertSnapshot, Example, Verdict, decide, explain
from bridge.playbook.crisis_rules import CrisisRule

NOW = datetime(2025, 3, 3, 14, 5, tzinfo=UTC)
RULE = CrisisRule(
    topic="recall",
    keywords=["recall"],
    window_minutes=15,
    min_mentions=12,
    factor_k=4,
    negative_share_jump=0.3,
    realert_step=2,
    calm_minutes=30,
)


def window(
    count: int, hourly: float = 4.0, negative: int = 0, negative_share: float | None = 0.1
) -> WindowStats:
    baseline = Baseline(hourly, "same hour of week", 3, negative_share)
    return WindowStats("recall", 0, 15, count, negative, count * 500, baseline)


def test_a_quiet_window_raises_nothing() -> None:
    assert decide(RULE, window(3), None, NOW).verdict == Verdict.NONE


def test_volume_at_k_times_the_baseline_and_the_minimum_raises_an_alert_with_its_reasons() -> None:
    decision = decide(RULE, window(12), None, NOW)  # usual 1.0 in 15 min; 12 ≥ 4× and ≥ 12
    assert decision.verdict == Verdict.RAISE
    assert decision.reasons == ("12 mentions in 15 min ≥ 4× the usual 1.0 and ≥ 12",)


def test_below_the_minimum_nothing_is_raised_however_unusual() -> None:
    assert decide(RULE, window(11, hourly=0.0), None, NOW).verdict == Verdict.NONE


def test_many_mentions_at_a_busy_hour_are_not_a_fire() -> None:
    assert decide(RULE, window(30, hourly=40.0), None, NOW).verdict == Verdict.NONE  # usual 10, 30 < 40


def test_a_jump_in_the_negative_share_raises_even_at_usual_volume() -> None:
    decision = decide(RULE, window(30, hourly=40.0, negative=15), None, NOW)
    assert decision.verdict == Verdict.RAISE
    assert "negative share 50% is 40% above the usual 10%" in decision.reasons[0]


def test_the_negative_share_is_not_judged_without_a_learned_share() -> None:
    stats = window(30, hourly=40.0, negative=30, negative_share=None)
    assert decide(RULE, stats, None, NOW).verdict == Verdict.NONE


def test_an_open_alert_re_alerts_only_when_the_count_grows_by_the_step() -> None:
    open_alert = AlertSnapshot(last_count=12, quiet_since=None)
    assert decide(RULE, window(23), open_alert, NOW).verdict == Verdict.HOT
    assert decide(RULE, window(24), open_alert, NOW).verdict == Verdict.REALERT
    dismissed = AlertSnapshot(last_count=12, quiet_since=None, dismissed=True)
    assert decide(RULE, window(40), dismissed, NOW).verdict == Verdict.HOT


def test_an_alert_calms_down_after_calm_minutes_below_its_thresholds() -> None:
    just_quiet = AlertSnapshot(last_count=12, quiet_since=None)
    assert decide(RULE, window(2), just_quiet, NOW).verdict == Verdict.QUIET
    quiet = AlertSnapshot(last_count=12, quiet_since=NOW - timedelta(minutes=29))
    assert decide(RULE, window(2), quiet, NOW).verdict == Verdict.QUIET
    long_quiet = AlertSnapshot(last_count=12, quiet_since=NOW - timedelta(minutes=30))
    assert decide(RULE, window(2), long_quiet, NOW).verdict == Verdict.CALM


def test_the_explanation_gives_counts_window_baseline_share_reach_and_examples() -> None:
    stats = window(24, negative=18)
    examples = (
        Example("maria_k", 12_300, "my kettle is on the recall list", "https://x.com/maria_k/status/1"),
    )
    explanation = explain(stats, "recall", decide(RULE, stats, None, NOW).reasons, examples, NOW)
    assert explanation.summary() == (
        "24 mentions of recall in the last 15 min — 24× usual; 75% negative; reach 12,000 followers"
    )
    assert explanation.baseline_text() == "usually 1.0 in 15 min (4.0/h, Mon 14:00–15:00 UTC, 3 samples)"
    assert explanation.examples[0].handle == "maria_k" and len(explanation.reasons) == 2


def test_an_open_alert_is_judged_against_the_baseline_from_before_the_fire() -> None:
    burning = window(40, hourly=200.0)  # a cluster's trailing hours now include the fire itself
    assert decide(RULE, burning, None, NOW).verdict == Verdict.NONE
    frozen = AlertSnapshot(last_count=30, quiet_since=None, usual=0.5, usual_negative=0.1)
    assert decide(RULE, burning, frozen, NOW).verdict == Verdict.HOT
