"""What crisis mode needs from a chat platform, beyond case cards: notices with buttons in any
channel, updating them, and opening a channel for an incident.

Kept apart from :class:`bridge.domain.ports.ChatPlatform` so a chat adapter that has no crisis support yet
(Teams, while it is being built) still satisfies the case port; the crisis code checks for this one
with ``isinstance`` and says so in the log when a platform lacks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from bridge.domain.model import MessageRef
from bridge.domain.ports import ChartImage

__all__ = ["CrisisChat", "CrisisDispatch", "Notice", "NoticeButton"]


@dataclass(frozen=True)
class NoticeButton:
    """A button whose ``action`` names a crisis action (``ack``, ``start_incident`` …)."""

    action: str
    label: str
    value: str
    style: str = ""  # "primary", "danger" or ""


@dataclass(frozen=True)
class Notice:
    """A bridge-written message decided by the core; adapters only render it.

    ``text`` and ``fields`` are the bridge's words and may name people as ``<@U…>``; ``quotes`` are
    customers' words and ``preview`` is text exactly as it will be posted: both are untrusted and
    rendered inert.
    """

    title: str
    text: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    quotes: tuple[str, ...] = ()
    preview: str = ""
    links: tuple[tuple[str, str], ...] = ()  # (url, label)
    context: str = ""
    buttons: tuple[NoticeButton, ...] = ()
    key: str = ""  # what the notice is about, e.g. "alert:3"; adapters may use it as a block id
    image: ChartImage | None = None  # a chart under the text (report digests)


@runtime_checkable
class CrisisChat(Protocol):
    name: str

    def post_notice(self, channel: str, notice: Notice) -> MessageRef: ...

    def update_notice(self, ref: MessageRef, notice: Notice) -> None: ...

    def open_channel(self, name: str, invite: tuple[str, ...] = ()) -> str:
        """The id of a channel called ``name``, created if needed with the bridge and ``invite`` in it
        (or the name itself, for posting to resolve, when it cannot be created)."""
        ...

    def post_message(self, channel: str, text: str, link_to: MessageRef | None = None) -> MessageRef: ...


class CrisisDispatch(Protocol):
    """The crisis jobs the crisis services ask for (:mod:`bridge.app.crisis_dispatch` queues them).

    A job due later than the clock's now is scheduled in Redis, so it survives restarts."""

    def post_alert(self, alert_id: int) -> None: ...

    def refresh_alert(self, alert_id: int) -> None: ...

    def realert(self, alert_id: int) -> None: ...

    def digest(self, alert_id: int) -> None: ...

    def tick(self, at: datetime) -> None: ...

    def mass_card(self, alert_id: int, chat: str, channel: str, at: datetime | None = None) -> None: ...

    def open_incident(self, incident_id: int) -> None: ...

    def preview(self, incident_id: int, what: str, version: int) -> None: ...

    def post_statement(self, incident_id: int, at: datetime | None = None) -> None: ...

    def bulk_reply(self, incident_id: int, at: datetime | None = None) -> None: ...

    def notice(self, incident_id: int, text: str, leadership: bool = False) -> None:
        """A line in the incident channel (and in leadership's channel when ``leadership``)."""
