"""Outbound work as RQ jobs: the web tier records and enqueues, workers call the platforms.

Every job gets the same retry policy; jobs that must happen once carry their own idempotency record in
the store, because RQ runs a job at least once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rq import Callback, Queue, Retry

#: Seconds between retries of a failed job: quick first, then backing off for a longer outage.
RETRY_INTERVALS_SECONDS = [5, 30, 120, 600, 1800]
JOB_TIMEOUT_SECONDS = 120


class Dispatcher:
    """Names the jobs the core asks for; ``bridge.jobs`` holds their bodies."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    def _enqueue(
        self,
        name: str,
        *args: Any,
        at: datetime | None = None,
        job_id: str | None = None,
        on_failure: str = "",
    ) -> None:
        options: dict[str, Any] = {
            "retry": Retry(max=len(RETRY_INTERVALS_SECONDS), interval=RETRY_INTERVALS_SECONDS),
            "job_timeout": JOB_TIMEOUT_SECONDS,
        }
        if job_id:
            options["job_id"] = job_id
        if on_failure:
            options["on_failure"] = Callback(f"bridge.jobs.{on_failure}")
        func = f"bridge.jobs.{name}"
        if at is not None:
            self.queue.enqueue_at(at, func, *args, **options)
        else:
            self.queue.enqueue(func, *args, **options)

    def post_card(self, number: int) -> None:
        self._enqueue("post_card", number)

    def refresh_card(self, number: int) -> None:
        self._enqueue("refresh_card", number)

    def post_preview(self, number: int, version: int) -> None:
        self._enqueue("post_preview", number, version)

    def thread_notice(self, number: int, text: str, quote: str = "") -> None:
        """``text`` is the bridge's own words; ``quote`` is a customer's, shown fully escaped."""
        self._enqueue("thread_notice", number, text, quote)

    def tell(self, chat: str, channel: str, user: str, text: str) -> None:
        self._enqueue("tell", chat, channel, user, text)

    def social_action(self, action: str, target: str, by: str, chat: str = "", channel: str = "") -> None:
        self._enqueue("social_action", action, target, by, chat, channel)

    def sla_check(self, number: int, kind: str, at: datetime) -> None:
        self._enqueue("sla_check", number, kind, at=at)

    def out_of_hours_ack(self, number: int) -> None:
        """Tell the customer when the desk is back; the job posts at most once per case."""
        self._enqueue("out_of_hours_ack", number)

    def publish(self, number: int, at: datetime | None = None) -> None:
        self._enqueue("publish", number, at=at, on_failure="publish_gave_up")
