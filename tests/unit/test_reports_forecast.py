"""The forecast and Erlang C against values worked out by hand."""

from __future__ import annotations

import pytest

from bridge.reports.forecast import erlang_c_wait, forecast, service_level, staff_for


def test_forecast_is_the_seasonal_mean_times_the_trend() -> None:
    weeks = [[0] * 168 for _ in range(4)]
    for index, volume in enumerate((10, 10, 20, 20)):  # weekly totals 10, 10, 20, 20 in hour 9
        weeks[index][9] = volume
    plan = forecast(weeks)
    # base = 15; trend = mean(20, 20) / mean(10, 10, 20, 20) = 20 / 15
    assert plan.trend == pytest.approx(20 / 15)
    assert plan.per_hour[9] == pytest.approx(15 * 20 / 15)
    assert plan.per_hour[10] == 0


def test_trend_is_clamped_so_one_odd_week_cannot_run_away() -> None:
    weeks = [[0] * 168 for _ in range(2)]
    weeks[1][0] = 100
    assert forecast(weeks).trend == 2.0
    assert forecast([]).total == 0


def test_erlang_c_matches_the_textbook_example() -> None:
    # A = 2 erlangs, 3 agents: P_wait = (8/6 · 3) / (1 + 2 + 2 + 8/6 · 3) = 4/9
    assert erlang_c_wait(3, 2.0) == pytest.approx(4 / 9)
    # SL with AHT 180 s, T 20 s: 1 − 4/9 · e^(−(3−2)·20/180)
    assert service_level(3, 2.0, 180, 20) == pytest.approx(1 - 4 / 9 * 2.718281828 ** (-20 / 180))


def test_staff_is_the_fewest_people_that_meet_the_service_level() -> None:
    # 40 cases an hour, 3 min each = 2 erlangs: 3 people give SL ≈ 0.60, 4 give ≈ 0.88
    assert staff_for(40, 180, 20, 0.8) == 4
    assert staff_for(0, 180, 20, 0.8) == 0
