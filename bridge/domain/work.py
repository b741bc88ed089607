"""The outbound work the core asks for, as a port: the services name what must happen, the
application decides how it runs (RQ jobs with retries, see :mod:`bridge.app.dispatch`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

__all__ = ["Dispatch"]


class Dispatch(Protocol):
    """Each call queues one job; a job runs at least once, so its body must be idempotent."""

    def post_card(self, number: int) -> None: ...

    def refresh_card(self, number: int) -> None: ...

    def post_preview(self, number: int, version: int) -> None: ...

    def thread_notice(self, number: int, text: str, quote: str = "") -> None:
        """``text`` is the bridge's own words; ``quote`` is a customer's, shown fully escaped."""

    def tell(self, chat: str, channel: str, user: str, text: str) -> None: ...

    def social_action(self, action: str, target: str, by: str, chat: str = "", channel: str = "") -> None: ...

    def sla_check(self, number: int, kind: str, at: datetime) -> None:
        """The case's ``kind`` timer, due at ``at``: a timer in Redis, not a job (setting it again
        moves it); the workers check it when it is due, at least once."""

    def sla_checks(self, number: int, due: Mapping[str, datetime]) -> None:
        """:meth:`sla_check` for several of the case's timers at once (``kind`` → due)."""

    def out_of_hours_ack(self, number: int) -> None:
        """Tell the customer when the desk is back; the job posts at most once per case."""

    def publish(self, number: int, at: datetime | None = None) -> None: ...

    def set_aside_digest(self, at: datetime) -> None:
        """The digest of set-aside cases, due at ``at`` (scheduled in Redis, so it survives restarts)."""

    def report_digest(self, kind: str, at: datetime) -> None:
        """The scheduled KPI digest ``kind`` (daily, weekly), due at ``at``."""

    def archive_case(self, number: int) -> None:
        """Write a case that closed into the case history."""
