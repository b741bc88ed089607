"""A local stand-in of the Slack Web API, spoken to over real HTTP by the real ``slack_sdk``.

Point ``WebClient(token=..., base_url=SlackStandIn.api_url(server.url))`` at it. A request goes
through the same stages as at Slack: read parameters → known method? → token → queued fault →
method. Answers use Slack's shapes (HTTP 200 with ``ok: false`` for API errors, 429 with
``Retry-After`` when rate limited), so the bridge's error handling is exercised, not bypassed.
"""

from __future__ import annotations

import contextlib
import copy
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from standins.faults import FaultQueue
from standins.slack_methods import METHODS
from standins.slack_sign_in import SlackSignInStandIn
from standins.slack_store import (
    DEFAULT_BOT_ID,
    DEFAULT_BOT_USER_ID,
    DEFAULT_TEAM_ID,
    SlackCall,
    SlackError,
    SlackWorkspace,
)

DEFAULT_BOT_TOKEN = "xoxb-test-token"
# Fields Slack accepts as JSON text in a form body; decoded so tests see one representation.
STRUCTURED_FIELDS = ("blocks", "attachments", "view", "metadata")
SERVER_ERRORS = {500: "fatal_error", 503: "service_unavailable"}

__all__ = ["DEFAULT_BOT_TOKEN", "SlackCall", "SlackStandIn"]


@dataclass(frozen=True)
class SlackFault:
    status: int
    retry_after: int
    error: str | None


