"""An answer from X that nobody foresaw costs one poll of that platform, never the poller.

Before, a malformed X answer killed ``bridge poll`` with a traceback, and ``bridge run`` then
stopped the whole group (exit 1).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import ClientSession, web

from standins.harness import LocalBridge
from standins.server import BackgroundServer
from tests.conftest import PLAYBOOK, running_bridge
from tests.faults.bridge_processes import BridgeProcess, bridge_environment, wait_until

pytestmark = pytest.mark.e2e

PASSED_ON = ("content-type", "x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset")


class MalformedMentions:
    """In front of the X stand-in: the next ``times`` reads of mentions get JSON X never sends (a
    post without its text, metadata that is not an object); everything else is passed through."""

    def __init__(self, upstream: str, times: int) -> None:
        self.upstream = upstream
        self.remaining = times
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.forward)

    async def forward(self, request: web.Request) -> web.StreamResponse:
        if request.path.endswith("/mentions") and self.remaining > 0:
            self.remaining -= 1
            return web.json_response({"data": {"id": "1"}, "meta": "garbled"})
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        async with (
            ClientSession() as session,
            session.request(
                request.method, self.upstream + request.path_qs, headers=headers, data=await request.read()
            ) as answer,
        ):
            passed = {k: v for k, v in answer.headers.items() if k.lower() in PASSED_ON}
            return web.Response(status=answer.status, body=await answer.read(), headers=passed)


@pytest.fixture
def bridge(redis_url: str, tmp_path: Path) -> Iterator[LocalBridge]:
    with running_bridge(PLAYBOOK, redis_url, tmp_path) as bridge:
        yield bridge


def test_bridge_poll_logs_a_malformed_x_answer_backs_off_and_goes_on(
    bridge: LocalBridge, tmp_path: Path
) -> None:
    garbling = MalformedMentions(bridge.rt.settings.x_api_url, times=2)
    server = BackgroundServer(garbling.app).start()
    env = bridge_environment(bridge, tmp_path / "poll", X_API_URL=server.url)
    poll = BridgeProcess(env, command="poll", log=tmp_path / "poll.log")
    try:
        post_id = bridge.x.add_mention("@AcmeHelp where is my refund?", author_handle="maria_k")
        wait_until(
            lambda: bridge.rt.store.case_for_post("x", post_id),
            timeout=60,
            what="the case after the bad answers",
        )
        assert garbling.remaining == 0
        assert poll.process.poll() is None, poll.output()
        poll.signal_group(signal.SIGTERM)
        code = poll.wait(timeout=30)
    finally:
        poll.kill_everything()
        server.stop()
    assert code == 0
    output = poll.output(tail=100_000)
    assert output.count("poll_failed_unexpectedly") == 2, output
    assert "Traceback" in output
