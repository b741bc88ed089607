"""Meta's webhook on the bridge's web app (``/meta/webhook``), and the job that reads a delivery.

``GET`` is the subscription handshake; ``POST`` is a delivery, refused unless its
``X-Hub-Signature-256`` is the HMAC of its raw body with ``META_APP_SECRET`` (401 without one, 403 for a
wrong one, each logged). A signed delivery is queued and acknowledged at once, well inside Meta's time
limit; a delivery Meta sends again (same body) is acknowledged without queueing it twice, and each
comment or message inside is once per id anyway (ingest keeps one case per post id).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import TYPE_CHECKING

import structlog
from aiohttp import web

from adapters.meta.ids import profile_url, when
from adapters.meta.platform import InstagramPlatform, MetaPlatform
from adapters.meta.webhook import (
    SIGNATURE_HEADER,
    Changed,
    Delivery,
    check_signature,
    parse_delivery,
    verification,
)
from bridge.app import runtime
from bridge.app.enqueue import enqueue
from bridge.app.metrics import CASES_INGESTED
from bridge.domain.model import Author, Mention

if TYPE_CHECKING:
    from bridge.app.runtime import Runtime
    from bridge.app.web import Route

__all__ = ["PATH", "meta_routes", "process_delivery"]

log = structlog.get_logger(__name__)

PATH = "/meta/webhook"
#: How long a delivery's body is remembered, so Meta's redeliveries are not queued again.
REDELIVERY_SECONDS = 2 * 86_400


def meta_routes(rt: Runtime) -> list[Route]:
    secret = rt.settings.meta_app_secret or ""
    verify_token = rt.settings.meta_verify_token or ""
    if not verify_token:
        log.warning(
            "meta_verify_token_missing",
            effect="Meta cannot subscribe /meta/webhook",
            fix="set META_VERIFY_TOKEN",
        )

    async def handshake(request: web.Request) -> web.Response:
        status, text = verification(request.query, verify_token)
        if status != 200:
            log.warning("meta_webhook_verification_refused", mode=request.query.get("hub.mode", ""))
        return web.Response(status=status, text=text)

    async def delivery(request: web.Request) -> web.Response:
        body = await request.read()
        header = request.headers.get(SIGNATURE_HEADER)
        if not header:
            log.warning("meta_webhook_unsigned", remote=request.remote)
            return web.Response(status=401, text="signature missing")
        if not check_signature(secret, body, header):
            log.warning("meta_webhook_bad_signature", remote=request.remote)
            return web.Response(status=403, text="signature does not match")
        problem = _unreadable(body)
        if problem:  # signed by Meta's secret, yet no delivery: say so now rather than fail a job five times
            log.warning("meta_webhook_unreadable", problem=problem, remote=request.remote)
            return web.Response(status=400, text=problem)
        await asyncio.to_thread(_queue, rt, body)
        return web.Response(text="EVENT_RECEIVED")

    return [("GET", PATH, handshake), ("POST", PATH, delivery)]


def _unreadable(body: bytes) -> str:
    """What is wrong with a delivery's body, or "" when it is one: a JSON object with an ``entry`` list."""
    try:
        payload = json.loads(body)
    except ValueError:
        return "the body is not JSON"
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        return "not a webhook delivery: expected a JSON object with an entry list"
    return ""


def _queue(rt: Runtime, body: bytes) -> None:
    digest = hashlib.sha256(body).hexdigest()
    seen = f"meta:delivery:{digest}"
    if not rt.store.first_time(seen, REDELIVERY_SECONDS):
        log.info("meta_webhook_redelivery", digest=digest[:12])
        return
    try:
        enqueue(rt.queue, process_delivery, body.decode("utf-8", errors="replace"))
    except Exception:
        rt.store.r.delete(rt.store.k("once", seen))  # not queued: Meta's redelivery must get through
        raise


def _meta(rt: Runtime, name: str) -> MetaPlatform | None:
    social = rt.socials.get(name)
    return social if isinstance(social, MetaPlatform) else None


def process_delivery(body: str) -> int:
    """The job: every comment, mention and message of one delivery into cases; returns how many
    cases it opened. Safe to run twice: ingest is once per post id."""
    rt = runtime.current()
    facebook, instagram = _meta(rt, "facebook"), _meta(rt, "instagram")
    known = facebook or instagram
    if known is None:
        log.warning("meta_webhook_without_platform")
        return 0
    found = parse_delivery(json.loads(body), known.page_id, instagram.account_id if instagram else "")
    mentions = [_named(rt, m) for m in found.mentions] + _looked_up(instagram, found)
    opened = 0
    for mention in mentions:
        if _meta(rt, mention.platform) is None:
            continue  # e.g. Instagram events while only the Page is configured
        done = rt.ingestor.ingest(mention)
        if done.created:
            opened += 1
            rt.meter.count(CASES_INGESTED, platform=mention.platform, verdict=done.reason)
            log.info("case_opened", case=done.number, platform=mention.platform, verdict=done.reason)
    for change in found.changed:
        _changed(rt, change)
    log.info("meta_delivery", mentions=len(mentions), new_cases=opened, skipped=len(found.skipped))
    return opened


def _changed(rt: Runtime, change: Changed) -> None:
    """An edit or removal of a post that is a case: said once in its thread (the case stays)."""
    number = rt.store.case_for_post(change.platform, change.post_id)
    once = hashlib.sha256(f"{change.post_id}:{change.verb}:{change.text}".encode()).hexdigest()
    if number is None or not rt.store.first_time(f"meta:changed:{once}", REDELIVERY_SECONDS):
        return
    case = rt.store.get(number)
    if change.verb == "remove":
        rt.store.record(number, "customer_removed", case.author_handle, post_id=change.post_id)
        rt.dispatch.thread_notice(
            number, f"The customer removed their post on {change.platform.capitalize()}."
        )
        return
    rt.store.record(
        number, "customer_follow_up", case.author_handle, post_id=change.post_id, text=change.text[:2000]
    )
    rt.dispatch.thread_notice(number, "The customer edited their post; it now says:", quote=change.text)
    rt.dispatch.refresh_card(number)


def _named(rt: Runtime, mention: Mention) -> Mention:
    """A new comment with its post, a new message with its author's name (a redelivery reads nothing)."""
    social = _meta(rt, mention.platform)
    if social is None or rt.store.case_for_post(mention.platform, mention.post_id) is not None:
        return mention
    return social.with_context(mention)


def _looked_up(instagram: MetaPlatform | None, found: Delivery) -> list[Mention]:
    """Instagram @mentions in others' comments: their text is read from the Graph API."""
    if not isinstance(instagram, InstagramPlatform):
        return []
    mentions = []
    for lookup in found.lookups:
        comment = instagram.mentioned_comment(lookup.comment_id)
        if not comment:
            continue
        media = comment.get("media") or {}
        username = str(comment.get("username") or "")
        mentions.append(
            Mention(
                platform="instagram",
                post_id=str(comment.get("id") or lookup.comment_id),
                text=str(comment.get("text") or ""),
                author=Author(id=username, handle=username, name=""),
                created_at=when(comment.get("timestamp")),
                url=str(media.get("permalink") or ""),
                account=instagram.handle,
                conversation_id=str(media.get("id") or lookup.media_id) or None,
                visibility="public (mention)",
                author_url=profile_url("instagram", username) if username else "",
            )
        )
    return mentions
