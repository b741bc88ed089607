"""App credentials that fetch the bot's token from an explicit OAuth 2.0 token endpoint.

botbuilder's :class:`MicrosoftAppCredentials` gets its token through MSAL, which insists on an
``https`` Entra authority. A Bot Connector stand-in (tests, the demo) issues tokens over plain HTTP,
so this class does the same client-credentials grant itself; outbound calls then carry a token
exactly as they do against Teams.
"""

from __future__ import annotations

import time

import requests
from botframework.connector.auth import MicrosoftAppCredentials

TOKEN_TIMEOUT_SECONDS = 10
REFRESH_MARGIN_SECONDS = 300


class TokenEndpointCredentials(MicrosoftAppCredentials):  # type: ignore[misc]  # botframework: no hints
    def __init__(self, app_id: str, password: str, token_url: str, tenant_id: str | None = None) -> None:
        super().__init__(app_id, password, channel_auth_tenant=tenant_id)
        self.token_url = token_url
        self._token = ""
        self._expires_at = 0.0

    def get_access_token(self, force_refresh: bool = False) -> str:
        if self._token and not force_refresh and time.time() < self._expires_at - REFRESH_MARGIN_SECONDS:
            return self._token
        scope = self.oauth_scope if self.oauth_scope.endswith("/.default") else self.oauth_scope + "/.default"
        response = requests.post(
            self.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": self.microsoft_app_id,
                "client_secret": self.microsoft_app_password,
                "scope": scope,
            },
            timeout=TOKEN_TIMEOUT_SECONDS,
        )
        if response.status_code != 200:
            raise PermissionError(f"token endpoint refused the app credentials: HTTP {response.status_code}")
        body = response.json()
        self._token = str(body["access_token"])
        self._expires_at = time.time() + float(body.get("expires_in", 3600))
        return self._token
