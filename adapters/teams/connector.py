"""Calls to the Bot Connector, as botbuilder's own REST client makes them, within Teams' limits.

Teams allows about 50 requests a second per app per tenant and 1,800 operations an hour per
conversation, and answers 429 with ``Retry-After`` beyond that. Every call here first takes a slot
from two Redis pacers shared by all workers (one for the app, one for the conversation), waits out a
short ``Retry-After`` itself, and otherwise raises the core's errors so the job's retry policy
decides: :class:`~bridge.domain.errors.RateLimited`, :class:`~bridge.domain.errors.Unavailable`
(a server error or a lost connection: the outcome is unknown) or
:class:`~bridge.domain.errors.Rejected` (4xx: it will not work).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import structlog
from botframework.connector import ConnectorClient
from botframework.connector.teams import TeamsConnectorClient
from msrest.authentication import Authentication
from msrest.exceptions import ClientException, HttpOperationError

from bridge.domain.errors import RateLimited, Rejected, Unavailable
from bridge.store.pacing import ChannelPacer

log = structlog.get_logger(__name__)
T = TypeVar("T")

APP_PACE_KEY = "teams-app"
MAX_ATTEMPTS = 3
MAX_INLINE_WAIT_SECONDS = 30.0
DEFAULT_RETRY_AFTER_SECONDS = 1.0


def _retry_after(response: Any) -> float:
    raw = (getattr(response, "headers", None) or {}).get("Retry-After")
    try:
        return max(0.0, float(raw)) if raw is not None else DEFAULT_RETRY_AFTER_SECONDS
    except ValueError:
        return DEFAULT_RETRY_AFTER_SECONDS


class Connector:
    """One REST client per service URL, shared by the chat adapter's calls."""

    def __init__(
        self,
        credentials: Authentication,
        *,
        app_pacer: ChannelPacer | None = None,
        conversation_pacer: ChannelPacer | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.credentials = credentials
        self.app_pacer = app_pacer
        self.conversation_pacer = conversation_pacer
        self._sleep = sleep
        self._clients: dict[str, ConnectorClient] = {}
        self._teams_clients: dict[str, TeamsConnectorClient] = {}

    def client(self, service_url: str) -> ConnectorClient:
        if service_url not in self._clients:
            client = ConnectorClient(self.credentials, base_url=service_url)
            client.config.retry_policy.retries = 0  # retries belong to the job, with its idempotency
            self._clients[service_url] = client
        return self._clients[service_url]

    def teams_client(self, service_url: str) -> TeamsConnectorClient:
        if service_url not in self._teams_clients:
            client = TeamsConnectorClient(self.credentials, base_url=service_url)
            client.config.retry_policy.retries = 0
            self._teams_clients[service_url] = client
        return self._teams_clients[service_url]

    def call(self, conversation: str, what: str, fn: Callable[[], T]) -> T:
        """Run one connector call for ``conversation`` at the allowed pace."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            # the conversation first: a job's first call to a busy conversation is put off, not slept
            # (bridge.store.pacing); the app-wide pace, a few milliseconds, is then waited in place
            if self.conversation_pacer is not None and conversation:
                self.conversation_pacer.wait_turn(conversation)
            if self.app_pacer is not None:
                self.app_pacer.wait_turn(APP_PACE_KEY)
            try:
                return fn()
            except HttpOperationError as exc:
                status = int(getattr(exc.response, "status_code", 0) or 0)
                if status == 429:
                    wait = _retry_after(exc.response)
                    log.warning("teams_rate_limited", call=what, retry_after=wait, attempt=attempt)
                    if wait > MAX_INLINE_WAIT_SECONDS or attempt == MAX_ATTEMPTS:
                        raise RateLimited(f"Teams rate limit on {what}", time.time() + wait) from exc
                    self._sleep(wait)
                    continue
                if status >= 500 or status == 0:
                    raise Unavailable(f"Teams failed {what}: HTTP {status}") from exc
                raise Rejected(f"Teams refused {what}: HTTP {status} {exc.message}") from exc
            except ClientException as exc:  # connection refused, reset, timed out
                raise Unavailable(f"Teams unreachable for {what}: {exc}") from exc
        raise AssertionError("unreachable")  # the loop returns or raises
