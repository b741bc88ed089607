"""Reading new mentions from every social platform and turning them into cases.

The cursor (``since_id``) moves only after every page of a batch is stored, so a crash mid-batch
re-reads rather than skips; re-reading is harmless because ingest is once per post. A rate limit is
answered by returning a later time to poll again, never by sleeping inside a job.

A failure nobody foresaw in one platform's read (a malformed answer, a bug) is logged with its
traceback, counted, and that platform is left alone for a growing while; the other platforms and the
next poll go on. Redis being away is the caller's to wait out (:func:`bridge.cli.cmd_poll`).
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import redis
import structlog

from bridge.app.metrics import CASES_INGESTED, POLL_ERRORS
from bridge.app.runtime import Runtime
from bridge.domain.errors import PlatformError, RateLimited
from bridge.domain.model import Mention
from bridge.domain.ports import SocialPlatform

__all__ = [
    "FAILURE_BACKOFF_MAX_SECONDS",
    "INGEST_THREADS",
    "PARALLEL_FROM",
    "Backoff",
    "cursor_name",
    "poll_once",
]

log = structlog.get_logger(__name__)

FAILURE_BACKOFF_MAX_SECONDS = 300
"""The longest a platform that keeps failing unexpectedly is left alone between two tries."""
PARALLEL_FROM = 16
"""A batch of at least this many mentions is ingested by several threads."""
INGEST_THREADS = 4


def cursor_name(platform: str) -> str:
    return f"{platform}:mentions:since_id"


def poll_once(rt: Runtime, backoff: Backoff | None = None) -> float:
    """Poll every platform once; returns seconds until the next poll should happen."""
    backoff = backoff or Backoff()
    delay = float(rt.settings.bridge_poll_seconds)
    now = rt.clock.now().timestamp()
    for name, social in _readers(rt):
        if backoff.waiting(f"{name}:mentions", now):
            continue
        try:
            wait, read = _poll_mentions(rt, name, social, now)
        except (redis.ConnectionError, redis.TimeoutError):
            raise
        except Exception:  # noqa: BLE001  # unforeseen: logged with its traceback, counted, backed off
            rt.meter.count(POLL_ERRORS, platform=name, kind="unexpected")
            backoff.failed(name, "mentions", now)
            continue
        backoff.succeeded(name, "mentions")
        delay = max(delay, wait)
        if read and name in rt.socials:
            _poll_direct_messages(rt, name, now, backoff)
    return delay


class Backoff:
    """Which platform reads failed unexpectedly, and until when each is left alone.

    Kept by the polling loop across polls; a single poll without one still logs, counts and goes on.
    """

    def __init__(self) -> None:
        self._failures: dict[str, tuple[int, float]] = {}  # read -> (failures in a row, skip until)

    def waiting(self, read: str, now: float) -> bool:
        return now < self._failures.get(read, (0, 0.0))[1]

    def failed(self, platform: str, read: str, now: float) -> None:
        key = f"{platform}:{read}"
        count = self._failures.get(key, (0, 0.0))[0] + 1
        wait = min(FAILURE_BACKOFF_MAX_SECONDS, 2.0**count)
        self._failures[key] = (count, now + wait)
        log.exception(  # noqa: LOG004  # called from the caller's except block
            "poll_failed_unexpectedly", platform=platform, read=read, failures=count, retry_in_seconds=wait
        )

    def succeeded(self, platform: str, read: str) -> None:
        self._failures.pop(f"{platform}:{read}", None)


def _poll_mentions(rt: Runtime, name: str, social: SocialPlatform, now: float) -> tuple[float, bool]:
    """One platform's new mentions into cases; returns how long it asks us to wait, and whether
    the mentions were read (if not, its direct messages wait for the next poll too)."""
    since = rt.store.cursor(cursor_name(name))
    try:
        batch = social.fetch_mentions(since)
    except RateLimited as exc:
        wait = max(1.0, exc.retry_at - now)
        log.warning("poll_rate_limited", platform=name, retry_in_seconds=round(wait))
        rt.meter.count(POLL_ERRORS, platform=name, kind="rate_limited")
        return wait, False
    except PlatformError as exc:
        log.exception("poll_failed", platform=name, error=str(exc))
        rt.meter.count(POLL_ERRORS, platform=name, kind="failed")
        return 0.0, False
    with rt.dispatch.batched_cards(), rt.meter.held():  # the page's cards go out in a few jobs
        created = _ingest_all(
            rt, sorted(batch.mentions, key=lambda m: int(m.post_id) if m.post_id.isdigit() else 0)
        )
    if batch.newest_id:
        rt.store.set_cursor(cursor_name(name), batch.newest_id)
    log.info("polled", platform=name, seen=len(batch.mentions), new_cases=created, since_id=batch.newest_id)
    return 0.0, True


def _ingest_one(rt: Runtime, mention: Mention, new_authors: frozenset[tuple[str, str]]) -> int:
    # _ingest_all looked the page's posts and authors up
    new_author = (mention.platform, mention.post_id) in new_authors
    ingested = rt.ingestor.ingest(mention, unseen=True, new_author=new_author)
    if not ingested.created:
        return 0
    rt.meter.count(CASES_INGESTED, platform=mention.platform, verdict=ingested.reason)
    log.info("case_opened", case=ingested.number, platform=mention.platform, verdict=ingested.reason)
    return 1


def _ingest_lane(rt: Runtime, new_authors: frozenset[tuple[str, str]], mentions: list[Mention]) -> int:
    with rt.meter.held():  # each ingest thread's counts in one write
        return sum(_ingest_one(rt, mention, new_authors) for mention in mentions)


def _without_cases(rt: Runtime, mentions: list[Mention]) -> tuple[list[Mention], frozenset[tuple[str, str]]]:
    """The page's posts that have no case yet, each once, in order, and which of them are the first
    post in the page of an author with no case in the follow-up index (their ingest need not look
    the author up again: their case is new, unless another post of theirs made one meanwhile, which
    only a later post of theirs in this page can, and that one looks). One lookup for the whole page
    instead of two per mention; creating a case still checks again, atomically."""
    first: dict[tuple[str, str], Mention] = {}
    for mention in mentions:
        first.setdefault((mention.platform, mention.post_id), mention)
    authors = list(dict.fromkeys((m.platform, m.author.id) for m in first.values()))
    known, latest = rt.store.cases_for_posts(list(first), authors)
    unseen = [mention for mention, number in zip(first.values(), known, strict=True) if number is None]
    without_index = {author for author, number in zip(authors, latest, strict=True) if number is None}
    new_authors: set[tuple[str, str]] = set()
    for mention in unseen:
        author = (mention.platform, mention.author.id)
        if author in without_index:
            without_index.discard(author)  # their later posts in the page look for the case this one makes
            new_authors.add((mention.platform, mention.post_id))
    return unseen, frozenset(new_authors)


def _ingest_all(rt: Runtime, mentions: list[Mention]) -> int:
    """Ingest ``mentions`` (oldest first); returns how many cases were opened.

    Ingest mostly waits for Redis, so a large batch (a crisis) is ingested by
    :data:`INGEST_THREADS` threads, each taking whole authors in order: a customer's second post
    still finds the case their first opened. Replies within a conversation come after, in order, so
    they find the case of the post they answer."""
    mentions, new_authors = _without_cases(rt, mentions)
    if len(mentions) < PARALLEL_FROM:
        return _ingest_lane(rt, new_authors, mentions)
    lanes: dict[int, list[Mention]] = defaultdict(list)
    replies = []
    for mention in mentions:
        if mention.in_reply_to or (mention.conversation_id and mention.conversation_id != mention.post_id):
            replies.append(mention)
        else:
            lanes[zlib.crc32(f"{mention.platform}:{mention.author.id}".encode()) % INGEST_THREADS].append(
                mention
            )
    with ThreadPoolExecutor(INGEST_THREADS, thread_name_prefix="ingest") as pool:
        created = sum(pool.map(partial(_ingest_lane, rt, new_authors), lanes.values()))
    return created + _ingest_lane(rt, new_authors, replies)


def _readers(rt: Runtime) -> list[tuple[str, SocialPlatform]]:
    """The care handles, then the main brand accounts that can be read (``x:main``).

    A post mentioning both accounts is read twice and still makes one case: ingest is once per post.
    Direct messages are read from the care handle only, where private conversations are held.
    """
    care = list(rt.socials.items())
    main = [(f"{name}:main", social) for name, social in rt.main_accounts.items()]
    return care + main


def _poll_direct_messages(rt: Runtime, name: str, now: float, backoff: Backoff) -> None:
    """Customers' direct messages join cases that moved to private messages."""
    if backoff.waiting(f"{name}:direct_messages", now):
        return
    try:
        messages = rt.socials[name].fetch_direct_messages()
        for message in reversed(messages):  # oldest first, so the thread reads in order
            if rt.surveys.answer(message) is None:  # a survey's answer is taken before the case flow
                rt.followups.attach_direct_message(message)
    except PlatformError as exc:
        log.warning("dm_poll_failed", platform=name, error=str(exc))
        rt.meter.count(POLL_ERRORS, platform=name, kind="direct_messages")
        return
    except (redis.ConnectionError, redis.TimeoutError):
        raise
    except Exception:  # noqa: BLE001  # unforeseen: logged with its traceback, counted, backed off
        rt.meter.count(POLL_ERRORS, platform=name, kind="unexpected_direct_messages")
        backoff.failed(name, "direct_messages", now)
        return
    backoff.succeeded(name, "direct_messages")
