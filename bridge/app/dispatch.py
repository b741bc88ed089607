"""Outbound work as RQ jobs: the web tier records and enqueues, workers call the platforms.

Implements :class:`bridge.domain.work.Dispatch` with the job bodies of :mod:`bridge.app.jobs`.
"""

from __future__ import annotations

from datetime import datetime

from rq import Queue

from bridge.app import jobs
from bridge.app.enqueue import enqueue

__all__ = ["Dispatcher"]


class Dispatcher:
    """Queues the job that does what the core asked for."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    def post_card(self, number: int) -> None:
        enqueue(self.queue, jobs.post_card, number)

    def refresh_card(self, number: int) -> None:
        enqueue(self.queue, jobs.refresh_card, number)

    def post_preview(self, number: int, version: int) -> None:
        enqueue(self.queue, jobs.post_preview, number, version)

    def thread_notice(self, number: int, text: str, quote: str = "") -> None:
        enqueue(self.queue, jobs.thread_notice, number, text, quote)

    def tell(self, chat: str, channel: str, user: str, text: str) -> None:
        enqueue(self.queue, jobs.tell, chat, channel, user, text)

    def social_action(self, action: str, target: str, by: str, chat: str = "", channel: str = "") -> None:
        enqueue(self.queue, jobs.social_action, action, target, by, chat, channel)

    def sla_check(self, number: int, kind: str, at: datetime) -> None:
        enqueue(self.queue, jobs.sla_check, number, kind, at=at)

    def out_of_hours_ack(self, number: int) -> None:
        enqueue(self.queue, jobs.out_of_hours_ack, number)

    def publish(self, number: int, at: datetime | None = None) -> None:
        enqueue(self.queue, jobs.publish, number, at=at, on_failure=jobs.publish_gave_up)
