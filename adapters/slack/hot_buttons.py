"""The buttons clicked most in a rush, answered on the event loop: a Bolt ``AsyncApp`` for Claim.

Every other request goes to the synchronous Bolt app on a thread pool (:mod:`adapters.slack.http`),
whose listeners make several blocking Redis round trips. A Claim is the click a whole desk makes at
once when a crisis starts, so it has its own small async app: the listener acknowledges after one
Redis round trip on the asyncio client (:class:`bridge.desk.fast_desk.FastDesk`), with
``process_before_response`` as the synchronous app has, so Slack's answer still means "done".

When that trip does not plainly succeed (a refusal to explain, an unknown case) the click goes to the
same listener body as the synchronous app's, on the thread pool, which decides, explains and records
as before. The request was verified over its raw bytes before it got here (:mod:`adapters.slack.http`),
so this app does not verify it again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import redis.asyncio as aredis
import structlog
from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from adapters.slack.answers import guarded
from adapters.slack.cards import ACTION_IDS
from adapters.slack.client import TIMEOUT_SECONDS
from adapters.slack.payloads import button_value, case_number
from bridge.app.job_records import JobRecords
from bridge.app.runtime import Runtime
from bridge.desk.fast_desk import FastDesk
from bridge.domain.errors import NotAllowed
from bridge.store.fast_transitions import FastTransitions
from bridge.store.redis_conn import resolve_url

__all__ = ["HOT_ACTIONS", "HotButtons"]

log = structlog.get_logger(__name__)
#: The action ids answered here.
HOT_ACTIONS = frozenset({ACTION_IDS["claim"]})


class HotButtons:
    """The async app of the hot buttons, and the asyncio Redis client it uses (closed with the web app)."""

    def __init__(self, rt: Runtime) -> None:
        settings = rt.settings
        self.redis = aredis.Redis.from_url(resolve_url(settings.redis_url, settings.bridge_data_dir))
        transitions = FastTransitions(self.redis, settings.bridge_key_prefix)
        self.desk = FastDesk(transitions, rt.playbooks, JobRecords(rt.queue), rt.clock)
        self.app = AsyncApp(
            token=settings.slack_bot_token or None,  # and no client: see adapters.slack.app
            signing_secret=settings.slack_signing_secret,
            request_verification_enabled=False,  # verified over the raw bytes by adapters.slack.http
            process_before_response=True,
            raise_error_for_unhandled_request=False,
        )
        self.app.client.base_url = settings.slack_api_url.rstrip("/") + "/"  # as adapters.slack.client
        self.app.client.timeout = TIMEOUT_SECONDS
        register_hot_buttons(self.app, rt, self.desk)

    @staticmethod
    def handles(body: dict[str, Any]) -> bool:
        """Whether ``body`` (already parsed and checked) is a click on a hot button."""
        actions = body.get("actions") if body.get("type") == "block_actions" else None
        return bool(actions) and actions[0].get("action_id") in HOT_ACTIONS  # type: ignore[index]

    async def dispatch(
        self, body: dict[str, Any], query: str, headers: Mapping[str, Sequence[str]]
    ) -> BoltResponse:
        """Run the click's listener. ``body`` was verified and parsed from the raw bytes already, so it
        is handed over as Bolt takes a Socket Mode request's: parsed, with no signature to check."""
        named: dict[str, str | Sequence[str]] = dict(headers)
        request = AsyncBoltRequest(body=body, query=query, headers=named, mode="socket_mode")
        return await self.app.async_dispatch(request)

    async def close(self, _app: web.Application | None = None) -> None:
        """Close the Redis connections (an aiohttp ``on_cleanup`` hook)."""
        await self.redis.aclose()


def register_hot_buttons(app: AsyncApp, rt: Runtime, desk: FastDesk) -> None:
    @app.action(ACTION_IDS["claim"])
    async def claim(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        user = body["user"]["id"]
        try:
            number = case_number(button_value(body))
        except NotAllowed:
            number = 0  # the desk path below tells the person the card may be out of date
        if number and await desk.claim(number, user):
            return
        await asyncio.to_thread(
            guarded, rt, body, lambda: rt.desk.claim(case_number(button_value(body)), user)
        )
