"""Loading what triage and the case history load on first use before the first mention needs it.

Triage reads the language identifier's model (about half a second) and the sentiment lexicon the
first time it runs, and the case history runs its migrations when first opened: a process that
starts in a crisis would make its first mentions and cards wait for them. ``bridge poll`` (which
also runs the streams) warms triage up before its first poll, and ``bridge worker`` opens the history
(:meth:`Runtime.open_history_early`). A worker does not load triage's models: it triages only
webhook deliveries (Meta), and some eighty megabytes per worker would be paid by every deployment
for the first of those alone.
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from bridge.app.runtime import Runtime
from bridge.domain.model import Author, Mention
from bridge.triage.decision import decide

__all__ = ["warm_up_triage"]

log = structlog.get_logger(__name__)

#: A made-up post: a question in English with a link, so the language identifier, the sentiment
#: lexicon and the need and complaint cues all run once.
_SAMPLE = "Hello, my order has not arrived yet and the tracking link https://example.com is broken. Help?"


def warm_up_triage(rt: Runtime) -> None:
    """Triage and route one made-up post with the playbook in force; nothing is stored."""
    now = datetime.now(tz=UTC)
    sample = Mention(
        platform="x",
        post_id="warm-up",
        text=_SAMPLE,
        author=Author(id="0", handle="warm_up", name="Warm up"),
        created_at=now,
        url="",
    )
    try:
        decide(rt.playbook, sample, now)
    except Exception as exc:  # noqa: BLE001  # a warm-up must never stop a process: the real post will tell
        log.warning("triage_warm_up_failed", error=str(exc))
