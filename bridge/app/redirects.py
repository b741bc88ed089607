"""The web routes of tracked links: ``GET /r/<token>`` and ``POST /api/conversions``.

``/r/<token>`` counts a click on the link's case and answers 302 to the address the answer linked to;
nothing about the person who clicked is kept (the access log leaves out their address on this route).
Link-preview fetchers are redirected but not counted: X's card crawler, and every Mastodon instance
that shows the post, would otherwise count as clicks (the user agent is looked at, never stored).
``/api/conversions`` takes a purchase from the brand's shop, signed with ``BRIDGE_CONVERSIONS_SECRET``
(:mod:`bridge.reports.signatures`): 401 without a signature, 403 with a wrong one, 400 for a body
that cannot be read, 404 for a token the bridge never made, and each ``order_id`` counts once.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from html import escape

import structlog
from aiohttp import web

from bridge.app.metrics import LINK_CLICKS, LINK_CONVERSIONS
from bridge.app.runtime import Runtime
from bridge.domain.errors import BadConversion, SignatureRefused
from bridge.reports.conversions import parse_conversion
from bridge.reports.links import Counted
from bridge.reports.signatures import SIGNATURE_HEADER, verify

__all__ = ["CLICK_PATH", "CONVERSIONS_PATH", "PREVIEW_FETCHERS", "tracked_link_routes"]

log = structlog.get_logger(__name__)

CLICK_PATH = "/r/{token}"
CONVERSIONS_PATH = "/api/conversions"
_UNKNOWN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Link not found</title></head>
<body><h1>This link is not known</h1>
<p>It may have been mistyped, or it is older than {brand} keeps its links. The address you were
sent to is not available from here.</p></body></html>
"""
#: User agents of link-preview fetchers and crawlers: redirected, not counted as a person's click.
PREVIEW_FETCHERS = re.compile(
    r"(?i)twitterbot|facebookexternalhit|facebot|slackbot|mastodon/|pleroma|akkoma|misskey|cardyb|"
    r"bluesky|discordbot|telegrambot|whatsapp|linkedinbot|skypeuripreview|embedly|bot\b|crawler|spider"
)
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def tracked_link_routes(rt: Runtime) -> list[tuple[str, str, _Handler]]:
    """The two routes, registered by :func:`bridge.app.web.create_app` in every web process."""
    return [("GET", CLICK_PATH, _click_handler(rt)), ("POST", CONVERSIONS_PATH, _conversion_handler(rt))]


def _click_handler(rt: Runtime) -> _Handler:
    async def click(request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if PREVIEW_FETCHERS.search(request.headers.get("User-Agent", "")):
            link = await asyncio.to_thread(rt.links.get, token)
            if link is not None and link.url.lower().startswith(("https://", "http://")):
                raise web.HTTPFound(link.url, headers=_NO_STORE)
        link = await asyncio.to_thread(rt.links.click, token)
        if link is None or not link.url.lower().startswith(("https://", "http://")):
            page = _UNKNOWN_PAGE.format(brand=escape(rt.playbook.brand.name))
            return web.Response(status=404, text=page, content_type="text/html", headers=_NO_STORE)
        rt.meter.count(LINK_CLICKS, platform=link.platform)
        log.info("link_clicked", case=link.case, token=link.token)
        raise web.HTTPFound(link.url, headers=_NO_STORE)

    return click


def _refusal(status: int, error: str) -> web.Response:
    return web.json_response({"ok": False, "error": error}, status=status)


def _conversion_handler(rt: Runtime) -> _Handler:
    async def conversion(request: web.Request) -> web.StreamResponse:
        secret = rt.settings.bridge_conversions_secret
        if not secret:
            return _refusal(503, "conversions are off: BRIDGE_CONVERSIONS_SECRET is not set on the bridge")
        body = await request.read()
        try:
            verify(secret, body, request.headers.get(SIGNATURE_HEADER))
            sale = parse_conversion(body)
        except SignatureRefused as exc:
            log.warning("conversion_refused", reason=str(exc))
            return _refusal(401 if exc.missing else 403, str(exc))
        except BadConversion as exc:
            return _refusal(400, str(exc))
        counted, link = await asyncio.to_thread(rt.links.convert, sale.token, sale.order_id, sale.value)
        if link is None or counted is Counted.UNKNOWN:
            return _refusal(
                404, "no tracked link has this token (mistyped, or older than the links are kept)"
            )
        if counted is Counted.COUNTED:
            rt.meter.count(LINK_CONVERSIONS, platform=link.platform)
        log.info("conversion", case=link.case, token=link.token, outcome=counted.value)
        return web.json_response(
            {
                "ok": True,
                "counted": counted is Counted.COUNTED,
                "duplicate": counted is Counted.DUPLICATE,
                "case": link.case,
            }
        )

    return conversion
