"""The playbook in force, reloaded when its file changes; a broken edit never replaces a good one."""

from __future__ import annotations

import threading
from pathlib import Path

import structlog

from bridge.domain.errors import PlaybookError
from bridge.playbook.model import Playbook, load_playbook

__all__ = ["PlaybookSource"]

log = structlog.get_logger(__name__)


class PlaybookSource:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp = self._mtime()
        self._current = load_playbook(path)  # at start a broken playbook is fatal: nothing good to keep
        self.last_error: str = ""

    def _mtime(self) -> float:
        try:
            return self.path.stat().st_mtime_ns / 1e9
        except OSError:
            return 0.0

    def __call__(self) -> Playbook:
        """The current playbook; checks the file's modification time on every call (one stat)."""
        stamp = self._mtime()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._reload(stamp)
        return self._current

    def _reload(self, stamp: float) -> None:
        """Load the edited file; on any failure keep the playbook in force, record why and log it.

        Callers are web requests and jobs: whatever goes wrong with an edit (a bad key, bytes that are
        not UTF-8, a file vanishing mid-write, a bug in a check) must never reach them.
        """
        self._stamp = stamp
        try:
            playbook = load_playbook(self.path)
        except PlaybookError as exc:
            self.last_error = str(exc)
            log.exception("playbook_reload_refused", path=str(self.path), problems=exc.problems)
            return
        except Exception as exc:  # anything else: a broken edit must not break a request
            self.last_error = f"{self.path}: cannot load the playbook: {type(exc).__name__}: {exc}"
            log.exception("playbook_reload_failed", path=str(self.path), error=self.last_error)
            return
        self._current = playbook
        self.last_error = ""
        log.info("playbook_reloaded", path=str(self.path))
