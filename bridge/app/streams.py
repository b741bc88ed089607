"""Mentions pushed by platforms that offer a stream (Mastodon's streaming API), beside the poll.

A platform adapter that can stream has ``stream_mentions(on_mention)``, which starts a daemon thread
of its own and returns a handle (or None when the platform offers no stream). Each pushed mention is
ingested as the poll ingests it: once per post, so the poll, which keeps running as the fallback,
never makes a second case of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import structlog

from bridge.app.metrics import CASES_INGESTED
from bridge.app.runtime import Runtime
from bridge.domain.model import Mention

__all__ = ["MentionStream", "ingest_streamed", "start_streams"]

log = structlog.get_logger(__name__)


class MentionStream(Protocol):
    @property
    def healthy(self) -> bool: ...

    def close(self) -> None: ...


def start_streams(rt: Runtime) -> list[MentionStream]:
    """A stream for every configured platform that offers one; a failure to start is logged and the
    poll alone reads that platform."""
    streams: list[MentionStream] = []
    for name, social in rt.socials.items():
        start: Callable[[Callable[[Mention], None]], MentionStream | None] | None = getattr(
            social, "stream_mentions", None
        )
        if start is None:
            continue
        try:
            stream = start(lambda mention: ingest_streamed(rt, mention))
        except Exception:  # the poll reads this platform anyway
            log.exception("stream_not_started", platform=name)
            continue
        if stream is not None:
            streams.append(stream)
    return streams


def ingest_streamed(rt: Runtime, mention: Mention) -> None:
    ingested = rt.ingestor.ingest(mention)
    if ingested.created:
        rt.meter.count(CASES_INGESTED, platform=mention.platform, verdict=ingested.reason)
        log.info(
            "case_opened",
            case=ingested.number,
            platform=mention.platform,
            verdict=ingested.reason,
            via="stream",
        )
