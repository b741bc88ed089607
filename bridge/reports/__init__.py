"""Measuring the desk: surveys of customers after a case, tracked links and conversions (and, beside
them, the KPIs and reports). Imports the store, the playbook, text and domain; the app layer runs it."""

__all__: list[str] = []
