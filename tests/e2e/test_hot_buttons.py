"""A Claim over HTTP is acknowledged on the event loop after one Redis round trip; a click the desk
must explain still goes through the desk, on the thread pool, and is told to the person."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.slack.app import build_bolt_app
from adapters.slack.cards import ACTION_IDS
from adapters.slack.hot_buttons import HotButtons
from adapters.slack.http import slack_events_handler
from bridge.domain.lifecycle import State
from bridge.store.pipelined import Command
from standins.harness import LocalBridge
from standins.slack_requests import SignedRequest, block_action, interactive_body, sign

pytestmark = pytest.mark.e2e


class CountingExecutor(ThreadPoolExecutor):
    """The event loop's default executor, counting what is handed to it."""

    submitted = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def open_case(bridge: LocalBridge, order: int) -> int:
    text = f"@AcmeHelp I was charged twice for order {order}, I need a refund"
    post_id = bridge.x.add_mention(text, author_handle=f"maria{order}")
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post_id)
    assert number is not None
    return number


def claim(bridge: LocalBridge, user: str, number: int) -> SignedRequest:
    case = bridge.rt.store.get(number)
    payload = block_action(user, case.channel, case.card_ts, ACTION_IDS["claim"], str(number))
    return sign(bridge.signing_secret, interactive_body(payload), "application/x-www-form-urlencoded")


class Clicks:
    """The Slack route on a server of the test's own, with what each click sent to Redis and handed to
    the thread pool."""

    def __init__(self, bridge: LocalBridge, monkeypatch: pytest.MonkeyPatch) -> None:
        self.hot = HotButtons(bridge.rt)
        self.handler = slack_events_handler(build_bolt_app(bridge.rt), bridge.signing_secret, self.hot)
        self.sent: list[str] = []
        send: Callable[..., Awaitable[list[Any]]] = self.hot.redis.execute

        async def noted(*commands: Command) -> list[Any]:
            self.sent += [str(command[0]) for command in commands]
            return await send(*commands)

        monkeypatch.setattr(self.hot.redis, "execute", noted)
        self.pool = CountingExecutor(max_workers=2)

    def run(self, requests: list[SignedRequest]) -> list[tuple[int, int, list[str]]]:
        """Each request's status, thread-pool hand-overs and Redis commands, in order."""

        async def clicks() -> list[tuple[int, int, list[str]]]:
            asyncio.get_running_loop().set_default_executor(self.pool)
            app = web.Application()
            app.router.add_post("/slack/events", self.handler)
            seen = []
            async with TestClient(TestServer(app)) as client:
                for signed in requests:
                    self.sent.clear()
                    submitted = self.pool.submitted
                    answer = await client.post(
                        "/slack/events", data=signed.body.encode(), headers=signed.headers
                    )
                    seen.append((answer.status, self.pool.submitted - submitted, list(self.sent)))
            await self.hot.close()
            return seen

        return asyncio.run(clicks())


def test_a_claim_is_acknowledged_after_one_redis_round_trip_without_the_thread_pool(
    local_bridge: LocalBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    bridge = local_bridge
    warm_up, number = open_case(bridge, 1), open_case(bridge, 2)
    clicks = Clicks(bridge, monkeypatch)
    # the first click loads the script into Redis
    (_, _, _), claimed = clicks.run([claim(bridge, "U0EXP1", warm_up), claim(bridge, "U0EXP1", number)])
    assert claimed == (200, 0, ["EVALSHA"])
    case = bridge.rt.store.get(number)
    assert case.state == State.CLAIMED and case.claimant == "U0EXP1"
    bridge.drain()
    assert "Claimed by <@U0EXP1>" in repr(bridge.card_of(number)["blocks"])


def test_a_second_claim_goes_through_the_desk_and_the_clicker_is_told_who_owns_the_case(
    local_bridge: LocalBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    bridge = local_bridge
    number = open_case(bridge, 1)
    first, second = Clicks(bridge, monkeypatch).run(
        [claim(bridge, "U0EXP1", number), claim(bridge, "U0EXP2", number)]
    )
    assert first[:2] == (200, 0) and second[:2] == (200, 1)
    bridge.drain()
    told = [c.params.get("text") for c in bridge.slack.calls_to("chat.postEphemeral")]
    assert told == [f"#{number} is already claimed by <@U0EXP1>."]
    assert [e.by for e in bridge.rt.store.audit(number) if e.action == "refused"] == ["U0EXP2"]


def test_a_forged_claim_is_refused_before_the_hot_path(
    local_bridge: LocalBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    bridge = local_bridge
    number = open_case(bridge, 1)
    signed = claim(bridge, "U0EXP1", number)
    forged = SignedRequest(signed.body, {**signed.headers, "X-Slack-Signature": "v0=" + "0" * 64})
    [(status, submitted, sent)] = Clicks(bridge, monkeypatch).run([forged])
    assert (status, submitted, sent) == (401, 0, [])
    assert bridge.rt.store.get(number).state == State.ROUTED


def test_an_approval_is_acknowledged_without_the_thread_pool_and_the_answer_is_posted(
    local_bridge: LocalBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    bridge = local_bridge
    number = open_case(bridge, 1)
    assert bridge.click("U0EXP1", number, ACTION_IDS["claim"]).status == 200
    answer, _ = bridge.reply_in_thread("U0EXP1", number, "Hi, sorry! The second charge is refunded today.")
    assert answer.status == 200
    bridge.drain()
    case = bridge.rt.store.get(number)
    payload = block_action("U0APP1", case.channel, case.card_ts, ACTION_IDS["approve"], f"{number}:1")
    approve = sign(bridge.signing_secret, interactive_body(payload), "application/x-www-form-urlencoded")
    [(status, submitted, sent)] = Clicks(bridge, monkeypatch).run([approve])
    assert (status, submitted, sent[-1:]) == (200, 0, ["EVALSHA"])
    bridge.drain()
    posts = [r.json for r in bridge.x.requests if r.method == "POST" and r.path == "/2/tweets"]
    assert [p["text"] for p in posts] == ["Hi, sorry! The second charge is refunded today."]
    assert bridge.rt.store.get(number).state == State.POSTED
    assert any(
        "approved by <@U0APP1>" in str(c.params.get("text"))
        for c in bridge.slack.calls_to("chat.postMessage")
    )
