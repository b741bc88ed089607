"""The dashboard's filters: a page's query string read into a KPI cut or a case search.

Bad values never fail a page: a date that does not parse is dropped and said so above the figures,
so a hand-edited address still shows something true about what was asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bridge.reports.kpis import Cut
from bridge.store.history import Search

__all__ = ["CUT_FIELDS", "DEFAULT_DAYS", "Filters", "read_filters", "read_search"]

DEFAULT_DAYS = 30
CUT_FIELDS = ("platform", "department", "expert", "service_model", "verdict")
SEARCH_LIMIT = 100


@dataclass(frozen=True)
class Filters:
    cut: Cut
    since_text: str
    until_text: str
    problems: tuple[str, ...] = field(default_factory=tuple)

    def query(self) -> dict[str, str]:
        """The filters as a query string's fields (for links to other pages)."""
        out = {"since": self.since_text, "until": self.until_text}
        out.update({name: getattr(self.cut, name) for name in CUT_FIELDS if getattr(self.cut, name)})
        return out


def _day(text: str, name: str, problems: list[str]) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        problems.append(f"{name} {text!r} is not a date like 2026-11-30: ignored")
        return None


def read_filters(query: Mapping[str, str], now: datetime) -> Filters:
    """Period (``since``/``until``, days, UTC; default the last 30 days) and the cut's fields."""
    problems: list[str] = []
    since = _day(query.get("since", ""), "since", problems)
    until = _day(query.get("until", ""), "until", problems)
    if since is None:
        since = (now - timedelta(days=DEFAULT_DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    until_end = until + timedelta(days=1) if until is not None else None  # the day named is included
    values = {name: query.get(name, "").strip() for name in CUT_FIELDS}
    cut = Cut(since=since, until=until_end, **values)
    return Filters(cut, since.date().isoformat(), until.date().isoformat() if until else "", tuple(problems))


def read_search(query: Mapping[str, str]) -> tuple[Search, list[str]]:
    problems: list[str] = []
    since = _day(query.get("since", ""), "since", problems)
    until = _day(query.get("until", ""), "until", problems)
    search = Search(
        handle=query.get("handle", "").strip(),
        text=query.get("text", "").strip(),
        department=query.get("department", "").strip(),
        state=query.get("state", "").strip(),
        since=since,
        until=until + timedelta(days=1) if until else None,
        limit=SEARCH_LIMIT,
    )
    return search, problems
