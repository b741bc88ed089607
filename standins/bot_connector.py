"""A local stand-in of the Bot Connector service that Teams bots send to, spoken to over real HTTP by
botbuilder's own REST client.

An activity's ``serviceUrl`` points here (``<server>/amer/``, shaped like Teams' regional URLs), so
the bridge posts cards, thread replies and updates exactly as it would to Teams: ``POST
/v3/conversations/{id}/activities``, ``POST …/activities/{replyToId}``, ``PUT …/activities/{id}``,
``POST /v3/conversations`` (a 1:1 chat) and ``GET /v3/teams/{id}/conversations`` (a team's channels).
Answers have Teams' shapes (201 with ``{"id"}``, 429 with ``Retry-After``). Given a
:class:`~standins.bot_auth.BotAuthStandIn`, it serves its token and key endpoints too and every call
must carry a token it issued, as Teams requires app tokens.
"""

from __future__ import annotations

import copy
import itertools
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from standins.bot_auth import BotAuthStandIn
from standins.faults import FaultQueue

REGION = "amer"


@dataclass(frozen=True)
class ConnectorCall:
    operation: str  # "send", "reply", "update", "create", "channels"
    method: str
    path: str
    conversation: str
    activity_id: str
    body: dict[str, Any]
    authorization: str


@dataclass(frozen=True)
class ConnectorFault:
    status: int
    retry_after: int = 0


@dataclass
class Message:
    id: str
    conversation: str  # the channel (or chat) conversation id
    activity: dict[str, Any]
    root: str = ""  # "" for a post, else the id of the post it replies to
    edits: int = 0


def split(conversation: str) -> tuple[str, str]:
    channel, _, root = conversation.partition(";messageid=")
    return channel, root


