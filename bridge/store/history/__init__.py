"""The case history: closed cases' facts and timelines in a relational store, for reports, search,
export and retention over months (Redis keeps only what is live).

SQLite under ``BRIDGE_DATA_DIR`` by default, PostgreSQL with ``DATABASE_URL`` (SQLAlchemy 2, schema
by the Alembic migrations shipped in ``migrations/``). Imports only SQLAlchemy, Alembic and the
domain; what goes into a row is decided higher up (:mod:`bridge.reports.facts`).
"""

from bridge.store.history.engine import HISTORY_FILE, forget_engines, history_url, migrate, open_engine
from bridge.store.history.history import STREAM_BATCH, History, Search
from bridge.store.history.models import Base, CaseEventRow, CaseRow
from bridge.store.history.records import CaseFacts, CustomerHistory, Event, aware, naive

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
