"""The fitted model this process's triage consults, if one is saved: loaded once, reloaded when
``bridge triage fit`` saves a new one (the file's modification time is checked at most once a second).

The runtime names the file (``BRIDGE_DATA_DIR/triage-model.npz``) when it starts; with no file, or one
that cannot be read, triage uses the rules alone and a warning says why.
"""

from __future__ import annotations

import time
from pathlib import Path

import structlog

from bridge.triage.learning.model import NeedModel

log = structlog.get_logger(__name__)

CHECK_EVERY_SECONDS = 1.0


class ActiveModel:
    """One model file, watched."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._model: NeedModel | None = None
        self._stamp: int | None = None
        self._checked = float("-inf")

    def use(self, path: Path | None) -> None:
        """Watch ``path`` from now on (None: no model, the rules alone)."""
        self.path, self._model, self._stamp, self._checked = path, None, None, float("-inf")

    def __call__(self) -> NeedModel | None:
        """The model to use now, or None."""
        if self.path is None:
            return None
        now = time.monotonic()
        if now - self._checked >= CHECK_EVERY_SECONDS:
            self._checked = now
            self._refresh(self.path)
        return self._model

    def _refresh(self, path: Path) -> None:
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            self._model, self._stamp = None, None
            return
        if stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            self._model = NeedModel.load(path)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("triage.model_unreadable", path=str(path), error=str(exc))
            self._model = None
            return
        log.info("triage.model_loaded", path=str(path), fitted_at=self._model.fitted_at)


#: The process's model; ``bridge.app.runtime`` points it at the data directory's model file.
active_model = ActiveModel()


def use_model_file(path: Path | None) -> None:
    active_model.use(path)


__all__ = ["ActiveModel", "active_model", "use_model_file"]
