"""Measuring the desk: the KPIs over the case history, what goes into it, forecasts, and the reports
people read in chat (``/bridge report``, digests).

Sits between ``app`` (jobs, web, commands that show reports) and ``crisis``: it reads the history
(:mod:`bridge.store.history`), the live cases (:mod:`bridge.store`) and the playbook's targets.

The KPI API (for chat reports, digests and the dashboard):

- :class:`~bridge.reports.kpis.Cut` — which cases (period, platform, department, expert, service
  model, verdict);
- :class:`~bridge.reports.query.Reports` — ``totals(cut)``, ``totals_by(cut, field)`` (per platform,
  department, expert …), ``totals_by_day(cut)`` (trends), ``volume_by_hour(cut, by)`` (the heat map),
  ``week_counts``, ``daily_volume``, all aggregated in SQL;
- :func:`~bridge.reports.kpis.totals` and ``sla_by_platform`` — the same over rows in Python (the
  specification);
- :func:`~bridge.reports.kpis.figures` — totals → :class:`~bridge.reports.kpis.Figure` (value, unit,
  target, definition);
- :mod:`~bridge.reports.forecast` — next week's volume by hour and Erlang C staffing;
- :mod:`~bridge.reports.overview` — all of it for one cut against the playbook's targets, with the
  live backlog (:mod:`~bridge.reports.backlog`);
- :mod:`~bridge.reports.export` — ``csv_lines``/``jsonl_lines`` stream cases for a download;
- the history itself (:class:`bridge.store.history.History`): ``search(Search(...))``, ``get``,
  ``events`` (a case's timeline), ``customer``, ``stream``.

Surveys (CSAT/NPS) and tracked links live beside these (``surveys*.py``, ``links*.py``); their
answers reach the KPIs through the case's ``csat``, ``nps``, ``survey_comment``, ``link_clicks`` and
``link_conversions`` fields, copied into the history when the case closes (and again when they
arrive later); so does the engagement read back from the platforms (:mod:`~bridge.reports.engagement`).
"""

__all__: list[str] = []
