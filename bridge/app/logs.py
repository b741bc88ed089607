"""Structured logs: one event name and key-value fields per line; level from ``BRIDGE_LOG_LEVEL``."""

from __future__ import annotations

import logging
import os

import structlog


def configure(level: str | None = None) -> None:
    name = (level or os.environ.get("BRIDGE_LOG_LEVEL") or "INFO").upper()
    numeric = logging.getLevelName(name) if isinstance(logging.getLevelName(name), int) else logging.INFO
    logging.basicConfig(level=numeric, format="%(message)s")
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(numeric))
