"""The dashboard's pages: overview, volume and forecast, departments and experts, surveys, case
search with each case's timeline, and the export download.

Each handler reads its filters, asks :mod:`bridge.reports` (SQL over the history, so 100,000 closed
cases are a few indexed queries) and renders a template; the database work runs on a thread so the
web loop keeps acknowledging Slack and Teams meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from aiohttp import web
from sqlalchemy import select

from bridge.app.dashboard.charts import DAYS, heat_map_svg, trend_svg
from bridge.app.dashboard.filters import CUT_FIELDS, Filters, read_filters, read_search
from bridge.app.dashboard.gate import Gate
from bridge.app.dashboard.sessions import Viewer
from bridge.app.dashboard.views import render
from bridge.domain.clock import Clock
from bridge.playbook.model import Playbook
from bridge.reports.backlog import backlog
from bridge.reports.definitions import LABELS
from bridge.reports.export import csv_lines, jsonl_lines
from bridge.reports.kpis import Cut, figures
from bridge.reports.overview import overview, targets_for
from bridge.reports.query import Reports
from bridge.store.cases import Store
from bridge.store.history import CaseFacts, CaseRow, History

__all__ = ["DashboardPages"]

PEOPLE_KEYS = (
    "cases",
    "first_response_human",
    "handling",
    "sla_attainment",
    "reopen_rate",
    "csat_average",
    "link_clicks",
    "link_conversions",
)
SURVEY_KEYS = ("csat_average", "csat_satisfied", "nps")
RECENT_COMMENTS = 50
EXPORT_FORMATS = {"csv": ("text/csv", csv_lines), "jsonl": ("application/x-ndjson", jsonl_lines)}


class DashboardPages:
    def __init__(
        self,
        gate: Gate,
        history: Callable[[], History],
        store: Store,
        playbook: Callable[[], Playbook],
        clock: Clock,
    ) -> None:
        self._gate = gate
        self._open_history = history  # opened (and migrated) on the first page, not at start-up
        self._store = store
        self._playbook = playbook
        self._clock = clock

    def routes(self) -> list[tuple[str, str, Callable[[web.Request], Any]]]:
        return [
            ("GET", "/dashboard", self.overview),
            ("GET", "/dashboard/volume", self.volume),
            ("GET", "/dashboard/people", self.people),
            ("GET", "/dashboard/surveys", self.surveys),
            ("GET", "/dashboard/cases", self.cases),
            ("GET", "/dashboard/cases/{number}", self.case),
            ("GET", "/dashboard/export", self.export),
        ]

    @property
    def _history(self) -> History:
        return self._open_history()

    @property
    def _reports(self) -> Reports:
        return Reports(self._history.engine)

    async def _off_loop(self, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        return await asyncio.get_running_loop().run_in_executor(None, work)

    def _page(self, request: web.Request, viewer: Viewer, filters: Filters | None = None) -> dict[str, Any]:
        playbook = self._playbook()
        return {
            "viewer": viewer,
            "page": request.path,
            "filters": filters,
            "departments": sorted(playbook.departments),
            "cut_fields": CUT_FIELDS,
        }

    async def overview(self, request: web.Request) -> web.Response:
        viewer = self._gate.require(request)
        filters = read_filters(request.query, self._clock.now())
        context = await self._off_loop(partial(self._overview, filters))
        return render("overview.html", **self._page(request, viewer, filters), **context)

    def _overview(self, filters: Filters) -> dict[str, Any]:
        now = self._clock.now()
        live = backlog(self._store, now, filters.cut)
        report = overview(self._reports, self._playbook(), filters.cut, now, live)
        daily = self._reports.daily_volume(filters.cut)
        return {"report": report, "trend": trend_svg(daily, "Cases per day") if daily else ""}

    async def volume(self, request: web.Request) -> web.Response:
        viewer = self._gate.require(request)
        filters = read_filters(request.query, self._clock.now())
        context = await self._off_loop(partial(self._volume, filters))
        return render("volume.html", **self._page(request, viewer, filters), **context)

    def _volume(self, filters: Filters) -> dict[str, Any]:
        now = self._clock.now()
        by_platform = self._reports.volume_by_hour(filters.cut, "platform")
        hours = [sum(counts[hour] for counts in by_platform.values()) for hour in range(168)]  # all of them
        report = overview(self._reports, self._playbook(), filters.cut, now)
        plan = report.forecast
        rows = [
            (
                DAYS[day],
                [round(plan.per_hour[day * 24 + h], 1) for h in range(24)],
                list(report.staff[day * 24 : day * 24 + 24]),
            )
            for day in range(7)
        ]
        return {
            "heat_map": heat_map_svg(hours, "Cases by hour of the week") if any(hours) else "",
            "forecast_map": heat_map_svg(plan.per_hour, "Next week: expected cases") if plan.weeks else "",
            "forecast": plan,
            "forecast_rows": rows,
            "handling_minutes": report.handling_minutes,
            "by_platform": {name: sum(counts) for name, counts in by_platform.items()},
            "needed": report.figure("needed_response"),
        }

    async def people(self, request: web.Request) -> web.Response:
        viewer = self._gate.require(request)
        filters = read_filters(request.query, self._clock.now())
        context = await self._off_loop(partial(self._people, filters))
        return render("people.html", **self._page(request, viewer, filters), **context)

    def _people(self, filters: Filters) -> dict[str, Any]:
        playbook = self._playbook()
        live = backlog(self._store, self._clock.now(), filters.cut)

        def table(field: str) -> list[tuple[str, dict[str, Any]]]:
            out = []
            for name, totals in self._reports.totals_by(filters.cut, field).items():
                shown = {f.key: f for f in figures(totals, targets_for(playbook, filters.cut.platform))}
                out.append((name or "(none)", {key: shown[key] for key in PEOPLE_KEYS}))
            return out

        return {
            "keys": PEOPLE_KEYS,
            "labels": {key: LABELS[key] for key in PEOPLE_KEYS},
            "departments_table": table("department"),
            "experts_table": table("expert"),
            "open_by_department": live.by_department(),
        }

    async def surveys(self, request: web.Request) -> web.Response:
        viewer = self._gate.require(request)
        filters = read_filters(request.query, self._clock.now())
        context = await self._off_loop(partial(self._surveys, filters))
        return render("surveys.html", **self._page(request, viewer, filters), **context)

    def _surveys(self, filters: Filters) -> dict[str, Any]:
        shown = {f.key: f for f in figures(self._reports.totals(filters.cut), targets_for(self._playbook()))}
        by_department = {
            name: {f.key: f for f in figures(totals)}
            for name, totals in self._reports.totals_by(filters.cut, "department").items()
        }
        return {
            "headline": [shown[key] for key in SURVEY_KEYS],
            "by_department": by_department,
            "keys": SURVEY_KEYS,
            "labels": LABELS,
            "comments": self._recent_answers(filters.cut),
        }

    def _recent_answers(self, cut: Cut) -> list[CaseFacts]:
        query = (
            select(CaseRow.__table__)
            .where((CaseRow.csat.is_not(None)) | (CaseRow.nps.is_not(None)))
            .order_by(CaseRow.closed_at.desc())
            .limit(RECENT_COMMENTS)
        )
        if cut.since is not None:
            query = query.where(CaseRow.created_at >= cut.since.replace(tzinfo=None))
        if cut.until is not None:
            query = query.where(CaseRow.created_at < cut.until.replace(tzinfo=None))
        for name, value in cut.equals().items():
            query = query.where(getattr(CaseRow, name) == value)
        with self._history.engine.connect() as conn:
            return [CaseFacts.from_row(row) for row in conn.execute(query)]

    async def cases(self, request: web.Request) -> web.Response:
        viewer = self._gate.require(request)
        search, problems = read_search(request.query)
        asked = any(request.query.get(k) for k in ("handle", "text", "department", "state", "since", "until"))
        found = await self._off_loop(lambda: {"found": self._history.search(search)})
        return render(
            "cases.html",
            **self._page(request, viewer),
            query=dict(request.query),
            problems=problems,
            asked=asked,
            **found,
        )

    async def case(self, request: web.Request) -> web.Response:
        viewer = self._gate.require(request)
        try:
            number = int(request.match_info["number"])
        except ValueError:
            raise web.HTTPNotFound(text="no such case\n") from None
        found = await self._off_loop(
            lambda: {"case": self._history.get(number), "events": self._history.events(number)}
        )
        if found["case"] is None:
            return render("missing.html", status=404, **self._page(request, viewer), number=number)
        return render("case.html", **self._page(request, viewer), **found)

    async def export(self, request: web.Request) -> web.StreamResponse:
        self._gate.require(request)
        form = request.query.get("format", "csv")
        if form not in EXPORT_FORMATS:
            raise web.HTTPBadRequest(
                text=f"format must be one of {', '.join(EXPORT_FORMATS)}, not {form!r}\n"
            )
        filters = read_filters(request.query, self._clock.now())
        content_type, lines = EXPORT_FORMATS[form]
        stamp = self._clock.now().strftime("%Y%m%d")
        response = web.StreamResponse(
            headers={
                "Content-Type": f"{content_type}; charset=utf-8",
                "Content-Disposition": f'attachment; filename="cases-{stamp}.{form}"',
                "Cache-Control": "no-store",
            }
        )
        await response.prepare(request)
        cut = filters.cut
        rows = (row for row in self._history.stream(cut.since, cut.until) if cut.matches(row))
        loop = asyncio.get_running_loop()
        chunks = _chunks(lines(rows))
        while True:
            chunk = await loop.run_in_executor(None, next, chunks, None)
            if chunk is None:
                break
            await response.write(chunk.encode("utf-8"))
        await response.write_eof()
        return response


def _chunks(lines: Iterator[str], size: int = 500) -> Iterator[str]:
    """Lines joined by the few hundred, so the download is not one thread hop per case."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)
