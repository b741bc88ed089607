"""Meta's rules the adapter and the core keep: the webhook signature and handshake, the answer windows,
throttling codes and usage headers, and how long an answer may be."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from adapters.meta.errors import translate
from adapters.meta.graph import GRAPH_API_VERSION, GraphClient
from adapters.meta.webhook import check_signature, verification
from bridge.domain.errors import AuthFailed, RateLimited, Rejected
from bridge.domain.lifecycle import State
from bridge.domain.model import Case
from bridge.domain.windows import private_window, window_label
from bridge.text.answer_length import answer_length
from tests.conftest import shared_data

SECRET = "app-secret"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_the_signature_is_the_hmac_of_the_raw_bytes_as_sent() -> None:
    body = shared_data("meta", "restfb", "json", "webhooks", "feed-comment-add-211.json").read_bytes()
    header = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert check_signature(SECRET, body, header)
    assert check_signature(SECRET, body, header.upper().replace("SHA256=", "sha256="))  # hex case
    reserialised = json.dumps(json.loads(body)).encode()  # the same JSON, other bytes
    assert not check_signature(SECRET, reserialised, header)
    assert not check_signature("another-secret", body, header)
    assert not check_signature(SECRET, body, None)
    assert not check_signature(SECRET, body, "sha1=" + hashlib.sha1(body).hexdigest())  # noqa: S324
    assert not check_signature("", body, header)  # no secret configured: nothing passes


def test_the_handshake_echoes_the_challenge_for_our_token_only() -> None:
    asked = {"hub.mode": "subscribe", "hub.verify_token": "meatyhamhock", "hub.challenge": "1158201444"}
    assert verification(asked, "meatyhamhock") == (200, "1158201444")
    assert verification(asked, "another")[0] == 403
    assert verification({**asked, "hub.mode": "unsubscribe"}, "meatyhamhock")[0] == 403
    assert verification(asked, "")[0] == 403  # no token configured
    php = {"hub_mode": "subscribe", "hub_verify_token": "meatyhamhock", "hub_challenge": "7"}
    assert verification(php, "meatyhamhock") == (200, "7")


def case(platform: str = "facebook", visibility: str = "public", age: timedelta = timedelta(hours=1)) -> Case:
    created = NOW - age
    return Case(
        number=1, state=State.ROUTED, platform=platform, post_id="1_2", text="refund?", author_id="9",
        author_handle="9", author_name="Maria", post_url="", created_at=created, ingested_at=created,
        visibility=visibility,
    )  # fmt: skip


def test_a_comment_can_be_answered_privately_for_seven_days() -> None:
    assert window_label(case(), NOW) == "private reply possible for 6 d 23 h"
    late = case(age=timedelta(days=7, minutes=1))
    window = private_window(late, NOW)
    assert window is not None and not window.open
    assert window_label(late, NOW) == "private reply window closed (7 days after the comment)"
    assert private_window(case("x"), NOW) is None and window_label(case("mastodon"), NOW) == ""


def test_a_message_is_answered_within_24_hours_then_only_by_a_human_agent() -> None:
    fresh = case("instagram", "direct", timedelta(hours=23))
    assert window_label(fresh, NOW) == "answer within 1 h 0 min (24-hour messaging window)"
    late = case("facebook", "direct", timedelta(hours=30))
    assert "only a HUMAN_AGENT answer" in window_label(late, NOW) and "for 5 d 18 h" in window_label(
        late, NOW
    )
    gone = case("facebook", "direct", timedelta(days=8))
    assert "no longer lets the Page answer" in window_label(gone, NOW)


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_throttling_codes_wait_as_long_as_the_usage_header_says(code: int) -> None:
    body = {"error": {"message": f"(#{code}) limit reached", "type": "OAuthException", "code": code}}
    usage = {
        "X-Business-Use-Case-Usage": json.dumps(
            {"1": [{"call_count": 100, "estimated_time_to_regain_access": 7}]}
        )
    }
    error = translate(400, body, usage, now=1000.0)
    assert isinstance(error, RateLimited) and error.retry_at == 1000.0 + 7 * 60
    assert translate(400, body, {}, now=1000.0).retry_at == 1300.0  # type: ignore[attr-defined]


def test_an_expired_token_is_an_auth_failure_that_names_the_setting() -> None:
    body = {
        "error": {
            "message": "Session has expired",
            "type": "OAuthException",
            "code": 190,
            "error_subcode": 463,
        }
    }
    error = translate(400, body, {})
    assert isinstance(error, AuthFailed) and "META_PAGE_ACCESS_TOKEN" in str(error)
    assert isinstance(translate(400, {"error": {"message": "x", "code": 10900}}, {}), Rejected)


class Recorded(requests.Session):
    """A session answering every call with one canned response, counting the calls."""

    def __init__(self, status: int, body: Any, headers: dict[str, str]) -> None:
        super().__init__()
        self.answer = (status, body, headers)
        self.calls: list[str] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        self.calls.append(f"{method!s} {url!s}")
        response = requests.Response()
        response.status_code, body, headers = self.answer
        response._content = json.dumps(body).encode()
        response.headers.update(headers)
        return response


def test_the_client_backs_off_before_meta_throttles() -> None:
    session = Recorded(
        200, {"id": "1"}, {"X-App-Usage": '{"call_count":91,"total_cputime":15,"total_time":12}'}
    )
    clock = [1000.0]
    graph = GraphClient("https://graph.test", "token", session=session, clock=lambda: clock[0])
    assert graph.get("1_2") == {"id": "1"}
    assert session.calls == [f"GET https://graph.test/{GRAPH_API_VERSION}/1_2"]
    with pytest.raises(RateLimited) as limited:
        graph.get("1_2")  # 91 % used: not called again
    assert limited.value.retry_at == 1300.0 and len(session.calls) == 1
    clock[0] = 1301.0
    session.answer = (200, {"id": "1"}, {"X-App-Usage": '{"call_count":10}'})
    assert graph.get("1_2") == {"id": "1"} and len(session.calls) == 2


def test_answers_are_bounded_by_each_meta_surface() -> None:
    assert answer_length(case(), "x" * 8000).valid and not answer_length(case(), "x" * 8001).valid
    assert not answer_length(case("facebook", "direct"), "x" * 2001).valid  # a Messenger message
    assert (
        answer_length(case("instagram"), "x" * 2200).valid
        and not answer_length(case("instagram"), "x" * 2201).valid
    )
    check = answer_length(case("instagram", "direct"), "x" * 1001)
    assert (check.max_length, check.over_by) == (1000, 1)
