"""Mention notifications as they happen: the instance's streaming API (``/api/v1/streaming/user``).

Mastodon.py's :class:`~mastodon.StreamListener` reads the care account's user stream in a daemon
thread of its own and reconnects by itself after a drop; each ``mention`` notification is handed on
as a :class:`~bridge.domain.model.Mention`, parsed exactly as the poll parses it. The stream is a
shortcut, never the only road: the poll keeps reading notifications, and ingest is once per post, so
a mention seen both ways (or missed while the stream was down) still makes exactly one case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
import structlog
from mastodon import Mastodon, MastodonError, StreamListener

from bridge.domain.model import Mention

__all__ = ["MentionListener", "MentionStream"]

log = structlog.get_logger(__name__)

RECONNECT_SECONDS = 5
"""How long Mastodon.py waits between two tries to reconnect a dropped (or refused) stream."""


class MentionListener(StreamListener):
    """Passes each mention notification on; everything else on the user stream is ignored."""

    def __init__(self, parse: Callable[[Any], Mention], on_mention: Callable[[Mention], None]) -> None:
        super().__init__()
        self.parse = parse
        self.on_mention = on_mention

    def on_notification(self, notification: Any) -> None:
        if notification.get("type") != "mention" or not notification.get("status"):
            return
        try:
            self.on_mention(self.parse(notification["status"]))
        except Exception:  # one bad event must not end the stream; the poll reads it again
            log.exception("mastodon_stream_mention_failed", notification=str(notification.get("id")))

    def on_abort(self, err: Exception) -> None:
        log.warning("mastodon_stream_dropped", error=str(err), reconnect_in_seconds=RECONNECT_SECONDS)


class MentionStream:
    """The care account's user stream, started once and closed on the way out."""

    def __init__(
        self, client: Mastodon, parse: Callable[[Any], Mention], on_mention: Callable[[Mention], None]
    ) -> None:
        self.client = client
        self.listener = MentionListener(parse, on_mention)
        self._handle: Any = None

    def start(self) -> bool:
        """Open the stream in its own daemon thread; False (logged) when the instance offers none."""
        try:
            self._handle = self.client.stream_user(
                self.listener,
                run_async=True,
                reconnect_async=True,
                reconnect_async_wait_sec=RECONNECT_SECONDS,
            )
        except (MastodonError, requests.RequestException) as exc:
            log.warning("mastodon_stream_unavailable", error=str(exc))
            return False
        log.info("mastodon_stream_started")
        return True

    @property
    def healthy(self) -> bool:
        """Connected and reading (not reconnecting)."""
        return self._handle is not None and bool(self._handle.is_receiving())

    def close(self) -> None:
        """Stop for good: the connection is closed and the thread ends without reconnecting."""
        if self._handle is not None:
            self._handle.close()
            log.info("mastodon_stream_closed")
