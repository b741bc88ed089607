"""A thin typed client of Meta's Graph API over ``requests``: one version, one Page token, JSON in and
out, failures in the core's words.

The Graph API is plain HTTPS and JSON, so no SDK is used (see the closing note of issue 13). Every
answer's usage headers are read; once a quota nears its limit the client refuses further calls itself
(:class:`~bridge.domain.errors.RateLimited`) until Meta's estimate to regain access has passed, so the
bridge backs off before Meta throttles the Page.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
import structlog

from adapters.meta.errors import translate, usage_wait_seconds
from bridge.domain.errors import RateLimited, Unavailable

__all__ = ["DEFAULT_GRAPH_URL", "GRAPH_API_VERSION", "GraphClient", "Json"]

log = structlog.get_logger(__name__)

#: The Graph API version every call names: pinned here and nowhere else.
GRAPH_API_VERSION = "v23.0"
DEFAULT_GRAPH_URL = "https://graph.facebook.com"
REQUEST_TIMEOUT_SECONDS = 20

Json = dict[str, Any]


class GraphClient:
    def __init__(
        self,
        base_url: str,
        access_token: str,
        *,
        version: str = GRAPH_API_VERSION,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.root = f"{base_url.rstrip('/')}/{version}"
        self._token = access_token
        self.session = session or requests.Session()
        self.clock = clock
        self._resume_at = 0.0
        self._lock = threading.Lock()

    def get(self, path: str, **params: Any) -> Json:
        return self.call("GET", path, params=params)

    def post(self, path: str, body: Mapping[str, Any]) -> Json:
        return self.call("POST", path, body=body)

    def delete(self, path: str, **params: Any) -> Json:
        return self.call("DELETE", path, params=params)

    def call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> Json:
        """One call; the token goes in the Authorization header, never in a URL that may be logged."""
        now = self.clock()
        with self._lock:
            resume = self._resume_at
        if now < resume:
            raise RateLimited("backing off: Meta's usage headers said a quota is nearly used", resume)
        url = path if path.startswith("http") else f"{self.root}/{path.lstrip('/')}"
        try:
            response = self.session.request(
                method,
                url,
                params={k: v for k, v in (params or {}).items() if v is not None},
                json=body,
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=REQUEST_TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            raise Unavailable(f"Meta's Graph API could not be reached ({type(exc).__name__})") from exc
        self._read_usage(response.headers)
        try:
            data: Any = response.json()
        except ValueError:
            data = None
        if response.status_code >= 400 or (isinstance(data, dict) and "error" in data):
            raise translate(response.status_code, data, response.headers, self.clock())
        return data if isinstance(data, dict) else {}

    def _read_usage(self, headers: Mapping[str, str]) -> None:
        wait = usage_wait_seconds(headers)
        if wait > 0:
            with self._lock:
                self._resume_at = max(self._resume_at, self.clock() + wait)
            log.warning("meta_usage_high", backoff_seconds=round(wait))

    def pages(self, path: str, limit: int = 5, **params: Any) -> list[Json]:
        """Every item of a list answer, following ``paging.next`` at most ``limit`` pages."""
        items: list[Json] = []
        answer = self.get(path, **params)
        for _ in range(limit):
            items.extend(d for d in answer.get("data", []) if isinstance(d, dict))
            following = (answer.get("paging") or {}).get("next")
            if not following:
                break
            answer = self.call("GET", str(following))
        return items

    def close(self) -> None:
        self.session.close()
