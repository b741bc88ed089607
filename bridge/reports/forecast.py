"""Next week's volume by hour, and the staff it implies: simple, documented, checkable by hand.

**Forecast** (a seasonal mean with a trend ratio). With ``counts[w][h]`` the cases created in hour
``h`` of the week (0 = Monday 00:00, the desk's zone) of each of the last ``N`` weeks::

    base[h]  = (1/N) · Σ_w counts[w][h]                       the same hour of week, averaged
    trend    = mean weekly total of the newest ⌈N/2⌉ weeks / mean weekly total of all N weeks
               (1 when there is no volume; clamped to [0.5, 2] so one odd week cannot run away)
    next[h]  = base[h] · trend

**Staff** (Erlang C, the call-centre model of one queue served by ``n`` interchangeable people). For
an hour with ``λ`` cases per hour and a mean handling time ``AHT`` (seconds), the offered load is
``A = λ · AHT / 3600`` erlangs. With ``n > A`` people, the probability that a case has to wait is::

    P_wait(n, A) = (Aⁿ/n! · n/(n−A)) / (Σ_{k=0}^{n−1} Aᵏ/k! + Aⁿ/n! · n/(n−A))

and the share answered within the target ``T`` seconds is::

    SL(n) = 1 − P_wait(n, A) · exp(−(n − A) · T / AHT)

The staff an hour needs is the smallest ``n > A`` with ``SL(n) ≥`` the playbook's service level (80 %
by default); an hour with no forecast volume needs nobody. The sums are computed with the usual
stable recurrence (no factorials), so large loads do not overflow.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "MAX_STAFF",
    "TREND_LIMITS",
    "Forecast",
    "erlang_c_wait",
    "forecast",
    "service_level",
    "staff_for",
    "staff_plan",
]

TREND_LIMITS = (0.5, 2.0)
MAX_STAFF = 500


@dataclass(frozen=True)
class Forecast:
    per_hour: tuple[float, ...]  # 168 expected cases, Monday 00:00 first
    trend: float
    weeks: int  # how many weeks of history it stands on

    @property
    def total(self) -> float:
        return sum(self.per_hour)


def forecast(counts: Sequence[Sequence[int]]) -> Forecast:
    """The next week's expected cases per hour of week from ``counts`` (oldest week first)."""
    weeks = len(counts)
    if not weeks:
        return Forecast(tuple([0.0] * 168), 1.0, 0)
    base = [sum(week[h] for week in counts) / weeks for h in range(168)]
    totals = [sum(week) for week in counts]
    recent = totals[-math.ceil(weeks / 2) :]
    overall = sum(totals) / weeks
    trend = (sum(recent) / len(recent)) / overall if overall else 1.0
    trend = min(max(trend, TREND_LIMITS[0]), TREND_LIMITS[1])
    return Forecast(tuple(b * trend for b in base), trend, weeks)


def erlang_c_wait(agents: int, load: float) -> float:
    """P_wait(n, A): the chance a case waits with ``agents`` people and ``load`` erlangs (1 if n ≤ A)."""
    if load <= 0:
        return 0.0
    if agents <= load:
        return 1.0
    # Erlang B by recurrence: B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)); then C from B
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return agents * b / (agents - load * (1 - b))


def service_level(agents: int, load: float, aht_seconds: float, target_seconds: float) -> float:
    """SL(n): the share of cases answered within ``target_seconds``."""
    if load <= 0:
        return 1.0
    if agents <= load:
        return 0.0
    wait = erlang_c_wait(agents, load)
    return 1.0 - wait * math.exp(-(agents - load) * target_seconds / aht_seconds)


def staff_for(cases_per_hour: float, aht_seconds: float, target_seconds: float, level: float) -> int:
    """The fewest people that answer ``level`` (0–1) of cases within the target in such an hour."""
    if cases_per_hour <= 0 or aht_seconds <= 0:
        return 0
    load = cases_per_hour * aht_seconds / 3600
    agents = max(1, math.floor(load) + 1)
    while agents < MAX_STAFF and service_level(agents, load, aht_seconds, target_seconds) < level:
        agents += 1
    return agents


def staff_plan(plan: Forecast, aht_seconds: float, target_seconds: float, level: float) -> tuple[int, ...]:
    """People needed in each hour of next week for ``plan``."""
    return tuple(staff_for(n, aht_seconds, target_seconds, level) for n in plan.per_hour)
