"""Queues the crisis jobs of :mod:`bridge.app.crisis_jobs` (:class:`bridge.crisis.ports.CrisisDispatch`).

Same retry policy as every other job (:mod:`bridge.app.enqueue`). A job due later than the clock's now
is scheduled in Redis, so it survives restarts; one due now is queued at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rq import Queue

from bridge.app import crisis_jobs as jobs
from bridge.app.enqueue import enqueue
from bridge.domain.clock import Clock

__all__ = ["CrisisDispatcher"]


class CrisisDispatcher:
    def __init__(self, queue: Queue, clock: Clock) -> None:
        self.queue = queue
        self.clock = clock

    def _enqueue(self, func: Callable[..., Any], *args: Any, at: datetime | None = None) -> None:
        enqueue(self.queue, func, *args, at=at if at is not None and at > self.clock.now() else None)

    def post_alert(self, alert_id: int) -> None:
        self._enqueue(jobs.post_alert, alert_id)

    def refresh_alert(self, alert_id: int) -> None:
        self._enqueue(jobs.refresh_alert, alert_id)

    def realert(self, alert_id: int) -> None:
        self._enqueue(jobs.realert, alert_id)

    def digest(self, alert_id: int) -> None:
        self._enqueue(jobs.digest, alert_id)

    def tick(self, at: datetime) -> None:
        self._enqueue(jobs.tick, at=at)

    def mass_card(self, alert_id: int, chat: str, channel: str, at: datetime | None = None) -> None:
        self._enqueue(jobs.mass_card, alert_id, chat, channel, at=at)

    def open_incident(self, incident_id: int) -> None:
        self._enqueue(jobs.open_incident, incident_id)

    def preview(self, incident_id: int, what: str, version: int) -> None:
        self._enqueue(jobs.preview, incident_id, what, version)

    def post_statement(self, incident_id: int, at: datetime | None = None) -> None:
        self._enqueue(jobs.post_statement, incident_id, at=at)

    def bulk_reply(self, incident_id: int, at: datetime | None = None) -> None:
        self._enqueue(jobs.bulk_reply, incident_id, at=at)

    def notice(self, incident_id: int, text: str, leadership: bool = False) -> None:
        self._enqueue(jobs.incident_notice, incident_id, text, leadership)