class BotConnectorStandIn:
    def __init__(self, *, auth: BotAuthStandIn | None = None) -> None:
        self.auth = auth
        self.faults: FaultQueue[ConnectorFault] = FaultQueue()
        self._lock = threading.Lock()
        self._calls: list[ConnectorCall] = []
        self._messages: dict[str, Message] = {}  # by id
        self._posts: dict[str, list[Message]] = {}  # conversation -> posts in order
        self._replies: dict[str, list[Message]] = {}  # root id -> replies in order (a person's post too)
        self._teams: dict[str, list[dict[str, str]]] = {}
        self._members_of: dict[str, list[dict[str, str]]] = {}
        self._ids = itertools.count(int(time.time() * 1000))
        self.app = web.Application()
        base = f"/{REGION}/v3"
        self.app.router.add_post(base + "/conversations", self._create)
        self.app.router.add_post(base + "/conversations/{conversation}/activities", self._send)
        self.app.router.add_post(base + "/conversations/{conversation}/activities/{activity}", self._reply)
        self.app.router.add_put(base + "/conversations/{conversation}/activities/{activity}", self._update)
        self.app.router.add_get(base + "/teams/{team}/conversations", self._channels)
        self.app.router.add_get(base + "/conversations/{conversation}/pagedmembers", self._members)
        if auth is not None:
            auth.routes(self.app)

    @staticmethod
    def service_url(server_url: str) -> str:
        """The ``serviceUrl`` activities carry to point the bot at this stand-in."""
        return f"{server_url.rstrip('/')}/{REGION}/"

    # what tests arrange ------------------------------------------------------------------------------
    def add_team(
        self, team_id: str, channels: list[tuple[str, str]], members: list[dict[str, str]] | None = None
    ) -> None:
        """A team, its channels as ``GET /v3/teams/{id}/conversations`` lists them (General, whose id
        is the team's, without a name, as Teams answers) and its members (``id``, ``objectId``, ``name``)."""
        listing = [{"id": team_id}] + [{"id": cid, "name": name} for cid, name in channels if cid != team_id]
        with self._lock:
            self._teams[team_id] = listing
            self._members_of[team_id] = [dict(m) for m in members or []]

    def fail(self, operation: str, status: int, *, retry_after: int = 0, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``operation`` ("send", "reply", "update" …) with an error."""
        self.faults.add(operation, ConnectorFault(status, retry_after), times)

    # what tests read -------------------------------------------------------------------------------
    @property
    def calls(self) -> list[ConnectorCall]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, operation: str) -> list[ConnectorCall]:
        return [c for c in self.calls if c.operation == operation]

    def outbound_payloads(self) -> list[dict[str, Any]]:
        """Every activity the bot sent (posts, replies, updates, new chats), as sent, in order: what a
        test walks to check that nothing anywhere carries a customer's words live."""
        return [copy.deepcopy(c.body) for c in self.calls if c.body]

    def posts(self, conversation: str) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(m.activity) for m in self._posts.get(conversation, [])]

    def message(self, activity_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._messages.get(activity_id)
            return copy.deepcopy(found.activity) if found else None

    def conversation_of(self, activity_id: str) -> str | None:
        with self._lock:
            found = self._messages.get(activity_id)
            return found.conversation if found else None

    def edits(self, activity_id: str) -> int:
        with self._lock:
            found = self._messages.get(activity_id)
            return found.edits if found else 0

    def thread(self, root: str) -> list[dict[str, Any]]:
        """The bot's replies under a post (its own or a person's), oldest first."""
        with self._lock:
            return [copy.deepcopy(m.activity) for m in self._replies.get(root, [])]

    @staticmethod
    def card_of(activity: dict[str, Any] | None) -> dict[str, Any] | None:
        for attachment in (activity or {}).get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return dict(attachment.get("content") or {})
        return None

    # the API -----------------------------------------------------------------------------------------
    async def _check(
        self, request: web.Request, operation: str
    ) -> tuple[dict[str, Any], web.Response | None]:
        body: dict[str, Any] = {}
        if request.can_read_body:
            try:
                parsed = await request.json()
            except ValueError:
                return body, web.json_response({"error": {"code": "BadSyntax"}}, status=400)
            body = parsed if isinstance(parsed, dict) else {}
        authorization = request.headers.get("Authorization", "")
        with self._lock:
            self._calls.append(
                ConnectorCall(
                    operation,
                    request.method,
                    request.path,
                    request.match_info.get("conversation", ""),
                    request.match_info.get("activity", ""),
                    copy.deepcopy(body),
                    authorization,
                )
            )
        if self.auth is not None and not self.auth.valid(authorization):
            return body, web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        fault = self.faults.take(lambda key: key in (operation, "*"))
        if fault is not None:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            error = {"error": {"code": "ThrottledRequest" if fault.status == 429 else "ServiceError"}}
            return body, web.json_response(error, status=fault.status, headers=headers)
        return body, None

    def _store(self, conversation: str, body: dict[str, Any], root: str) -> str:
        message_id = str(next(self._ids))
        message = Message(message_id, conversation, {**body, "id": message_id}, root)
        with self._lock:
            self._messages[message_id] = message
            if root:
                self._replies.setdefault(root, []).append(message)
            else:
                self._posts.setdefault(conversation, []).append(message)
        return message_id

    async def _send(self, request: web.Request) -> web.Response:
        body, refused = await self._check(request, "send")
        if refused is not None:
            return refused
        channel, root = split(request.match_info["conversation"])
        return web.json_response({"id": self._store(channel, body, root)}, status=201)

    async def _reply(self, request: web.Request) -> web.Response:
        body, refused = await self._check(request, "reply")
        if refused is not None:
            return refused
        channel, root = split(request.match_info["conversation"])
        message_id = self._store(channel, body, root or request.match_info["activity"])
        return web.json_response({"id": message_id}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        body, refused = await self._check(request, "update")
        if refused is not None:
            return refused
        activity_id = request.match_info["activity"]
        with self._lock:
            found = self._messages.get(activity_id)
            if found is None:
                return web.json_response({"error": {"code": "NotFound"}}, status=404)
            found.activity = {**body, "id": activity_id}
            found.edits += 1
        return web.json_response({"id": activity_id}, status=200)

    async def _create(self, request: web.Request) -> web.Response:
        body, refused = await self._check(request, "create")
        if refused is not None:
            return refused
        members = body.get("members") or []
        if not members:
            return web.json_response({"error": {"code": "BadArgument"}}, status=400)
        return web.json_response({"id": "a:" + secrets.token_hex(8)}, status=201)

    async def _members(self, request: web.Request) -> web.Response:
        """One page of members; the continuation token is the next index."""
        _, refused = await self._check(request, "members")
        if refused is not None:
            return refused
        with self._lock:
            members = self._members_of.get(request.match_info["conversation"])
        if members is None:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        size = max(1, int(request.query.get("pageSize") or 2))
        start = int(request.query.get("continuationToken") or 0)
        page: dict[str, Any] = {"members": members[start : start + size]}
        if start + size < len(members):
            page["continuationToken"] = str(start + size)
        return web.json_response(page)

    async def _channels(self, request: web.Request) -> web.Response:
        _, refused = await self._check(request, "channels")
        if refused is not None:
            return refused
        with self._lock:
            listing = self._teams.get(request.match_info["team"])
        if listing is None:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        return web.json_response({"conversations": copy.deepcopy(listing)})
