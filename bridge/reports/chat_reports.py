"""``/bridge report [department] [period]`` and the scheduled digests: one report, in words and a chart.

Registered with :class:`bridge.desk.commands.Commands` by the runtime: ``/bridge report 1042`` (a case
number) stays the moderation report of a case's author; anything else is a KPI report. The answer is
for the person who asked (ephemeral in Slack), the headline KPIs against the playbook's targets, each
with its definition, and a chart of cases per day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridge.desk.commands import CommandReply
from bridge.domain.clock import Clock
from bridge.domain.errors import NotAllowed
from bridge.domain.ports import ChartImage
from bridge.playbook.model import Playbook
from bridge.reports.backlog import backlog
from bridge.reports.chart import volume_chart
from bridge.reports.chart_links import Charts
from bridge.reports.kpis import Cut
from bridge.reports.overview import overview
from bridge.reports.periods import DEFAULT_PERIOD, PERIOD_HELP, Period, looks_like_period, parse_period
from bridge.reports.summary import summary_text, title_of
from bridge.store.cases import Store

if TYPE_CHECKING:
    from bridge.reports.query import Reports

__all__ = ["USAGE", "ChatReport", "ChatReports"]

USAGE = f"Usage: /bridge report [department] [period] — period: {PERIOD_HELP} (default {DEFAULT_PERIOD})."


@dataclass(frozen=True)
class ChatReport:
    title: str
    text: str
    chart: ChartImage


class ChatReports:
    def __init__(
        self,
        reports: Callable[[], Reports],
        store: Store,
        playbook: Callable[[], Playbook],
        clock: Clock,
        charts: Charts,
    ) -> None:
        self._reports = reports  # opened on first use: the history is another database
        self.store = store
        self._playbook = playbook
        self.clock = clock
        self.charts = charts

    def report(self, department: str, period: Period, with_definitions: bool = True) -> ChatReport:
        playbook = self._playbook()
        now = self.clock.now()
        cut = Cut(since=period.since, until=period.until, department=department)
        reports = self._reports()
        view = overview(reports, playbook, cut, now, live=backlog(self.store, now, cut))
        title = title_of(department, period.label)
        png = volume_chart(
            reports.daily_volume(cut), f"Cases per day · {department or 'all'} · {period.label}"
        )
        alt = f"Cases per day, {department or 'all departments'}, {period.label}"
        return ChatReport(
            title, summary_text(view, title, with_definitions), ChartImage(alt, png, self.charts.keep(png))
        )

    def command(self, user: str, args: list[str]) -> CommandReply:
        """The ``report`` subcommand: department and period in either order, both optional."""
        playbook = self._playbook()
        zone = playbook.hours.zone if playbook.hours else None
        department, period = "", None
        for word in args:
            named = playbook.department_named(word)
            if named is not None and not department:
                department = named
            elif looks_like_period(word) and period is None:
                period = parse_period(word, self.clock.now(), zone)
            else:
                known = ", ".join(sorted(playbook.departments))
                raise NotAllowed(f"{word!r} is neither a department ({known}) nor a period. {USAGE}")
        chosen = period or parse_period(DEFAULT_PERIOD, self.clock.now(), zone)
        found = self.report(department, chosen)
        return CommandReply(found.text, image=found.chart)
