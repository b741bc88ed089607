"""Sign in with Microsoft Entra (the Teams side's accounts) for the dashboard.

The OpenID Connect authorization-code flow against the tenant's v2.0 endpoints, with the bot's own
app registration (``TEAMS_APP_ID`` / ``TEAMS_APP_PASSWORD``, with the dashboard's callback added as a
web redirect address). The ID token comes straight from the token endpoint over HTTPS, so, as
OpenID Connect Core 3.1.3.7 allows, its claims are read without fetching signing keys; audience,
nonce and tenant are checked. The person is their Entra object id (``oid``): the id playbooks list.
"""

from __future__ import annotations

from urllib.parse import urlencode

import jwt
import requests

from bridge.domain.errors import SignInRefused
from bridge.domain.identity import SignedInPerson

__all__ = ["DEFAULT_AUTHORITY", "EntraSignIn"]

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
TIMEOUT_SECONDS = 15


class EntraSignIn:
    name = "entra"
    label = "Sign in with Microsoft"

    def __init__(
        self, client_id: str, client_secret: str, tenant: str, authority: str = DEFAULT_AUTHORITY
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._tenant = tenant
        self._base = f"{authority.rstrip('/')}/{tenant}/oauth2/v2.0"

    def authorize_url(self, redirect_uri: str, state: str, nonce: str) -> str:
        query = {
            "client_id": self._client_id,
            "response_type": "code",
            "response_mode": "query",
            "redirect_uri": redirect_uri,
            "scope": "openid profile",
            "state": state,
            "nonce": nonce,
        }
        return f"{self._base}/authorize?{urlencode(query)}"

    def identify(self, code: str, redirect_uri: str, nonce: str) -> SignedInPerson:
        try:
            answer = requests.post(
                f"{self._base}/token",
                data={
                    "client_id": self._client_id,
                    "client_secret": self._client_secret,
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": redirect_uri,
                    "scope": "openid profile",
                },
                timeout=TIMEOUT_SECONDS,
            )
            body = answer.json()
        except (requests.RequestException, ValueError) as error:
            raise SignInRefused("Microsoft sign-in could not be reached: try again.") from error
        if answer.status_code != 200 or "id_token" not in body:
            raise SignInRefused(
                f"Microsoft refused the sign-in ({body.get('error', answer.status_code)}): try again."
            )
        try:
            claims = jwt.decode(str(body["id_token"]), options={"verify_signature": False})
        except jwt.PyJWTError as error:
            raise SignInRefused("Microsoft's answer held no readable identity: try again.") from error
        if claims.get("aud") != self._client_id or claims.get("nonce") != nonce:
            raise SignInRefused("That sign-in was meant for another app or another attempt: try again.")
        if self._tenant not in ("common", "organizations") and claims.get("tid") != self._tenant:
            raise SignInRefused("That Microsoft account belongs to another organisation.")
        person = str(claims.get("oid") or "")
        if not person:
            raise SignInRefused("Microsoft did not say who signed in: try again.")
        return SignedInPerson(user_id=person, name=str(claims.get("name") or person), provider=self.name)
