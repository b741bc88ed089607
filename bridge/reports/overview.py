"""One report: every KPI for a cut, against the playbook's targets, with the backlog, SLA attainment per
platform and next week's forecast with the staff it implies. What ``/bridge report``, the digests
and the dashboard's overview show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bridge.playbook.model import Playbook
from bridge.reports.backlog import Backlog
from bridge.reports.forecast import Forecast, forecast, staff_plan
from bridge.reports.kpis import Cut, Figure, Targets, Totals, figures
from bridge.reports.periods import previous_weeks

if TYPE_CHECKING:
    from bridge.reports.query import Reports

__all__ = ["Overview", "PlatformSla", "overview", "targets_for"]


@dataclass(frozen=True)
class PlatformSla:
    platform: str
    target_minutes: int
    attainment: Figure


@dataclass(frozen=True)
class Overview:
    cut: Cut
    figures: tuple[Figure, ...]
    sla: tuple[PlatformSla, ...]
    backlog: Backlog | None
    forecast: Forecast
    staff: tuple[int, ...]
    handling_minutes: float  # what the staff calculation assumed

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def targets_for(playbook: Playbook, platform: str = "") -> Targets:
    """The targets figures are held against; the first-response target only for a single platform."""
    goals = playbook.reports.targets
    return Targets(
        first_response_minutes=playbook.sla.first_response_for(platform) if platform else None,
        sla_attainment_percent=goals.sla_attainment_percent,
        csat_average=goals.csat_average,
        nps=goals.nps,
    )


def _platform_sla(playbook: Playbook, by_platform: dict[str, Totals]) -> tuple[PlatformSla, ...]:
    out = []
    for platform, t in by_platform.items():
        attainment = next(f for f in figures(t, targets_for(playbook, platform)) if f.key == "sla_attainment")
        out.append(PlatformSla(platform, playbook.sla.first_response_for(platform), attainment))
    return tuple(out)


def overview(
    reports: Reports, playbook: Playbook, cut: Cut, now: datetime, live: Backlog | None = None
) -> Overview:
    """Every figure for ``cut`` as of ``now``; ``live`` adds the backlog (open cases in Redis)."""
    rules = playbook.reports
    by_platform = reports.totals_by(cut, "platform")
    shown = figures(sum(by_platform.values(), Totals()), targets_for(playbook, cut.platform))
    zone = playbook.hours.zone if playbook.hours else None
    local = now.astimezone(zone) if zone else now
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    history_cut = Cut(**{**cut.__dict__, "since": None, "until": None})
    weeks = reports.week_counts(history_cut, previous_weeks(monday, rules.forecast_weeks))
    plan = forecast(list(weeks.counts))
    handling = next(f for f in shown if f.key == "handling").value or rules.handling_minutes
    sla_minutes = min(
        (playbook.sla.first_response_for(p) for p in (by_platform or {cut.platform or "x": Totals()})),
        default=playbook.sla.first_response_for("x"),
    )
    staff = staff_plan(plan, handling * 60, sla_minutes * 60, rules.service_level_percent / 100)
    backlog_figures = tuple(live.figures()) if live is not None else ()
    return Overview(
        cut, (*shown, *backlog_figures), _platform_sla(playbook, by_platform), live, plan, staff, handling
    )
