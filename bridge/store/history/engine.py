"""Where the case history lives and how its schema gets there.

SQLite under ``BRIDGE_DATA_DIR`` is the embedded default (one file, nothing to run); a brand that
outgrows one machine sets ``DATABASE_URL`` to its PostgreSQL (``postgresql://…`` is read with the
psycopg 3 driver). The schema is Alembic's: the migrations ship inside this package and every process
runs ``upgrade head`` on its first use of a database, so an installation never needs a separate step
(Alembic's lock-free ``alembic_version`` check makes a second run a no-op).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = [
    "HEAD_REVISION",
    "HISTORY_FILE",
    "MIGRATIONS",
    "forget_engines",
    "history_url",
    "migrate",
    "open_engine",
]

HISTORY_FILE = "history.sqlite3"
#: The newest migration in ``migrations/versions`` (a test keeps the two in step): a database already
#: there is used without loading Alembic, which matters in RQ's work horses, forked for every job.
HEAD_REVISION = "0002"
MIGRATIONS = Path(__file__).with_name("migrations")
_SQLITE_BUSY_MS = 10_000

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def history_url(database_url: str | None, data_dir: Path) -> str:
    """``DATABASE_URL`` with the psycopg 3 driver named, or the SQLite file under ``data_dir``."""
    if not database_url:
        return f"sqlite:///{(data_dir / HISTORY_FILE).resolve()}"
    for plain in ("postgres://", "postgresql://"):
        if database_url.startswith(plain):
            return "postgresql+psycopg://" + database_url.removeprefix(plain)
    return database_url


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # the timeline goes with its case
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (reports) never wait for the archiving writer
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_MS}")
    cursor.close()


def open_engine(url: str, *, migrated: bool = True) -> Engine:
    """One engine per URL per process, migrated to the newest schema on first use."""
    from sqlalchemy import create_engine, event  # see the package's lazy imports

    with _lock:
        engine = _engines.get(url)
        if engine is not None:
            return engine
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, pool_pre_ping=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        if migrated and _revision(engine) != HEAD_REVISION:
            migrate(engine)
        _engines[url] = engine
        return engine


def _revision(engine: Engine) -> str | None:
    """The schema version the database says it has; None before the first migration."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:  # no table yet: a new database
        return None


def migrate(engine: Engine, revision: str = "head") -> None:
    """Run the shipped migrations up to ``revision`` on ``engine``."""
    from alembic import command  # see the package's lazy imports
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def forget_engines() -> None:
    """Dispose every engine this process opened (tests, and a process that forks)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
