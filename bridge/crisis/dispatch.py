"""Names the crisis jobs the core asks for; :mod:`bridge.crisis.jobs` holds their bodies.

Same retry policy as every other job (:mod:`bridge.dispatch`). A job due later than the clock's now
is scheduled in Redis, so it survives restarts; one due now is queued at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rq import Queue, Retry

from bridge.clock import Clock
from bridge.dispatch import JOB_TIMEOUT_SECONDS, RETRY_INTERVALS_SECONDS


class CrisisDispatch:
    def __init__(self, queue: Queue, clock: Clock) -> None:
        self.queue = queue
        self.clock = clock

    def _enqueue(self, name: str, *args: Any, at: datetime | None = None) -> None:
        options: dict[str, Any] = {
            "retry": Retry(max=len(RETRY_INTERVALS_SECONDS), interval=RETRY_INTERVALS_SECONDS),
            "job_timeout": JOB_TIMEOUT_SECONDS,
        }
        func = f"bridge.crisis.jobs.{name}"
        if at is not None and at > self.clock.now():
            self.queue.enqueue_at(at, func, *args, **options)
        else:
            self.queue.enqueue(func, *args, **options)

    def post_alert(self, alert_id: int) -> None:
        self._enqueue("post_alert", alert_id)

    def refresh_alert(self, alert_id: int) -> None:
        self._enqueue("refresh_alert", alert_id)

    def realert(self, alert_id: int) -> None:
        self._enqueue("realert", alert_id)

    def digest(self, alert_id: int) -> None:
        self._enqueue("digest", alert_id)

    def tick(self, at: datetime) -> None:
        self._enqueue("tick", at=at)

    def mass_card(self, alert_id: int, chat: str, channel: str, at: datetime | None = None) -> None:
        self._enqueue("mass_card", alert_id, chat, channel, at=at)

    def open_incident(self, incident_id: int) -> None:
        self._enqueue("open_incident", incident_id)

    def preview(self, incident_id: int, what: str, version: int) -> None:
        self._enqueue("preview", incident_id, what, version)

    def post_statement(self, incident_id: int, at: datetime | None = None) -> None:
        self._enqueue("post_statement", incident_id, at=at)

    def bulk_reply(self, incident_id: int, at: datetime | None = None) -> None:
        self._enqueue("bulk_reply", incident_id, at=at)

    def notice(self, incident_id: int, text: str, leadership: bool = False) -> None:
        """A line in the incident channel (and in leadership's channel when ``leadership``)."""
        self._enqueue("incident_notice", incident_id, text, leadership)
