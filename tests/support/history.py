"""The case history in tests: a fresh SQLite file per test, migrated like a real one."""

from __future__ import annotations

from pathlib import Path

from bridge.store.history import History, forget_engines, history_url, open_engine


def sqlite_history(folder: Path) -> History:
    forget_engines()
    return History(open_engine(history_url(None, folder)))
