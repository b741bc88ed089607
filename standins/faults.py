"""Failures a test queues on a stand-in, consumed one per matching request.

Retry, rate-limit and "unknown outcome" paths are where integrations break, and a real platform
cannot be asked to fail on cue; a stand-in can. Both stand-ins share this small queue.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

F = TypeVar("F")


@dataclass
class _Entry(Generic[F]):
    key: str
    fault: F
    remaining: int


class FaultQueue(Generic[F]):
    """Thread-safe: tests queue from their thread, the server consumes on its loop thread.

    Entries are matched in the order they were queued; each answers ``times`` requests.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[_Entry[F]] = []

    def add(self, key: str, fault: F, times: int) -> None:
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}")
        with self._lock:
            self._entries.append(_Entry(key, fault, times))

    def take(self, matches: Callable[[str], bool]) -> F | None:
        """The first queued fault whose key ``matches``, counting one use of it."""
        with self._lock:
            for entry in self._entries:
                if matches(entry.key):
                    entry.remaining -= 1
                    if entry.remaining == 0:
                        self._entries.remove(entry)
                    return entry.fault
        return None

    def pending(self) -> int:
        """How many faulty answers are still queued (lets a test assert all were used)."""
        with self._lock:
            return sum(entry.remaining for entry in self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
