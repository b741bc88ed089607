"""Server-rendered pages: Jinja2 with autoescaping on, so a customer's words are text, never markup.

Every page is one template over ``base.html``; nothing is loaded from outside the bridge (no
script, no font, no stylesheet from the internet): the styles are inline and charts are inline SVG.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

__all__ = ["render", "render_text"]

_environment = Environment(
    loader=PackageLoader("bridge.app.dashboard", "templates"),
    autoescape=select_autoescape(["html"], default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

#: No script runs, nothing loads from elsewhere, no other site may frame the page.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def render_text(template: str, **context: Any) -> str:
    return _environment.get_template(template).render(**context)


def render(template: str, *, status: int = 200, **context: Any) -> web.Response:
    response = web.Response(
        text=render_text(template, **context), status=status, content_type="text/html", charset="utf-8"
    )
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response
