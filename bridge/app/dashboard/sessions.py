"""Signed session cookies for the dashboard, shared by every web process through one secret.

A cookie holds who signed in, how, and until when, with an HMAC-SHA256 over it: nothing to look up
per request, and a change of secret signs everyone out. The secret is ``BRIDGE_DASHBOARD_SECRET``
when set, else one drawn at random and kept in Redis, so several web processes agree on it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass

import redis

__all__ = ["SESSION_COOKIE", "SESSION_SECONDS", "Sessions", "Viewer", "shared_secret"]

SESSION_COOKIE = "bridge_session"
SESSION_SECONDS = 12 * 3600  # a working day: sign in once in the morning


@dataclass(frozen=True)
class Viewer:
    """The person (or headless client) looking at the dashboard."""

    user_id: str
    name: str
    via: str  # "token", "slack" or "entra"
    expires: float  # epoch seconds


def shared_secret(client: redis.Redis, prefix: str, configured: str | None) -> bytes:
    """``configured`` when given, else the deployment's random secret in Redis (made once)."""
    if configured:
        return configured.encode("utf-8")
    key = f"{prefix}dashboard:secret"
    client.set(key, secrets.token_hex(32), nx=True)
    value = client.get(key)
    if value is None:  # removed between the two calls: make it again
        return shared_secret(client, prefix, configured)
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


class Sessions:
    """Issues and reads signed values: session cookies and the short-lived sign-in state.

    The secret is asked for on first use, not at start-up: the web process must serve ``/healthz``
    while Redis (where a drawn secret lives) does not answer."""

    def __init__(self, secret: Callable[[], bytes]) -> None:
        self._find_secret = secret
        self._known: bytes | None = None

    @property
    def _secret(self) -> bytes:
        if self._known is None:
            self._known = self._find_secret()
        return self._known

    def sign(self, payload: dict[str, object]) -> str:
        body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
        return f"{body}.{self._mac(body)}"

    def unsign(self, value: str, now: float) -> dict[str, object] | None:
        """The payload when the signature is ours and ``expires`` has not passed; else None."""
        body, _, mac = value.rpartition(".")
        if not body or not hmac.compare_digest(mac, self._mac(body)):
            return None
        try:
            payload = json.loads(base64.urlsafe_b64decode(body.encode()))
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(payload, dict) or float(payload.get("expires", 0)) <= now:
            return None
        return payload

    def issue(self, viewer: Viewer) -> str:
        return self.sign(asdict(viewer))

    def read(self, cookie: str | None, now: float) -> Viewer | None:
        payload = self.unsign(cookie, now) if cookie else None
        if payload is None:
            return None
        try:
            return Viewer(
                user_id=str(payload["user_id"]),
                name=str(payload["name"]),
                via=str(payload["via"]),
                expires=float(str(payload["expires"])),
            )
        except KeyError:
            return None

    def _mac(self, body: str) -> str:
        return hmac.new(self._secret, body.encode(), hashlib.sha256).hexdigest()
