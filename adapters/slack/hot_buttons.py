"""The buttons clicked most in a rush, answered on the event loop: Claim, and Approve.

Every other request goes to the synchronous Bolt app on a thread pool (:mod:`adapters.slack.http`),
whose listeners make several blocking Redis round trips. A Claim is the click a whole desk makes at
once when a crisis starts, so it is answered here, after one Redis round trip on a pipelined
connection (:class:`bridge.desk.fast_desk.FastDesk`, :mod:`bridge.store.pipelined`; an approval takes
two), and only then acknowledged, as the
synchronous app does with ``process_before_response``: Slack's 200 still means the change is recorded.

When that does not plainly succeed (a refusal to explain, an unknown case) the click runs the
synchronous app's listener body (:mod:`adapters.slack.card_listeners`) on the thread pool, which
decides, explains and records as before.

Why not Bolt's ``AsyncApp``: the request was verified, parsed and checked over its raw bytes before it
got here, and a Claim calls no Slack API; what ``AsyncApp`` adds for it (authorization, argument
injection, a Web API client built per request) cost 0.2 ms of the web process's CPU per click when
this was built, 27% of the fast path's (0.74 against 0.54 ms, measured in one process as
``bench/ack_cpu.py`` measures). The answer is the one Bolt gives a bare ``ack()``: a 200 with an
empty body.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from adapters.slack.answers import guarded
from adapters.slack.cards import ACTION_IDS
from adapters.slack.payloads import button_value, case_number, version
from bridge.app.job_records import JobRecords
from bridge.app.runtime import Runtime
from bridge.desk.fast_desk import FastDesk
from bridge.domain.errors import NotAllowed
from bridge.store.fast_transitions import FastTransitions
from bridge.store.pipelined import PipelinedRedis
from bridge.store.redis_conn import resolve_url

__all__ = ["HOT_ACTIONS", "HotButtons"]

#: The action ids answered here.
HOT_ACTIONS = frozenset({ACTION_IDS["claim"], ACTION_IDS["approve"]})


class HotButtons:
    """The hot buttons' listener, and the pipelined Redis connection it uses (closed with the web app)."""

    def __init__(self, rt: Runtime) -> None:
        settings = rt.settings
        self.rt = rt
        self.redis = PipelinedRedis(resolve_url(settings.redis_url, settings.bridge_data_dir))
        transitions = FastTransitions(self.redis, settings.bridge_key_prefix)
        self.desk = FastDesk(transitions, rt.playbooks, JobRecords(rt.queue, rt.refreshes), rt.clock)

    @staticmethod
    def handles(body: dict[str, Any]) -> bool:
        """Whether ``body`` (already verified, parsed and checked) is a click on a hot button."""
        actions = body.get("actions") if body.get("type") == "block_actions" else None
        return bool(actions) and actions[0].get("action_id") in HOT_ACTIONS  # type: ignore[index]

    async def click(self, body: dict[str, Any]) -> None:
        """Do what the clicked button asks for the person who clicked; through the desk, on the thread
        pool, when the fast path leaves it."""
        user, value = body["user"]["id"], button_value(body)
        rt, desk = self.rt, self.desk
        if body["actions"][0]["action_id"] == ACTION_IDS["claim"]:
            if await _named(lambda: desk.claim(case_number(value), user)):
                return
            await asyncio.to_thread(guarded, rt, body, lambda: rt.desk.claim(case_number(value), user))
        else:
            if await _named(lambda: desk.approve(case_number(value), version(value), user)):
                return
            await asyncio.to_thread(
                guarded, rt, body, lambda: rt.desk.approve(case_number(value), version(value), user)
            )

    async def close(self, _app: web.Application | None = None) -> None:
        """Close the Redis connection (an aiohttp ``on_cleanup`` hook)."""
        await self.redis.aclose()


async def _named(attempt: Callable[[], Awaitable[bool]]) -> bool:
    """Run a fast-path attempt; False, leaving the click to the desk, when the button names no case
    or version (the desk tells the person the card may be out of date)."""
    try:
        return await attempt()
    except NotAllowed:
        return False
