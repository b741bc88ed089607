"""The stages every X API request passes before and after its endpoint, as at X.

credentials → known endpoint → user context → rate-limit window → queued fault → endpoint; every
answer, refusals included, carries ``x-rate-limit-limit/-remaining/-reset`` because the bridge's
poller and publisher schedule themselves by those headers. Every request is recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web

from standins.faults import FaultQueue
from standins.x_endpoints import ROUTES, Route
from standins.x_errors import XProblem, page_not_found, problem, unsupported_authentication

RATE_WINDOW_SECONDS = 15 * 60
UNKNOWN_ROUTE_LIMIT = 900
# ``fail_next(..., status=TIMEOUT)``: hold the request, then close the connection unanswered.
TIMEOUT: Literal["timeout"] = "timeout"
AuthKind = Literal["bearer", "oauth1"]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class XRequest:
    """One request as received; ``status`` is None when the connection was dropped on purpose."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    auth: AuthKind | None
    status: int | None


@dataclass(frozen=True)
class XFault:
    status: int | Literal["timeout"]
    reset_in: int
    after_effect: bool
    stall_seconds: float


@dataclass(frozen=True)
class Credentials:
    """Who may call: ``None`` accepts any token or consumer key (signatures are never checked).
    Bearer tokens are app-only unless listed in ``user_bearer_tokens`` (OAuth 2.0 user tokens)."""

    bearer_token: str | None = None
    consumer_key: str | None = None
    user_bearer_tokens: Collection[str] = ()

    def accept(self, kind: AuthKind, values: dict[str, str]) -> bool:
        if kind == "bearer":
            token = values["token"]
            return self.bearer_token in (None, token) or token in self.user_bearer_tokens
        return self.consumer_key in (None, values.get("oauth_consumer_key"))

    def is_user_token(self, values: dict[str, str]) -> bool:
        return values.get("token") in self.user_bearer_tokens


class RateWindows:
    """X's fixed 15-minute windows, one per endpoint."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}

    def consume(self, key: str, limit: int, *, count: bool) -> tuple[int, int, bool]:
        """``(remaining, reset_epoch_seconds, allowed)`` after counting this request if ``count``."""
        now = int(time.time())
        with self._lock:
            start, used = self._windows.get(key, (now, 0))
            if now >= start + RATE_WINDOW_SECONDS:
                start, used = now, 0
            allowed = used < limit
            if count and allowed:
                used += 1
            self._windows[key] = (start, used)
            return max(limit - used, 0), start + RATE_WINDOW_SECONDS, allowed

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()


def parse_authorization(header: str) -> tuple[AuthKind | None, dict[str, str]]:
    scheme, _, rest = header.partition(" ")
    token = rest.strip()
    # tweepy sends "Bearer None" when it was given no token; X answers that with 401.
    if scheme.lower() == "bearer" and token and token != "None":
        return "bearer", {"token": token}
    if scheme == "OAuth":
        pairs = (part.strip().partition("=") for part in rest.split(","))
        values = {k: v.strip('"') for k, _, v in pairs if k}
        if values.get("oauth_signature") and values.get("oauth_consumer_key"):
            return "oauth1", values
    return None, {}


def fault_matches(target: str, method: str, path: str, query: str = "") -> bool:
    """``"POST /2/tweets"`` matches that method and path prefix; ``"/2/tweets"`` any method;
    ``"GET /2/users/1/mentions?pagination_token"`` only requests whose query contains that text."""
    wanted_method, _, prefix = target.rpartition(" ")
    prefix, _, in_query = prefix.partition("?")
    return (
        (not wanted_method or wanted_method.upper() == method)
        and path.startswith(prefix)
        and in_query in query
    )


class _Dropped(Exception):
    """The connection was closed without an answer."""


class XPipeline:
    def __init__(self, credentials: Credentials, rate_limits: Mapping[str, int] | None = None) -> None:
        self.credentials = credentials
        self.faults: FaultQueue[XFault] = FaultQueue()
        self.windows = RateWindows()
        self._limits = dict(rate_limits or {})
        self._routes = {(r.method, r.path): r for r in ROUTES}
        self._requests: list[XRequest] = []
        self._lock = threading.Lock()

    @property
    def requests(self) -> list[XRequest]:
        with self._lock:
            return list(self._requests)

    def clear(self) -> None:
        self.faults.clear()
        self.windows.clear()
        with self._lock:
            self._requests.clear()

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        raw = await request.text() if request.can_read_body else ""
        try:
            body: Any = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw
        kind, values = parse_authorization(request.headers.get("Authorization", ""))
        status: int | None
        try:
            response = await self._answer(request, handler, kind, values)
            status = response.status
        except _Dropped:
            response, status = web.Response(status=504), None  # never reaches the client
        record = XRequest(request.method, request.path, dict(request.query), body, kind, status)
        with self._lock:
            self._requests.append(record)
        return response

    async def _answer(
        self, request: web.Request, handler: Handler, kind: AuthKind | None, values: dict[str, str]
    ) -> web.StreamResponse:
        resource = request.match_info.route.resource
        route: Route | None = None
        if resource is not None:
            route = self._routes.get((request.method, resource.canonical))
        key = f"{route.method} {route.path}" if route else "unknown"
        limit = self._limits.get(key, route.limit if route else UNKNOWN_ROUTE_LIMIT)
        authorized = kind is not None and self.credentials.accept(kind, values)
        remaining, reset, allowed = self.windows.consume(key, limit, count=authorized and route is not None)
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(remaining),
            "x-rate-limit-reset": str(reset),
        }
        try:
            if not authorized:
                raise problem(401, "Unauthorized")
            if route is None:
                raise page_not_found()
            if route.user_context and kind == "bearer" and not self.credentials.is_user_token(values):
                raise unsupported_authentication()
            if not allowed:
                raise problem(429, "Too Many Requests")
            fault = self.faults.take(
                lambda target: fault_matches(target, request.method, request.path, request.query_string)
            )
            if fault is not None:
                if fault.after_effect:
                    with contextlib.suppress(XProblem):  # refused side effect: the fault still answers
                        await handler(request)
                return await _fault_answer(request, fault, headers)
            response = await handler(request)
        except XProblem as refused:
            response = web.json_response(refused.body, status=refused.status)
        response.headers.update(headers)
        return response


async def _fault_answer(request: web.Request, fault: XFault, headers: dict[str, str]) -> web.StreamResponse:
    if fault.status == TIMEOUT:
        await asyncio.sleep(fault.stall_seconds)
        if request.transport is not None:
            request.transport.close()
        raise _Dropped
    assert isinstance(fault.status, int)
    if fault.status == 429:
        reset = str(int(time.time()) + fault.reset_in)
        headers = {**headers, "x-rate-limit-remaining": "0", "x-rate-limit-reset": reset}
    refused = problem(fault.status)
    return web.json_response(refused.body, status=refused.status, headers=headers)
