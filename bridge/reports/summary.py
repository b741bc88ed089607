"""A report in words for chat: the headline KPIs against their targets, each with what it means.

The bridge's own words (Slack-style ``*bold*``; no customer text ever appears in a report), used by
``/bridge report`` and the scheduled digests on every chat platform.
"""

from __future__ import annotations

from bridge.playbook.hours import DAY_TITLES
from bridge.reports.kpis import Figure
from bridge.reports.overview import Overview

__all__ = ["HEADLINE", "headline_lines", "summary_text", "title_of"]

#: The KPIs a chat report shows, in order (the dashboard shows them all).
HEADLINE = (
    "cases",
    "first_response_any",
    "first_response_human",
    "average_response",
    "resolution",
    "handling",
    "sla_attainment",
    "reopen_rate",
    "set_aside",
    "sentiment_improved",
    "csat_average",
    "nps",
    "link_conversions",
    "backlog",
    "backlog_oldest",
)


def _mark(figure: Figure) -> str:
    on = figure.on_target
    if on is None:
        return ""
    target = Figure(figure.key, figure.target, figure.unit, 0).shown()
    return f" (target {target} {'✅' if on else '⚠️'})"


def headline_lines(view: Overview, with_definitions: bool = True) -> list[str]:
    shown = {f.key: f for f in view.figures}
    lines = []
    for key in HEADLINE:
        figure = shown.get(key)
        if figure is None or (figure.value is None and key in ("csat_average", "nps", "sentiment_improved")):
            continue
        line = f"• *{figure.label}*: {figure.shown()}{_mark(figure)}"
        if with_definitions:
            line += f" — _{figure.definition}_"
        lines.append(line)
    return lines


def _sla_line(view: Overview) -> str:
    parts = [
        f"{s.platform} {s.attainment.shown()} within {s.target_minutes} min" + _mark(s.attainment)
        for s in view.sla
    ]
    return "• *SLA by platform*: " + "; ".join(parts) if parts else ""


def _forecast_line(view: Overview) -> str:
    plan = view.forecast
    if not plan.weeks or plan.total <= 0:
        return "• *Next week*: no forecast yet (no closed cases in the weeks before)."
    peak = max(range(len(plan.per_hour)), key=lambda h: plan.per_hour[h])
    return (
        f"• *Next week*: about {plan.total:.0f} cases (trend ×{plan.trend:.2f} over {plan.weeks} weeks); "
        f"busiest hour {DAY_TITLES[peak // 24]} {peak % 24:02d}:00 with {plan.per_hour[peak]:.1f} cases, "
        f"{view.staff[peak]} people needed then (Erlang C, {view.handling_minutes:.0f} min handling)."
    )


def title_of(department: str, period_label: str) -> str:
    return f"Desk report · {department or 'all departments'} · {period_label}"


def summary_text(view: Overview, title: str, with_definitions: bool = True) -> str:
    lines = [f"*{title}*", *headline_lines(view, with_definitions)]
    lines += [line for line in (_sla_line(view), _forecast_line(view)) if line]
    return "\n".join(lines)
