"""Microsoft Entra's sign-in, as a stand-in: the v2.0 authorize page and token endpoint of a tenant.

The authorize page signs in :attr:`EntraStandIn.next_person` at once and returns with a one-time
code; the token endpoint checks the client's credentials, the code and the redirect address and
answers as Entra does, with an ID token carrying ``oid``, ``tid``, ``name`` and the nonce. Errors
take Entra's OAuth shape (``error``, ``error_description``).
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

import jwt
from aiohttp import web

TENANT = "00000000-0000-4000-8000-00000000abcd"
SIGNING_KEY = "stand-in-entra-signing-key-at-least-32-bytes"


class EntraStandIn:
    def __init__(self, client_id: str, client_secret: str, tenant: str = TENANT) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.tenant = tenant
        self.next_person: tuple[str, str] | None = None  # (object id, name)
        self._codes: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()
        self.app = web.Application()
        self.app.router.add_get(f"/{tenant}/oauth2/v2.0/authorize", self._authorize)
        self.app.router.add_post(f"/{tenant}/oauth2/v2.0/token", self._token)

    async def _authorize(self, request: web.Request) -> web.StreamResponse:
        query = dict(request.query)
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return web.Response(status=400, text="AADSTS700016: application not found in the directory")
        if self.next_person is None:
            return web.Response(status=403, text="nobody is signed in to Microsoft in this browser")
        code = secrets.token_urlsafe(24)
        oid, name = self.next_person
        with self._lock:
            self._codes[code] = {
                "oid": oid,
                "name": name,
                "nonce": query.get("nonce", ""),
                "redirect_uri": query["redirect_uri"],
            }
        raise web.HTTPFound(
            f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return _error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
        with self._lock:
            grant = self._codes.pop(str(form.get("code", "")), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return _error(
                400, "invalid_grant", "AADSTS54005: OAuth2 Authorization code was already redeemed."
            )
        now = int(time.time())
        claims: dict[str, Any] = {
            "aud": self.client_id,
            "iss": f"https://login.microsoftonline.com/{self.tenant}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "oid": grant["oid"],
            "tid": self.tenant,
            "name": grant["name"],
            "nonce": grant["nonce"],
            "ver": "2.0",
        }
        return web.json_response(
            {
                "token_type": "Bearer",
                "scope": "openid profile",
                "expires_in": 3600,
                "access_token": secrets.token_urlsafe(24),
                "id_token": jwt.encode(claims, SIGNING_KEY, algorithm="HS256"),
            }
        )


def _error(status: int, error: str, description: str) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=status)
