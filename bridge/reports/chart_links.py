"""Charts served by the bridge's web process at an unguessable, expiring address.

Slack shows an image in a message only from a URL it fetches itself, and its file upload posts the
file to the channel for everyone (and needs the ``files:write`` scope), which would break the
report's promise of being only for the person who asked. So the PNG is kept in Redis for
:data:`CHART_TTL_SECONDS` under a random 192-bit token, and ``GET /reports/charts/<token>.png``
serves it from any web process: the token is the capability (as unforgeable as a signature, and it
expires), and there is nothing to read without it. Teams gets the PNG inline as well.
"""

from __future__ import annotations

import re
import secrets

from bridge.store.cases import Store

__all__ = ["CHART_ROUTE", "CHART_TTL_SECONDS", "Charts"]

CHART_TTL_SECONDS = 7 * 86_400
CHART_ROUTE = "/reports/charts/{token}.png"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


class Charts:
    def __init__(self, store: Store, public_url: str | None) -> None:
        self.store = store
        self.public_url = (public_url or "").rstrip("/")

    def keep(self, png: bytes) -> str:
        """Store ``png``; its public URL, or "" when the bridge has none (``BRIDGE_PUBLIC_URL``)."""
        token = secrets.token_urlsafe(24)
        self.store.r.set(self.store.k("chart", token), png, ex=CHART_TTL_SECONDS)
        if not self.public_url:
            return ""
        return self.public_url + CHART_ROUTE.format(token=token)

    def get(self, token: str) -> bytes | None:
        if not _TOKEN.match(token):
            return None
        raw = self.store.r.get(self.store.k("chart", token))
        return raw if isinstance(raw, bytes) else None
