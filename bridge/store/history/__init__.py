"""The case history: closed cases' facts and timelines in a relational store, for reports, search,
export and retention over months (Redis keeps only what is live).

SQLite under ``BRIDGE_DATA_DIR`` by default, PostgreSQL with ``DATABASE_URL`` (SQLAlchemy 2, schema
by the Alembic migrations shipped in ``migrations/``). Imports only SQLAlchemy, Alembic and the
domain; what goes into a row is decided higher up (:mod:`bridge.reports.facts`).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from bridge.store.history.records import CaseFacts, CustomerHistory, Event, aware, naive

if TYPE_CHECKING:
    from bridge.store.history.engine import HISTORY_FILE, forget_engines, history_url, migrate, open_engine
    from bridge.store.history.history import STREAM_BATCH, History, Search
    from bridge.store.history.models import Base, CaseEventRow, CaseRow

#: Loaded on first use: SQLAlchemy and Alembic take about half a second to import, which every
#: process (worker, CLI) would otherwise pay at start whether or not it touches the history.
_LAZY = {
    "HISTORY_FILE": "engine",
    "forget_engines": "engine",
    "history_url": "engine",
    "migrate": "engine",
    "open_engine": "engine",
    "STREAM_BATCH": "history",
    "History": "history",
    "Search": "history",
    "Base": "models",
    "CaseEventRow": "models",
    "CaseRow": "models",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = [
    "HISTORY_FILE",
    "STREAM_BATCH",
    "Base",
    "CaseEventRow",
    "CaseFacts",
    "CaseRow",
    "CustomerHistory",
    "Event",
    "History",
    "Search",
    "aware",
    "forget_engines",
    "history_url",
    "migrate",
    "naive",
    "open_engine",
]
