"""The atproto SDK's synchronous client for the configured account at ``BLUESKY_SERVICE_URL``.

It logs in with the app password on first use (never at start-up, so a bridge starts while Bluesky
cannot be reached). The SDK refreshes the session itself shortly before the access token expires; if
the PDS still answers ``ExpiredToken`` or ``InvalidToken`` (a session revoked or a clock skewed), the
account logs in again once and repeats the call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from atproto import Client
from atproto_client.request import Request

from adapters.bluesky.errors import is_session_expired, translate
from bridge.app.settings import Settings

T = TypeVar("T")

PUBLIC_ENTRYWAY = "https://bsky.social"
REQUEST_TIMEOUT_SECONDS = 30


class BlueskySession:
    """One logged-in account: :meth:`call` runs an SDK call on the client (or its chat-proxied
    twin) and turns failures into the core's errors."""

    def __init__(self, service_url: str, handle: str, app_password: str) -> None:
        self.service_url = service_url.rstrip("/")
        self.handle = handle.lstrip("@")
        self._password = app_password
        self._client: Client | None = None
        self._chat: Client | None = None
        self._lock = threading.Lock()
        self.did = ""

    def _login(self) -> Client:
        client = Client(base_url=self.service_url, request=Request(timeout=REQUEST_TIMEOUT_SECONDS))
        try:
            me = translate(client.login, self.handle, self._password)
        except Exception:
            client.request.close()  # its connection is not kept: the next call logs in afresh
            raise
        self.did = me.did if me is not None else ""
        self._client, self._chat = client, None
        return client

    def client(self, *, chat: bool = False) -> Client:
        with self._lock:
            client = self._client or self._login()
            if chat:
                self._chat = self._chat or client.with_bsky_chat_proxy()
                return self._chat
            return client

    def call(self, method: Callable[[Client], T], *, chat: bool = False) -> T:
        """``method(client)``, once more after a fresh login when the PDS says the session expired."""
        try:
            return translate(method, self.client(chat=chat))
        except Exception as exc:
            if not is_session_expired(exc.__cause__ or exc):
                raise
        self.close()
        return translate(method, self.client(chat=chat))

    def close(self) -> None:
        """Forget the session and close its connections (the chat twin has its own)."""
        with self._lock:
            for client in {id(c): c for c in (self._client, self._chat) if c is not None}.values():
                client.request.close()
            self._client = self._chat = None


def make_session(settings: Settings) -> BlueskySession:
    return BlueskySession(
        settings.bluesky_service_url or PUBLIC_ENTRYWAY,
        settings.bluesky_handle or "",
        settings.bluesky_app_password or "",
    )
