"""The Mastodon adapter and stand-in against real Mastodon 4.6.4 answers (recorded by Mastodon.py's
test suite, ``shared/data/mastodon``): the real SDK reads replayed responses over HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from mastodon import Mastodon

from adapters.mastodon.platform import MastodonPlatform
from adapters.mastodon.text import plain_text
from bridge.domain.errors import PlatformError, RateLimited, Rejected
from standins import mastodon_entities as entities
from standins.mastodon_api import BASE
from standins.server import BackgroundServer
from tests.conftest import shared_data


def recorded(name: str) -> list[dict[str, Any]]:
    path = shared_data("mastodon", "mastodon-py", "decoded", f"{name}.decoded.json")
    interactions: list[dict[str, Any]] = json.loads(path.read_text())["interactions"]
    return interactions


def answer(name: str, method: str, path: str, index: int = 0) -> dict[str, Any]:
    found = [i for i in recorded(name) if i["method"] == method and i["uri"].split("?")[0].endswith(path)]
    return found[index]


@contextmanager
def replaying(interaction: dict[str, Any], **headers: str) -> Iterator[MastodonPlatform]:
    """An instance that answers every request with one recorded interaction, and a platform on it."""

    async def handler(_: web.Request) -> web.Response:
        body = interaction.get("response_json")
        return web.json_response(
            body, status=interaction["status"], headers={**interaction["ratelimit_headers"], **headers}
        )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    with BackgroundServer(app) as server:
        client = Mastodon(
            access_token="token", api_base_url=server.url, ratelimit_method="throw", version_check_mode="none"
        )
        yield MastodonPlatform(client, "mastodonpy_test", account_id="117020565966271181")


def test_a_recorded_mention_notification_becomes_a_mention_in_plain_text() -> None:
    listing = answer("test_notifications_mentions_only", "GET", "/api/v1/notifications")
    status = listing["response_json"][0]["status"]
    with replaying(listing) as platform:
        batch = platform.fetch_mentions(None)
    assert batch.newest_id == listing["response_json"][0]["id"]  # the cursor is the notification id
    mention = batch.mentions[0]
    assert mention.platform == "mastodon" and mention.post_id == status["id"]
    assert mention.author.id == status["account"]["id"] and mention.author.handle == status["account"]["acct"]
    assert mention.text == "@mastodonpy_test hello!" and "<" not in mention.text
    # the post's link as our instance shows it, never the address its server declared
    assert mention.url.endswith(f"/@{status['account']['acct']}/{status['id']}")
    assert (
        mention.url.startswith(("http://127.0.0.1:", "http://localhost:")) and mention.visibility == "public"
    )
    assert mention.created_at == datetime(2026, 8, 1, 13, 51, 42, 823000, tzinfo=UTC)


def test_the_instances_own_limit_is_read_from_its_configuration() -> None:
    with replaying(answer("test_instance", "GET", "/api/v2/instance/")) as platform:
        limit = platform.character_limit()
    assert (limit.max_characters, limit.characters_reserved_per_url) == (500, 23)


def test_while_the_instance_cannot_say_its_limit_mastodons_default_holds_and_is_asked_again() -> None:
    down = {"status": 503, "response_json": {"error": "down"}, "ratelimit_headers": {}}
    with replaying(down) as platform:
        assert platform.character_limit().max_characters == 500
        assert "_limit" not in vars(platform)  # not kept: the next check asks the instance again


@pytest.mark.parametrize(
    ("name", "method", "path", "error", "words"),
    [
        ("test_lang_for_errors", "POST", "/api/v1/statuses", Rejected, "422"),  # over the limit
        ("test_status_missing", "GET", "/api/v1/statuses/0", Rejected, "Not Found"),
        ("test_unauthed_home_tl_throws", "GET", "/api/v1/timelines/home", PlatformError, "token is invalid"),
    ],
)
def test_recorded_refusals_become_the_cores_errors(
    name: str, method: str, path: str, error: type[Exception], words: str
) -> None:
    with replaying(answer(name, method, path)) as platform, pytest.raises(error, match=words) as caught:
        platform.reply("117020577157693549", "hello")
    assert type(caught.value) is error  # a refusal is never taken for an outage or a rate limit


def test_a_429_is_rate_limited_until_the_reset_the_instance_names() -> None:
    reset = datetime.fromtimestamp(time.time() + 240, UTC)
    limited = {"status": 429, "response_json": {"error": "Too many requests"}, "ratelimit_headers": {}}
    header = reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # the format the recordings show
    headers = {"X-RateLimit-Reset": header, "X-RateLimit-Remaining": "0"}
    with replaying(limited, **headers) as platform, pytest.raises(RateLimited) as caught:
        platform.fetch_mentions("21")
    assert abs(caught.value.retry_at - reset.timestamp()) < 2


def test_recorded_status_html_becomes_plain_text_with_mentions_named() -> None:
    statuses = [
        i["response_json"]
        for name in ("test_status_reply", "test_status_post__None-direct", "test_notifications")
        for i in recorded(name)
        if isinstance(i.get("response_json"), dict) and "content" in i["response_json"]
    ]
    assert statuses
    for status in statuses:
        text = plain_text(status["content"])
        assert "<" not in text and "&amp;" not in text and "class=" not in text
        for named in status["mentions"]:
            assert f"@{named['username']}" in text


def test_plain_text_keeps_link_targets_visible_and_nothing_live() -> None:
    html = (
        '<p>see <a href="https://example.com/very/long/path" rel="nofollow noopener" target="_blank">'
        '<span class="invisible">https://</span><span class="ellipsis">example.com/very/lo</span>'
        '<span class="invisible">ng/path</span></a> &amp; <a href="https://evil.example/x">my receipt</a>'
        "<br>&lt;script&gt;</p><p>thanks</p>"
    )
    assert plain_text(html) == (
        "see https://example.com/very/long/path & my receipt (https://evil.example/x)\n<script>\n\nthanks"
    )


ENTITIES = {
    "Account": ("test_verify_credentials", "GET", "/api/v1/accounts/verify_credentials"),
    "Status": ("test_status_post__None-public", "POST", "/api/v1/statuses"),
    "Notification": ("test_notifications_mentions_only", "GET", "/api/v1/notifications"),
    "Relationship": ("test_account_block_unblock", "POST", "/block"),
}


def made(kind: str) -> dict[str, Any]:
    author = entities.account(BASE, "1", "maria")
    status = entities.status(BASE, "2", author, "hello", created=datetime.now(UTC))
    return {
        "Account": author,
        "Status": status,
        "Notification": entities.notification("3", "mention", status, datetime.now(UTC)),
        "Relationship": entities.relationship("1", blocking=True),
    }[kind]


@pytest.mark.parametrize("kind", list(ENTITIES))
def test_the_stand_in_answers_in_the_shape_mastodon_answers(kind: str) -> None:
    real = answer(*ENTITIES[kind])["response_json"]
    real = real[0] if isinstance(real, list) else real
    ours = made(kind)
    assert set(real) - {"source", "role", "pinned"} <= set(ours), set(real) - set(ours)
    for key, value in real.items():
        if key in ours and value is not None and ours[key] is not None:
            assert type(ours[key]) is type(value), key  # ids are strings, counts integers ...


def test_the_stand_ins_instance_has_the_configuration_the_bridge_reads() -> None:
    real = answer("test_instance", "GET", "/api/v2/instance/")["response_json"]
    ours = entities.instance(BASE, 500)
    assert ours["configuration"]["statuses"] == real["configuration"]["statuses"]
    assert set(ours) <= set(real)
