"""Structured logs: one event name and key-value fields per line, for the bridge and its libraries.

The bridge's own ``structlog`` loggers and the standard-library loggers of RQ (``rq.worker``,
``rq.job``, ``rq.scheduler``) and aiohttp (``aiohttp.access`` …) go through one renderer, so a
process writes one format: JSON lines (``BRIDGE_LOG_FORMAT=json``, the default when stderr is not a
terminal) or aligned, readable lines (``console``, the default in a terminal). Fields bound with
:func:`bound` (the case number in a job or a desk action) appear on every line logged meanwhile,
the libraries' lines included. The level comes from ``BRIDGE_LOG_LEVEL`` (default INFO).

The bridge's own lines are rendered and written by structlog directly; the libraries' lines, which
arrive as standard-library records, go through a handler with the same processors and renderer.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import TextIO

import structlog
from structlog.contextvars import bound_contextvars
from structlog.typing import Processor

__all__ = ["FORMATS", "bound", "configure"]

FORMATS = ("json", "console")
#: Libraries' loggers that set a level of their own (RQ's worker sets INFO when imported): they follow
#: the bridge's level instead.
LIBRARY_LOGGERS = ("rq.worker", "rq.job", "rq.scheduler", "aiohttp.access")

bound = bound_contextvars
"""``with bound(case=1042): ...``: every line logged inside carries ``case=1042``."""


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]  # its stream is chosen per line
    """Writes to whatever ``sys.stderr`` is when a line is written, not when logging was set up:
    test runners and daemonizers replace it."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def _level(name: str | None) -> int:
    chosen = (name or os.environ.get("BRIDGE_LOG_LEVEL") or "INFO").upper()
    numeric = logging.getLevelName(chosen)
    return numeric if isinstance(numeric, int) else logging.INFO


def _format(stream: TextIO) -> str:
    chosen = (os.environ.get("BRIDGE_LOG_FORMAT") or "").strip().lower()
    if chosen in FORMATS:
        return chosen
    return "console" if stream.isatty() else "json"


def _renderer(fmt: str, stream: TextIO) -> Processor:
    if fmt == "json":
        return structlog.processors.JSONRenderer()
    return structlog.dev.ConsoleRenderer(colors=stream.isatty())


class _LineLogger:
    """Where the bridge's own lines go: straight to the stream, a whole line per write. The standard
    library's records, handlers and formatter cost about 10 µs a line more (18 against 8, measured on
    the access log), and the web process writes two lines per Claim."""

    def __init__(self, name: str, stream: TextIO | None) -> None:
        self.name = name  # structlog.stdlib.add_logger_name reads it
        self._stream = stream

    def msg(self, line: str) -> None:
        out = self._stream or sys.stderr  # a test runner or daemonizer may have replaced sys.stderr
        with _WRITING:
            out.write(line + "\n")
            out.flush()

    debug = info = warning = warn = error = critical = exception = fatal = log = msg


_WRITING = threading.Lock()


def _line_loggers(stream: TextIO | None) -> Callable[..., _LineLogger]:
    def factory(*args: object) -> _LineLogger:
        return _LineLogger(str(args[0]) if args else "bridge", stream)

    return factory


def configure(level: str | None = None, stream: TextIO | None = None) -> str:
    """Set up logging for this process (again, if called again); returns the format chosen."""
    out = stream or sys.stderr
    numeric, fmt = _level(level), _format(out)
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    exceptions: list[Processor] = [structlog.processors.format_exc_info] if fmt == "json" else []
    structlog.configure(
        processors=[*shared, *exceptions, _renderer(fmt, out)],
        logger_factory=_line_loggers(stream),
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *exceptions,
            _renderer(fmt, out),
        ],
    )
    handler: logging.Handler = logging.StreamHandler(stream) if stream else _StderrHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_bridge", False)]:
        root.removeHandler(old)
    handler._bridge = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(numeric)
    import rq.worker  # noqa: F401  (it sets its logger's level when imported: import it before us)

    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
    return fmt
