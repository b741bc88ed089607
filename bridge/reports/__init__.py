"""Measuring the desk: the KPIs over the case history, what goes into it, forecasts, and the reports
people read in chat (``/bridge report``, digests).

Sits between ``app`` (jobs, web, commands that show reports) and ``crisis``: it reads the history
(:mod:`bridge.store.history`), the live cases (:mod:`bridge.store`) and the playbook's targets.

The KPI API (for chat reports, digests and the dashboard):

- :class:`~bridge.reports.kpis.Cut` — which cases (period, platform, department, expert, service
  model, verdict);
- :class:`~bridge.reports.query.Reports` — ``totals(cut)``, ``totals_by(cut, field)``,
  ``volume_by_hour(cut, by)``, ``week_counts``, ``daily_volume`` in SQL;
- :func:`~bridge.reports.kpis.totals` and ``sla_by_platform`` — the same over rows in Python (the
  specification);
- :func:`~bridge.reports.kpis.figures` — totals → :class:`~bridge.reports.kpis.Figure` (value, unit,
  target, definition);
- :mod:`~bridge.reports.forecast` — next week's volume by hour and Erlang C staffing;
- :mod:`~bridge.reports.overview` — all of it for one cut against the playbook's targets.

Beside them, what feeds the customer-experience KPIs: surveys of customers after a case
(:mod:`~bridge.reports.surveys`) and tracked links with the shop's conversions
(:mod:`~bridge.reports.links`, :mod:`~bridge.reports.conversions`).
"""

__all__: list[str] = []
