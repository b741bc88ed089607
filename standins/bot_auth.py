"""Stand-ins of the Bot Framework's two token services, for an authenticated bridge on one machine.

Outbound, a bot gets an app token from Entra (client credentials) and sends it with every Bot
Connector call: :meth:`BotAuthStandIn.token` issues such tokens and :meth:`valid` checks them.
Inbound, Teams signs a JWT per request (issuer ``https://api.botframework.com``, audience the app id,
a ``serviceurl`` claim, a key endorsed for ``msteams``) and the bot checks it against the keys that
the OpenID metadata names: :meth:`channel_token` signs one with this stand-in's own RSA key, which
its metadata and key set publish.
"""

from __future__ import annotations

import json
import secrets
import threading
import time

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

TOKEN_PATH = "/botframework.com/oauth2/v2.0/token"
OPENID_PATH = "/v1/.well-known/openidconfiguration"
KEYS_PATH = "/v1/keys"
CHANNEL_ISSUER = "https://api.botframework.com"


class BotAuthStandIn:
    def __init__(self, *, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self._issued: set[str] = set()
        self._lock = threading.Lock()
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.key_id = "standin-" + secrets.token_hex(4)
        self.instance = secrets.token_hex(8)
        self.base_url = ""  # set once the server runs, for the metadata's jwks_uri

    def routes(self, app: web.Application) -> None:
        # Under this key's own path: botbuilder caches signing keys per metadata URL for the whole
        # process, so a later stand-in on a reused port must not look like the same issuer.
        app.router.add_post(TOKEN_PATH, self._token)
        app.router.add_get(f"/{self.instance}{OPENID_PATH}", self._openid)
        app.router.add_get(f"/{self.instance}{KEYS_PATH}", self._keys)

    def openid_url(self) -> str:
        return f"{self.base_url}/{self.instance}{OPENID_PATH}"

    def rotate_keys(self) -> None:
        """Sign with a new key from now on, as Microsoft rotates its signing keys."""
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.key_id = "standin-" + secrets.token_hex(4)

    def token_url(self) -> str:
        return self.base_url + TOKEN_PATH

    # outbound: app tokens ----------------------------------------------------------------------------
    def valid(self, authorization: str) -> bool:
        token = authorization.removeprefix("Bearer ").strip()
        with self._lock:
            return token in self._issued

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return web.json_response({"error": "invalid_client"}, status=401)
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._issued.add(token)
        return web.json_response({"token_type": "Bearer", "expires_in": 3600, "access_token": token})

    # inbound: channel tokens -------------------------------------------------------------------------
    def channel_token(self, service_url: str, *, audience: str = "", lifetime_seconds: int = 3600) -> str:
        """A token as Teams sends one with an activity from ``service_url``."""
        now = int(time.time())
        claims = {
            "iss": CHANNEL_ISSUER,
            "aud": audience or self.client_id,
            "serviceurl": service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + lifetime_seconds,
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.key_id})

    async def _openid(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": CHANNEL_ISSUER,
                "jwks_uri": f"{self.base_url}/{self.instance}{KEYS_PATH}",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def _keys(self, _request: web.Request) -> web.Response:
        jwk = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        jwk.update({"kid": self.key_id, "use": "sig", "endorsements": ["msteams"]})
        return web.json_response({"keys": [jwk]})