class SlackStandIn:
    """A one-workspace Slack whose bot token, bot user and failures a test controls."""

    def __init__(
        self,
        *,
        bot_token: str = DEFAULT_BOT_TOKEN,
        bot_user_id: str = DEFAULT_BOT_USER_ID,
        bot_id: str = DEFAULT_BOT_ID,
        team_id: str = DEFAULT_TEAM_ID,
    ) -> None:
        self.bot_token = bot_token
        self.workspace = SlackWorkspace(bot_user_id=bot_user_id, bot_id=bot_id, team_id=team_id)
        self._faults: FaultQueue[SlackFault] = FaultQueue()
        self.app = web.Application()
        self.sign_in = SlackSignInStandIn(team_id)
        self.sign_in.add_routes(self.app.router)
        self.app.router.add_route("*", "/api/{method}", self._handle)

    @staticmethod
    def api_url(server_url: str) -> str:
        """The ``base_url`` for ``WebClient`` (it must end with ``/api/``)."""
        return server_url.rstrip("/") + "/api/"

    # -- what tests read -------------------------------------------------------------------------

    @property
    def calls(self) -> list[SlackCall]:
        with self.workspace.lock:
            return list(self.workspace.calls)

    def calls_to(self, method: str) -> list[SlackCall]:
        return [call for call in self.calls if call.method == method]

    def outbound_payloads(self) -> list[dict[str, Any]]:
        """The parameters of every Web API call the bridge made (messages, ephemerals, modals, App
        Home), in order, whether Slack accepted them or not: what a test walks to check that nothing
        anywhere carries a customer's words live."""
        return [copy.deepcopy(call.params) for call in self.calls]

    @property
    def messages(self) -> dict[str, list[dict[str, Any]]]:
        """A snapshot, keyed by channel id, of every message in posting order; ``chat.update``
        changes a message where it stands and counts it in the message's ``edits``."""
        return self.workspace.snapshot()

    def find_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        with self.workspace.lock:
            return copy.deepcopy(self.workspace.find_message(self.channel_id(channel), ts))

    def thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """The replies in a thread, oldest first, without its parent message."""
        return self.workspace.thread(self.channel_id(channel), thread_ts)

    @property
    def ephemerals(self) -> list[dict[str, Any]]:
        with self.workspace.lock:
            return copy.deepcopy(self.workspace.ephemerals)

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        """Modals opened, pushed or updated, by view id."""
        with self.workspace.lock:
            return copy.deepcopy(self.workspace.views)

    @property
    def home_views(self) -> dict[str, dict[str, Any]]:
        with self.workspace.lock:
            return copy.deepcopy(self.workspace.home_views)

    def channel_id(self, ref: str) -> str:
        """The id Slack would answer with for a channel id, ``#name`` or user id (a DM)."""
        return str(self.workspace.resolve_channel(ref)["id"])

    # -- what tests arrange ----------------------------------------------------------------------

    def add_channel(
        self, channel_id: str, name: str, *, is_member: bool = True, is_private: bool = False
    ) -> None:
        """Register a channel; with ``is_member=False`` posting fails with ``not_in_channel``
        until the bot calls ``conversations.join``."""
        self.workspace.add_channel(channel_id, name, is_member=is_member, is_private=is_private)

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        email: str | None = None,
        is_bot: bool = False,
    ) -> None:
        self.workspace.add_user(user_id, name, real_name=real_name or name, email=email, is_bot=is_bot)

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str,
        thread_ts: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
    ) -> str:
        """A person's message (e.g. an expert's draft in a card's thread); returns its ``ts`` for
        the event a test then sends. The bot cannot ``chat.update`` it, as in Slack."""
        ws = self.workspace
        with ws.lock:
            channel_id = self.channel_id(channel)
            message = {
                "type": "message",
                "user": user,
                "team": ws.team_id,
                "ts": ws.next_ts(),
                "text": text,
                "blocks": blocks or [],
                "thread_ts": thread_ts,
            }
            return str(ws.store_message(channel_id, message)["ts"])

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        error: str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail.

        With ``error`` the answer is HTTP 200 ``{"ok": false, "error": error}`` (an API error such
        as ``channel_not_found``); otherwise ``status`` 429 answers ``ratelimited`` with a
        ``Retry-After: retry_after`` (seconds) header, and 5xx answers a server error.
        """
        self._faults.add(method, SlackFault(status=status, retry_after=retry_after, error=error), times)

    def pending_faults(self) -> int:
        return self._faults.pending()

    def reset(self) -> None:
        """Forget messages, channels, users, views, calls and queued faults; keep the config."""
        self.workspace.clear()
        self._faults.clear()

    # -- the HTTP pipeline -----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _read_params(request)
        token = _bearer(request) or params.pop("token", None)
        status, body, headers = self._answer(method, params, token)
        call = SlackCall(
            method=method,
            params=params,
            token=token,
            http_verb=request.method,
            status=status,
            error=None if body.get("ok") else body.get("error"),
        )
        with self.workspace.lock:
            self.workspace.calls.append(call)
        return web.json_response(body, status=status, headers=headers)

    def _answer(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        implementation = METHODS.get(method)
        if implementation is None:
            return 200, {"ok": False, "error": "unknown_method", "req_method": method}, {}
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if token != self.bot_token:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        fault = self._faults.take(lambda key: key == method)
        if fault is not None:
            return _fault_answer(fault)
        try:
            result = implementation(self.workspace, params)
        except SlackError as error:
            return 200, {"ok": False, "error": error.error, **error.extra}, {}
        return 200, {"ok": True, **result}, {}


def _fault_answer(fault: SlackFault) -> tuple[int, dict[str, Any], dict[str, str]]:
    if fault.error is not None:
        return 200, {"ok": False, "error": fault.error}, {}
    if fault.status == 429:
        return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(fault.retry_after)}
    return fault.status, {"ok": False, "error": SERVER_ERRORS.get(fault.status, "internal_error")}, {}


def _bearer(request: web.Request) -> str | None:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    return (credentials.strip() or None) if scheme.lower() == "bearer" else None


async def _read_params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        else:
            form = await request.post()
            for key, field in form.items():
                params[key] = field if isinstance(field, str) else getattr(field, "filename", "")
    for key in STRUCTURED_FIELDS:
        value = params.get(key)
        if isinstance(value, str):
            # Undecodable text is left as sent; the method answers Slack's "invalid ... format" error.
            with contextlib.suppress(json.JSONDecodeError):
                params[key] = json.loads(value)
    return params
