"""``POST /slack/events`` for aiohttp: verify, dispatch to Bolt off the event loop, answer.

Bolt verifies signatures and timestamps itself; this handler only adds what Bolt cannot: a body that
is not even parseable is a 400 when it is correctly signed, and a 401 when it is not.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier

MAX_BODY_BYTES = 1_000_000


def slack_events_handler(app: App, signing_secret: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    verifier = SignatureVerifier(signing_secret)

    async def handle(request: web.Request) -> web.Response:
        raw = await request.read()
        if len(raw) > MAX_BODY_BYTES:
            return web.json_response({"error": "payload too large"}, status=413)
        body = raw.decode("utf-8", errors="replace")
        headers: dict[str, list[str]] = defaultdict(list)
        for name, value in request.headers.items():
            headers[name.lower()].append(value)
        try:
            bolt_request = BoltRequest(body=body, query=request.query_string, headers=dict(headers))
        except ValueError:
            if not verifier.is_valid_request(body, dict(request.headers)):
                return web.json_response({"error": "invalid request"}, status=401)
            return web.json_response({"error": "malformed payload"}, status=400)
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(None, app.dispatch, bolt_request)
        out_headers = {
            k: v
            for k, v in response.first_headers_without_set_cookie().items()
            if k.lower() != "content-length"
        }
        return web.Response(status=response.status, body=response.body.encode("utf-8"), headers=out_headers)

    return handle
