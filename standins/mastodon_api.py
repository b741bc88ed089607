"""A stand-in of a Mastodon instance's REST API, served by aiohttp; the real Mastodon.py talks to it.

It keeps accounts, statuses, mention notifications, mutes, blocks and reports in memory and answers
in Mastodon's shapes (:mod:`standins.mastodon_entities`), with ``X-RateLimit-*`` headers on every
answer. Tests add customers' posts with :meth:`MastodonStandIn.add_mention` and read what the bridge
did from :attr:`MastodonStandIn.posts`, ``mutes``, ``blocks`` and ``reports``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from standins import mastodon_entities as entities

BASE = entities.BASE
TOKEN = "mastodon-access-token"
FIRST_ID = 117020577157693549


@dataclass
class Fault:
    """The next status post answers ``status``; with ``after_write`` the status is created first
    (an outcome the bridge cannot know)."""

    status: int
    after_write: bool = False
    stall_seconds: float = 0.0  # held this long before answering: a worker may be killed meanwhile


@dataclass
class MastodonState:
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    mutes: set[str] = field(default_factory=set)
    blocks: set[str] = field(default_factory=set)
    reports: list[dict[str, Any]] = field(default_factory=list)
    fault: Fault | None = None
    rate_limited_until: datetime | None = None


class MastodonStandIn:
    def __init__(
        self, handle: str = "AcmeHelp", account_id: str = "109000000000000001", max_characters: int = 500
    ):
        self.state = MastodonState()
        self.max_characters = max_characters
        self._ids = itertools.count(FIRST_ID, 1000)
        self._notification_ids = itertools.count(21)
        self._lock = threading.Lock()
        self._streams: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[bytes | None]]] = []
        self.heartbeat_seconds = 15.0  # Mastodon's streaming server sends ``:thump`` this often
        self.streaming = True  # False: the streaming server is down (``/api/v1/streaming/*`` answer 503)
        self.streams_opened = 0
        self.me = self.add_account(handle, "Acme Help", account_id=account_id)
        self.app = self._app()

    # test API ------------------------------------------------------------------------------------
    def next_id(self) -> str:
        return str(next(self._ids))

    def add_account(
        self, acct: str, name: str = "", *, account_id: str | None = None, followers: int = 0
    ) -> dict[str, Any]:
        account = entities.account(BASE, account_id or self.next_id(), acct, name, followers)
        self.state.accounts[account["id"]] = account
        return account

    def account_named(self, acct: str) -> dict[str, Any] | None:
        wanted = acct.lstrip("@").casefold()
        return next((a for a in self.state.accounts.values() if a["acct"].casefold() == wanted), None)

    def add_mention(
        self,
        acct: str,
        text: str,
        *,
        name: str = "",
        visibility: str = "public",
        spoiler_text: str = "",
        in_reply_to: str | None = None,
    ) -> dict[str, Any]:
        """A customer's status naming the brand (``@handle`` is prepended) and its mention notification."""
        with self._lock:
            author = self.account_named(acct) or self.add_account(acct, name)
            parent = self.state.statuses.get(in_reply_to or "")
            created = datetime.now(UTC)
            status = entities.status(
                BASE,
                self.next_id(),
                author,
                f"@{self.me['acct']} {text}",
                created=created,
                visibility=visibility,
                spoiler_text=spoiler_text,
                named=[self.me],
                in_reply_to=parent,
            )
            self.state.statuses[status["id"]] = status
            note = entities.notification(str(next(self._notification_ids)), "mention", status, created)
            self.state.notifications.append(note)
            self._push("update", status)
            self._push("notification", note)
            return status

    # streaming (``/api/v1/streaming/user``, server-sent events) ------------------------------------
    @property
    def listeners(self) -> int:
        """How many user streams are open now."""
        with self._lock:
            return len(self._streams)

    def open_stream(self) -> asyncio.Queue[bytes | None]:
        """A new user stream's queue of encoded events, fed from any thread (None ends it)."""
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        with self._lock:
            self._streams.append((asyncio.get_running_loop(), queue))
            self.streams_opened += 1
        return queue

    def close_stream(self, queue: asyncio.Queue[bytes | None]) -> None:
        with self._lock:
            self._streams = [s for s in self._streams if s[1] is not queue]

    def end_streams(self) -> None:
        """End every open stream, as an instance going down does."""
        self._push_raw(None)

    def _push(self, event: str, payload: dict[str, Any]) -> None:
        """An event to every open stream, shaped as Mastodon sends it: ``event:`` then one ``data:``."""
        self._push_raw(f"event: {event}\ndata: {json.dumps(payload, separators=(',', ':'))}\n\n".encode())

    def _push_raw(self, item: bytes | None) -> None:
        for loop, queue in list(self._streams):
            loop.call_soon_threadsafe(queue.put_nowait, item)

    @property
    def posts(self) -> list[dict[str, Any]]:
        """The brand's own statuses, oldest first."""
        return [s for s in self.state.statuses.values() if s["account"]["id"] == self.me["id"]]

    def set_engagement(
        self, status_id: str, *, favourites: int = 0, replies: int = 0, reblogs: int = 0
    ) -> None:
        """What people did with status ``status_id``: its counts from now on."""
        with self._lock:
            status = self.state.statuses[status_id]
            status.update(favourites_count=favourites, replies_count=replies, reblogs_count=reblogs)

    def fail_next_post(
        self, status: int = 500, *, after_write: bool = False, stall_seconds: float = 0.0
    ) -> None:
        self.state.fault = Fault(status, after_write, stall_seconds)

    def rate_limit_for(self, seconds: int) -> None:
        self.state.rate_limited_until = datetime.now(UTC) + timedelta(seconds=seconds)

    # HTTP ---------------------------------------------------------------------------------------
    def _app(self) -> web.Application:
        from standins.mastodon_routes import routes

        app = web.Application(middlewares=[self._middleware])
        app.add_routes(routes(self))

        async def end_streams(_: web.Application) -> None:
            self.end_streams()

        app.on_shutdown.append(end_streams)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": "The access token is invalid"}, status=401)
        now = datetime.now(UTC)
        until = self.state.rate_limited_until
        reset = (
            until if until and until > now else now.replace(second=0, microsecond=0) + timedelta(minutes=5)
        )
        headers = {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0" if until and until > now else "299",
            "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }
        if until and until > now:
            response: web.StreamResponse = web.json_response({"error": "Too many requests"}, status=429)
        else:
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                response = web.json_response({"error": exc.text or exc.reason}, status=exc.status)
        if not response.prepared:  # a stream's headers are already sent
            response.headers.update(headers)
        return response
