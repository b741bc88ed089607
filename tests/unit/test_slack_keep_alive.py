"""The bridge's Slack client keeps its connection between calls (:mod:`adapters.slack.keep_alive`) and
still behaves as the SDK's own: 429s waited out, API errors raised, a server gone or restarted
handled, against the Slack stand-in over HTTP."""

from __future__ import annotations

import time
import urllib.error
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.client import make_web_client
from bridge.app.settings import Settings
from standins.harness import BOT_TOKEN
from standins.server import BackgroundServer
from standins.slack_api import SlackStandIn

CHANNEL = "C0BILLING"


@dataclass
class Slack:
    """The stand-in, and the client port each request came from (one port: one connection)."""

    standin: SlackStandIn = field(default_factory=SlackStandIn)
    ports: list[int] = field(default_factory=list)
    server: BackgroundServer | None = None

    def start(self, port: int = 0) -> Slack:
        @web.middleware
        async def note_port(
            request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
        ) -> web.StreamResponse:
            assert request.transport is not None
            self.ports.append(request.transport.get_extra_info("peername")[1])
            return await handler(request)

        self.standin.app.middlewares.append(note_port)
        self.server = BackgroundServer(self.standin.app, port=port).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url + "/api/"


@pytest.fixture
def slack() -> Iterator[Slack]:
    running = Slack().start()
    yield running
    if running.server is not None:
        running.server.stop()


def client_for(url: str) -> WebClient:
    return make_web_client(Settings(slack_bot_token=BOT_TOKEN, slack_api_url=url))


def test_calls_reuse_one_connection(slack: Slack) -> None:
    client = client_for(slack.url)
    for n in range(5):
        client.chat_postMessage(channel=CHANNEL, text=f"card {n}")
    assert len(slack.ports) == 5
    assert len(set(slack.ports)) == 1, "the SDK's urllib path opened a connection per call"
    assert [m["text"] for m in slack.standin.messages[CHANNEL]][-5:] == [f"card {n}" for n in range(5)]


def test_a_429_is_waited_out_and_sent_again(slack: Slack) -> None:
    slack.standin.fail_next("chat.postMessage", status=429, retry_after=1)
    began = time.monotonic()
    client_for(slack.url).chat_postMessage(channel=CHANNEL, text="after the limit")
    assert time.monotonic() - began >= 1.0
    assert len(slack.standin.calls_to("chat.postMessage")) == 2
    assert slack.standin.messages[CHANNEL][-1]["text"] == "after the limit"


def test_an_api_error_is_raised_as_the_sdk_raises_it(slack: Slack) -> None:
    slack.standin.fail_next("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError) as refused:
        client_for(slack.url).chat_postMessage(channel=CHANNEL, text="lost")
    assert refused.value.response["error"] == "channel_not_found"


def test_a_server_error_is_a_slack_api_error_with_its_status(slack: Slack) -> None:
    slack.standin.fail_next("chat.postMessage", status=503)
    with pytest.raises(SlackApiError) as refused:
        client_for(slack.url).chat_postMessage(channel=CHANNEL, text="later")
    assert refused.value.response.status_code == 503


def test_a_server_that_went_away_is_a_connection_error_after_the_sdks_retries(slack: Slack) -> None:
    client = client_for(slack.url)
    client.chat_postMessage(channel=CHANNEL, text="first")
    assert slack.server is not None
    slack.server.stop()
    with pytest.raises(urllib.error.URLError):
        client.chat_postMessage(channel=CHANNEL, text="nobody there")


def test_a_restarted_server_is_reached_on_a_new_connection(slack: Slack) -> None:
    client = client_for(slack.url)
    client.chat_postMessage(channel=CHANNEL, text="before")
    assert slack.server is not None
    port = slack.server.port
    slack.server.stop()
    again = Slack().start(port=port)
    try:
        client.chat_postMessage(channel=CHANNEL, text="after")  # the kept connection is dead
        assert [m["text"] for m in again.standin.messages[CHANNEL]] == ["after"]
    finally:
        assert again.server is not None
        again.server.stop()
