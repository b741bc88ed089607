"""The case history in tests: a fresh SQLite file, or a fresh schema of the PostgreSQL at
127.0.0.1:5432 (database ``test``, trust authentication) when one answers there."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from bridge.store.history import History, forget_engines, history_url, open_engine

POSTGRES_USERS = ("postgres", "root")
POSTGRES_AT = "127.0.0.1:5432/test"


def sqlite_history(folder: Path) -> History:
    forget_engines()
    return History(open_engine(history_url(None, folder)))


def _answers(url: str) -> bool:
    engine = create_engine(url, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return True
    except Exception:  # noqa: BLE001  # any failure means: no PostgreSQL here for this user
        return False
    finally:
        engine.dispose()


def postgres_url() -> str | None:
    """A URL of the loopback PostgreSQL that answers, or None (the tests that need it skip)."""
    urls = (f"postgresql+psycopg://{user}@{POSTGRES_AT}" for user in POSTGRES_USERS)
    return next((url for url in urls if _answers(url)), None)


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A URL whose connections use a schema of their own, dropped afterwards, so runs never collide."""
    schema = f"history_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        forget_engines()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
