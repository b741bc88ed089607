"""Reading new mentions from every social platform and turning them into cases.

The cursor (``since_id``) moves only after every page of a batch is stored, so a crash mid-batch
re-reads rather than skips; re-reading is harmless because ingest is once per post. A rate limit is
answered by returning a later time to poll again, never by sleeping inside a job.
"""

from __future__ import annotations

import structlog

from bridge.app.metrics import CASES_INGESTED, POLL_ERRORS
from bridge.app.runtime import Runtime
from bridge.domain.errors import PlatformError, RateLimited
from bridge.domain.ports import SocialPlatform

log = structlog.get_logger(__name__)


def cursor_name(platform: str) -> str:
    return f"{platform}:mentions:since_id"


def poll_once(rt: Runtime) -> float:
    """Poll every platform once; returns seconds until the next poll should happen."""
    delay = float(rt.settings.bridge_poll_seconds)
    now = rt.clock.now().timestamp()
    for name, social in _readers(rt):
        since = rt.store.cursor(cursor_name(name))
        try:
            batch = social.fetch_mentions(since)
        except RateLimited as exc:
            wait = max(1.0, exc.retry_at - now)
            log.warning("poll_rate_limited", platform=name, retry_in_seconds=round(wait))
            rt.meter.count(POLL_ERRORS, platform=name, kind="rate_limited")
            delay = max(delay, wait)
            continue
        except PlatformError as exc:
            log.error("poll_failed", platform=name, error=str(exc))
            rt.meter.count(POLL_ERRORS, platform=name, kind="failed")
            continue
        created = 0
        for mention in sorted(batch.mentions, key=lambda m: int(m.post_id) if m.post_id.isdigit() else 0):
            ingested = rt.ingestor.ingest(mention)
            if ingested.created:
                created += 1
                rt.meter.count(CASES_INGESTED, platform=mention.platform, verdict=ingested.reason)
                log.info(
                    "case_opened", case=ingested.number, platform=mention.platform, verdict=ingested.reason
                )
        if batch.newest_id:
            rt.store.set_cursor(cursor_name(name), batch.newest_id)
        log.info(
            "polled", platform=name, seen=len(batch.mentions), new_cases=created, since_id=batch.newest_id
        )
        if name in rt.socials:
            _poll_direct_messages(rt, name)
    return delay


def _readers(rt: Runtime) -> list[tuple[str, SocialPlatform]]:
    """The care handles, then the main brand accounts that can be read (``x:main``).

    A post mentioning both accounts is read twice and still makes one case: ingest is once per post.
    Direct messages are read from the care handle only, where private conversations are held.
    """
    care = list(rt.socials.items())
    main = [(f"{name}:main", social) for name, social in rt.main_accounts.items()]
    return care + main


def _poll_direct_messages(rt: Runtime, name: str) -> None:
    """Customers' direct messages join cases that moved to private messages."""
    try:
        messages = rt.socials[name].fetch_direct_messages()
    except PlatformError as exc:
        log.warning("dm_poll_failed", platform=name, error=str(exc))
        rt.meter.count(POLL_ERRORS, platform=name, kind="direct_messages")
        return
    for message in reversed(messages):  # oldest first, so the thread reads in order
        rt.followups.attach_direct_message(message)
