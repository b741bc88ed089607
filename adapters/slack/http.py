"""``POST /slack/events`` for aiohttp: verify, read, check, then answer a hot button's click on the event
loop (:mod:`adapters.slack.hot_buttons`) and dispatch everything else to Bolt off the event loop.

A request passes four checks before Bolt sees it, and each refusal is one structured log line:
1. the signature, over exactly the bytes received (a 401 otherwise): Slack signs bytes, and a body
   decoded lossily first would no longer match its signature;
2. the bytes are UTF-8 (a 400): Slack sends nothing else;
3. the body parses the way Bolt will parse it, as JSON or a form (a 400);
4. the fields Bolt and the listeners read have the types Slack sends (:mod:`adapters.slack.shapes`):
   a 400, except for an event callback whose event cannot be read, which is acknowledged with the
   200 Slack expects, since Slack would only send it again.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aiohttp import web
from slack_bolt import App, BoltRequest
from slack_bolt.request.internals import parse_body

from adapters.slack.hot_buttons import HotButtons
from adapters.slack.shapes import EVENT_CALLBACK, event_problem, problem

log = structlog.get_logger(__name__)
MAX_BODY_BYTES = 1_000_000
SIGNATURE_MAX_AGE_SECONDS = 300  # Slack's replay window: five minutes either way


def signature_valid(secret: str, raw: bytes, timestamp: str, signature: str, now: float) -> bool:
    """Slack's ``v0`` signature of ``raw``, within the replay window."""
    try:
        age = abs(now - int(timestamp))
    except ValueError:
        return False
    if age > SIGNATURE_MAX_AGE_SECONDS:
        return False
    signed = b"v0:" + timestamp.encode() + b":" + raw
    expected = b"v0=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest().encode()
    return hmac.compare_digest(expected, signature.encode("utf-8", errors="replace"))


def _refuse(status: int, event: str, reason: str, **fields: Any) -> web.Response:
    log.info(event, reason=reason, status=status, **fields)
    error = {400: "malformed payload", 401: "invalid request"}.get(status, reason)
    return web.json_response({"error": error}, status=status)


def _read(raw: bytes, content_type: str | None) -> tuple[str, dict[str, Any], str]:
    """The body as text and parsed as Bolt parses it, or why it cannot be (checks 2 to 4)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "", {}, f"the body is not UTF-8 (byte {exc.start})"
    try:
        body: Any = parse_body(text, content_type)
    except (ValueError, RecursionError) as exc:
        return text, {}, f"the body does not parse as {content_type or 'JSON or a form'}: {exc}"[:200]
    return text, body, problem(body)


def slack_events_handler(
    app: App, signing_secret: str, hot: HotButtons | None = None
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        raw = await request.read()
        if len(raw) > MAX_BODY_BYTES:
            return _refuse(413, "slack_request_too_large", "payload too large", size=len(raw))
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not signature_valid(signing_secret, raw, timestamp, signature, time.time()):
            return _refuse(401, "slack_request_unverified", "no valid signature for these bytes")
        content_type = request.headers.get("Content-Type", "").split(";")[0] or None
        text, body, why = _read(raw, content_type)
        if why:
            return _refuse(400, "slack_request_malformed", why, content_type=content_type)
        unreadable_event = event_problem(body)
        if unreadable_event and body.get("type") == EVENT_CALLBACK:
            log.info("slack_event_ignored", reason=unreadable_event, event_id=body.get("event_id"))
            return web.Response(status=200)
        if unreadable_event:
            return _refuse(400, "slack_request_malformed", unreadable_event, content_type=content_type)
        if hot is not None and hot.handles(body):
            await hot.click(body)
            return web.Response(status=200)  # what Bolt answers for a bare ack()
        headers: dict[str, list[str]] = defaultdict(list)  # as Bolt reads them (a hot click needs none)
        for name, value in request.headers.items():
            headers[name.lower()].append(value)
        bolt_request = BoltRequest(body=text, query=request.query_string, headers=dict(headers))
        response = await asyncio.get_running_loop().run_in_executor(None, app.dispatch, bolt_request)
        out_headers = {
            k: v
            for k, v in response.first_headers_without_set_cookie().items()
            if k.lower() != "content-length"
        }
        return web.Response(status=response.status, body=response.body.encode("utf-8"), headers=out_headers)

    return handle
