"""The button clicked most in a rush, answered on the event loop: Claim.

Every other request goes to the synchronous Bolt app on a thread pool (:mod:`adapters.slack.http`),
whose listeners make several blocking Redis round trips. A Claim is the click a whole desk makes at
once when a crisis starts, so it is answered here, after one Redis round trip on the asyncio client
(:class:`bridge.desk.fast_desk.FastDesk`), and only then acknowledged, as the synchronous app does
with ``process_before_response``: Slack's 200 still means the claim is recorded.

When that trip does not plainly succeed (a refusal to explain, an unknown case) the click runs the
synchronous app's Claim listener body on the thread pool, which decides, explains and records as
before.

Why not Bolt's ``AsyncApp``: the request was verified, parsed and checked over its raw bytes before it
got here, and a Claim calls no Slack API; what ``AsyncApp`` adds for it (authorization, argument
injection, a Web API client built per request) cost 0.2 ms of the web process's CPU per click, 27%
of the fast path's, measured in one process against Redis (0.74 against 0.54 ms). The answer is the
one Bolt gives a bare ``ack()``: a 200 with an empty body.
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as aredis
from aiohttp import web

from adapters.slack.answers import guarded
from adapters.slack.cards import ACTION_IDS
from adapters.slack.payloads import button_value, case_number
from bridge.app.job_records import JobRecords
from bridge.app.runtime import Runtime
from bridge.desk.fast_desk import FastDesk
from bridge.domain.errors import NotAllowed
from bridge.store.fast_transitions import FastTransitions
from bridge.store.redis_conn import resolve_url

__all__ = ["HOT_ACTIONS", "HotButtons"]

#: The action ids answered here.
HOT_ACTIONS = frozenset({ACTION_IDS["claim"]})


class HotButtons:
    """The hot buttons' listener, and the asyncio Redis client it uses (closed with the web app)."""

    def __init__(self, rt: Runtime) -> None:
        settings = rt.settings
        self.rt = rt
        self.redis = aredis.Redis.from_url(resolve_url(settings.redis_url, settings.bridge_data_dir))
        transitions = FastTransitions(self.redis, settings.bridge_key_prefix)
        self.desk = FastDesk(transitions, rt.playbooks, JobRecords(rt.queue), rt.clock)

    @staticmethod
    def handles(body: dict[str, Any]) -> bool:
        """Whether ``body`` (already verified, parsed and checked) is a click on a hot button."""
        actions = body.get("actions") if body.get("type") == "block_actions" else None
        return bool(actions) and actions[0].get("action_id") in HOT_ACTIONS  # type: ignore[index]

    async def click(self, body: dict[str, Any]) -> None:
        """Claim the case the button names for the person who clicked; through the desk, on the thread
        pool, when the fast path leaves it (see :mod:`adapters.slack.card_listeners`)."""
        user = body["user"]["id"]
        try:
            number = case_number(button_value(body))
        except NotAllowed:
            number = 0  # the desk's path below tells the person the card may be out of date
        if number and await self.desk.claim(number, user):
            return
        rt = self.rt
        await asyncio.to_thread(
            guarded, rt, body, lambda: rt.desk.claim(case_number(button_value(body)), user)
        )

    async def close(self, _app: web.Application | None = None) -> None:
        """Close the Redis connections (an aiohttp ``on_cleanup`` hook)."""
        await self.redis.aclose()
