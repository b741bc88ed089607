"""The backlog: cases open now, and how old they are, read live from Redis (they are not history yet)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bridge.reports.kpis import Cut, Figure
from bridge.store.cases import Store
from bridge.store.transitions import text as _s

__all__ = ["Backlog", "OpenCase", "backlog"]

_FIELDS = ("created_at", "platform", "department", "claimant", "verdict", "state")


@dataclass(frozen=True)
class OpenCase:
    number: int
    created_at: datetime
    platform: str
    department: str
    expert: str
    verdict: str
    state: str


@dataclass(frozen=True)
class Backlog:
    cases: tuple[OpenCase, ...]
    now: datetime

    def ages_minutes(self) -> list[float]:
        return [max(0.0, (self.now - c.created_at).total_seconds() / 60) for c in self.cases]

    def figures(self) -> list[Figure]:
        ages = self.ages_minutes()
        return [
            Figure("backlog", float(len(ages)), "cases", len(ages)),
            Figure("backlog_oldest", max(ages) if ages else None, "minutes", len(ages)),
            Figure("backlog_average_age", sum(ages) / len(ages) if ages else None, "minutes", len(ages)),
        ]

    def by_department(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for case in self.cases:
            out[case.department] = out.get(case.department, 0) + 1
        return dict(sorted(out.items()))


def backlog(store: Store, now: datetime, cut: Cut | None = None) -> Backlog:
    """The open cases that ``cut`` selects (its period is ignored: open is now)."""
    numbers = store.open_cases()
    pipe = store.r.pipeline(transaction=False)
    for number in numbers:
        pipe.hmget(store.k("case", number), *_FIELDS)
    found = []
    equal = cut.equals() if cut else {}
    for number, values in zip(numbers, pipe.execute() if numbers else [], strict=True):
        created, platform, department, expert, verdict, state = (_s(v) if v else "" for v in values)
        if not created:
            continue
        case = OpenCase(number, datetime.fromisoformat(created), platform, department, expert, verdict, state)
        if all(getattr(case, name, "") == value for name, value in equal.items() if name != "service_model"):
            found.append(case)
    return Backlog(tuple(found), now)
