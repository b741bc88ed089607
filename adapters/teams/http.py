"""``POST /api/messages`` for aiohttp: check the request, authenticate it, hand it to the bot, answer.

botbuilder's CloudAdapter authenticates the Bot Framework token (when an app id is configured) and
runs the bot; what it does not do is refuse bad input politely, so that happens here: a missing or
invalid token is a 401, checked first (before the body is judged); then a body that is not a JSON
object, or an activity without the fields every Teams activity has, is a 400; an activity type Teams
does not send is a 400; an activity from another tenant than ``TEAMS_TENANT_ID`` is a 403. A server
error is left for real failures.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import structlog
from aiohttp import web
from azure.core.exceptions import DeserializationError
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse
from botframework.connector.auth import AuthenticateRequestResult, BotFrameworkAuthentication
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from msrest.serialization import Model
from requests import RequestException

from adapters.teams.bot import BridgeBot
from bridge.app.settings import Settings

log = structlog.get_logger(__name__)
MAX_BODY_BYTES = 1_000_000
ACTIVITY_TYPES = {
    "message",
    "messageUpdate",
    "messageDelete",
    "messageReaction",
    "conversationUpdate",
    "installationUpdate",
    "invoke",
    "event",
    "typing",
    "endOfConversation",
    "contactRelationUpdate",
    "deleteUserData",
}
CHANNEL_TOKEN_ISSUER = "https://api.botframework.com"  # noqa: S105  # an issuer URL, not a secret
KEY_REFRESH_SECONDS = 300
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def authentication(
    settings: Settings, *, openid_metadata_url: str | None = None, token_issuer: str | None = None
) -> BotFrameworkAuthentication:
    """Single-tenant Bot Framework authentication from settings; with no app id, none at all.
    ``openid_metadata_url``/``token_issuer`` replace where channel tokens' signing keys come from
    (a stand-in in tests; Microsoft's public endpoints otherwise)."""
    if not settings.teams_app_id:
        return ConfigurationBotFrameworkAuthentication(SimpleNamespace(APP_ID="", APP_PASSWORD=""))
    config = SimpleNamespace(
        APP_ID=settings.teams_app_id,
        APP_PASSWORD=settings.teams_app_password,
        APP_TYPE="SingleTenant",
        APP_TENANTID=settings.teams_tenant_id,
    )
    if openid_metadata_url:
        config.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = openid_metadata_url
        config.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = token_issuer or CHANNEL_TOKEN_ISSUER
    return ConfigurationBotFrameworkAuthentication(config)


def _problem(body: Any) -> str:
    """Why ``body`` is not an activity the bot can act on, or "" when it is one."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        return "the activity has no type"
    if kind not in ACTIVITY_TYPES:
        return f"unknown activity type {kind!r}"
    url = body.get("serviceUrl")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return "the activity has no serviceUrl"
    for key in ("conversation", "from"):
        part = body.get(key)
        if not isinstance(part, dict) or not isinstance(part.get("id"), str) or not part["id"]:
            return f"the activity has no {key}.id"
    for key in ("recipient", "channelData", "value"):
        if key in body and body[key] is not None and not isinstance(body[key], (dict, str, list)):
            return f"the activity's {key} is malformed"
    if not isinstance(body.get("entities", []), list):
        return "the activity's entities are malformed"
    return ""


_NOT_JSON = object()
NO_SERVICE_URL = "urn:bridge:no-service-url"


def _claimed(body: Any) -> Activity:
    """Just what a token is checked against (the channel and the service URL it is issued for),
    read from a body that is not validated yet. A body without a service URL gets one no token
    names, since botbuilder skips the token's ``serviceurl`` check when the activity has none."""
    fields = body if isinstance(body, dict) else {}
    channel, url = fields.get("channelId"), fields.get("serviceUrl")
    return Activity(
        channel_id=channel if isinstance(channel, str) else None,
        service_url=url if isinstance(url, str) and url else NO_SERVICE_URL,
    )


def _tenant_of(body: dict[str, Any]) -> str:
    data = body.get("channelData") if isinstance(body.get("channelData"), dict) else {}
    tenant = (data or {}).get("tenant") if isinstance((data or {}).get("tenant"), dict) else {}
    return str((tenant or {}).get("id") or (body.get("conversation") or {}).get("tenantId") or "")


def _json_body(body: Any) -> Any:
    if isinstance(body, AdaptiveCardInvokeResponse):
        return {"statusCode": body.status_code, "type": body.type, "value": body.value}
    if isinstance(body, Model):
        return serializer_helper(body)
    return body


def _malformed(problem: str) -> web.Response:
    """A 400 for a body the bot cannot act on, with one log line saying why."""
    log.info("teams_request_malformed", reason=problem, status=400)
    return web.json_response({"error": problem}, status=400)


class KeyRefreshGate:
    """Allows one refresh of the signing keys per :data:`KEY_REFRESH_SECONDS`, the first at once.

    The monotonic clock starts near zero when a machine or container boots, so "never refreshed"
    is its own state rather than a refresh at time 0.0 (which refused every refresh in the first
    five minutes after boot and answered every Teams request 401).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last: float | None = None

    def allow(self) -> bool:
        now = self._clock()
        if self._last is not None and now - self._last < KEY_REFRESH_SECONDS:
            return False
        self._last = now
        return True


def messages_handler(
    bot: BridgeBot, settings: Settings, auth: BotFrameworkAuthentication | None = None
) -> Handler:
    """The aiohttp handler; ``auth`` replaces the settings' authentication (tests use a stand-in)."""
    if not settings.teams_app_id:
        log.warning(
            "teams_local_mode",
            message="TEAMS LOCAL MODE: /api/messages accepts activities WITHOUT authentication and "
            "outbound calls carry no token. For development and the demo only; in production set "
            "TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID.",
        )
    return MessagesEndpoint(bot, settings, auth or authentication(settings)).handle


class MessagesEndpoint:
    """``POST /api/messages`` as named steps: authenticate, parse, validate, dispatch to the bot, answer.

    With an app id, the token is checked before anything in the body is trusted or judged: a request
    without a valid token is a 401 whatever it carries, and is not logged as a warning. Each step
    returns what it found, or the answer refusing the request.
    """

    def __init__(self, bot: BridgeBot, settings: Settings, authenticator: BotFrameworkAuthentication) -> None:
        self.bot = bot
        self.require_token = bool(settings.teams_app_id)
        self.tenant = settings.teams_tenant_id or ""
        self.authenticator = authenticator
        self.adapter = CloudAdapter(authenticator)
        self.key_refresh = KeyRefreshGate()

    async def handle(self, request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        if self.require_token and not header.lower().startswith("bearer "):
            return web.json_response({"error": "a Bot Framework token is required"}, status=401)
        raw = await request.read()
        if len(raw) > MAX_BODY_BYTES:
            return web.json_response({"error": "payload too large"}, status=413)
        body = _parsed(raw)
        verified: AuthenticateRequestResult | None = None
        if self.require_token:
            checked = await self.verify(_claimed(body), header)
            if isinstance(checked, web.Response):
                return checked
            verified = checked
        activity = self._activity(body)
        if isinstance(activity, web.Response):
            return activity
        if verified is None:  # local mode: botbuilder's anonymous identity
            checked = await self.verify(activity, "")
            if isinstance(checked, web.Response):
                return checked
            verified = checked
        return await self._dispatch(verified, activity)

    async def verify(self, activity: Activity, header: str) -> AuthenticateRequestResult | web.Response:
        """The verified request, or the answer refusing it (401, or 503 when keys are unreachable)."""
        try:
            return await self._authenticate(activity, header)
        except RequestException as exc:  # Microsoft's signing keys could not be fetched
            log.warning("teams_token_keys_unavailable", error=str(exc))
            return web.json_response({"error": "cannot verify tokens right now"}, status=503)
        except Exception as exc:  # noqa: BLE001  # botbuilder signals a bad token with bare Exception too
            log.info("teams_unauthorized", error=f"{type(exc).__name__}: {exc}")
            return web.json_response({"error": "invalid Bot Framework token"}, status=401)

    async def _authenticate(self, activity: Activity, header: str) -> AuthenticateRequestResult:
        """botbuilder 4.17.1 raises IndexError for a token signed with a key it has not cached (after
        Microsoft rotates keys) instead of fetching the keys again: drop the cache and retry, at most
        once per :data:`KEY_REFRESH_SECONDS` so made-up key ids cannot make it fetch on every request."""
        try:
            return await self.authenticator.authenticate_request(activity, header)
        except IndexError:
            if not self.key_refresh.allow():
                raise PermissionError("token signed with an unknown key") from None
            JwtTokenExtractor.metadataCache.clear()
            return await self.authenticator.authenticate_request(activity, header)

    def _activity(self, body: Any) -> Activity | web.Response:
        """The activity in ``body``, or the answer refusing it: 400 when malformed, 403 from another
        tenant than this bridge's."""
        if body is _NOT_JSON:
            return _malformed("the body is not JSON")
        problem = _problem(body)
        if problem:
            return _malformed(problem)
        if self.tenant and _tenant_of(body) not in ("", self.tenant):
            log.warning("teams_foreign_tenant", tenant=_tenant_of(body))
            return web.json_response({"error": "this bridge serves one Microsoft 365 tenant"}, status=403)
        try:
            return Activity().deserialize(body)
        except (DeserializationError, ValueError, TypeError, AttributeError) as exc:
            return _malformed(f"malformed activity: {exc}")

    async def _dispatch(self, verified: AuthenticateRequestResult, activity: Activity) -> web.Response:
        """The bot's turn, and its answer (an invoke's result, or a plain 200)."""
        response = await self.adapter.process_activity(verified, activity, self.bot.on_turn)
        if response is None:
            return web.Response(status=200)
        return web.json_response(_json_body(response.body), status=int(response.status))


def _parsed(raw: bytes) -> Any:
    """The JSON in ``raw``, or :data:`_NOT_JSON` (judged only after the token, when one is required)."""
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _NOT_JSON
