"""Sign in with Slack, as a stand-in: the authorize page and ``openid.connect.token``.

The authorize page signs in whoever the test chose (:attr:`SlackSignInStandIn.next_person`) at once,
as Slack does for a browser already signed in to the workspace, and sends the browser back with a
one-time code; the token method checks the app's credentials, the code and the redirect address as
Slack documents, and answers with an ID token carrying Slack's claims.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

import jwt
from aiohttp import web

CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "stand-in-client-secret"
SIGNING_KEY = "stand-in-signing-key-of-at-least-32-bytes"


class SlackSignInStandIn:
    def __init__(self, team_id: str) -> None:
        self.team_id = team_id
        self.next_person: tuple[str, str] | None = None  # (user id, name) who signs in next
        self.codes: dict[str, dict[str, str]] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self._lock = threading.Lock()

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Before the catch-all ``/api/{method}``, so the token method is answered here."""
        router.add_get("/openid/connect/authorize", self._authorize)
        router.add_post("/api/openid.connect.token", self._token)

    async def _authorize(self, request: web.Request) -> web.StreamResponse:
        query = dict(request.query)
        self.authorize_requests.append(query)
        if query.get("client_id") != CLIENT_ID or "openid" not in query.get("scope", "").split():
            return web.Response(status=400, text="invalid_client_id or scope")
        if self.next_person is None:
            return web.Response(status=403, text="nobody is signed in to Slack in this browser")
        code = secrets.token_urlsafe(16)
        user, name = self.next_person
        with self._lock:
            self.codes[code] = {
                "user": user,
                "name": name,
                "nonce": query.get("nonce", ""),
                "redirect_uri": query.get("redirect_uri", ""),
            }
        back = {"code": code, "state": query.get("state", "")}
        raise web.HTTPFound(f"{query.get('redirect_uri', '')}?{urlencode(back)}")

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        client_id, client_secret = _basic(request) or (
            str(form.get("client_id")),
            str(form.get("client_secret")),
        )
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            return web.json_response({"ok": False, "error": "invalid_client"})
        with self._lock:
            grant = self.codes.pop(str(form.get("code", "")), None)  # one use only
        if grant is None:
            return web.json_response({"ok": False, "error": "invalid_code"})
        if grant["redirect_uri"] and form.get("redirect_uri") != grant["redirect_uri"]:
            return web.json_response({"ok": False, "error": "bad_redirect_uri"})
        return web.json_response(
            {
                "ok": True,
                "access_token": "xoxp-stand-in-" + secrets.token_hex(4),
                "token_type": "Bearer",
                "id_token": self._id_token(grant),
            }
        )

    def _id_token(self, grant: dict[str, str]) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": "https://slack.com",
            "sub": grant["user"],
            "aud": CLIENT_ID,
            "exp": now + 3600,
            "iat": now,
            "auth_time": now,
            "nonce": grant["nonce"],
            "https://slack.com/user_id": grant["user"],
            "https://slack.com/team_id": self.team_id,
            "name": grant["name"],
        }
        return jwt.encode(claims, SIGNING_KEY, algorithm="HS256")


def _basic(request: web.Request) -> tuple[str, str] | None:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    client_id, _, secret = base64.b64decode(credentials).decode().partition(":")
    return client_id, secret
