"""Tracked links: rewriting a draft's links to the bridge's redirect (length, idempotence, our own
links left alone), tokens, clicks and conversions counted on a real Redis, and the webhook's
signature and body checks."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from structlog.testing import capture_logs

from bridge.domain.clock import ManualClock
from bridge.domain.errors import BadConversion, SignatureRefused
from bridge.playbook.loader import load_model
from bridge.playbook.model import Playbook
from bridge.reports.conversions import Conversion, parse_conversion
from bridge.reports.links import TOKEN, Counted, TrackedLinks, find_links
from bridge.reports.signatures import sign, verify
from bridge.store.cases import Store
from bridge.text.weighted_length import check_length
from tests.support.cases import routed_case

PUBLIC = "https://bridge.example.com"
PLAYBOOK = """brand: {name: Acme}
default_department: social
departments:
  social: {slack_channel: C0SOCIAL, approvers: [U0SOC2]}
"""
LONG = "https://shop.acme.com/refunds/request?order=88231&utm_source=social&utm_campaign=" + "x" * 150


def tracked(store: Store, *, on: bool = True, public: str | None = PUBLIC) -> TrackedLinks:
    text = PLAYBOOK + ("measure: {tracked_links: true, link_days: 30}\n" if on else "")
    playbook = load_model(Path("desk.yml"), Playbook, text=text)
    return TrackedLinks(store, lambda: playbook, public, ManualClock(datetime(2026, 12, 1, tzinfo=UTC)))


def new_case(store: Store, post_id: str = "1") -> int:
    return store.create_case_once(routed_case(post_id))[0]


def tokens_in(text: str) -> list[str]:
    return [text[start:end].rsplit("/", 1)[-1] for start, end in find_links(text)]


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("See https://acme.com/refunds.", ["https://acme.com/refunds"]),
        ("(details: https://acme.com/help)", ["https://acme.com/help"]),
        ("https://en.wikipedia.org/wiki/Foo_(bar) is it", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("two: http://a.example/x, HTTPS://B.example/y!", ["http://a.example/x", "HTTPS://B.example/y"]),
        ("no scheme: acme.com/help, ftp://acme.com/file", []),
    ],
)
def test_links_end_where_the_sentence_takes_over(text: str, links: list[str]) -> None:
    assert [text[start:end] for start, end in find_links(text)] == links


def test_each_link_becomes_a_redirect_of_the_bridge_and_the_rest_stays(store: Store) -> None:
    number = new_case(store)
    text = f"Hi @maria, request it here: {LONG}. Our policy (https://acme.example/policy) applies."
    rewritten = tracked(store).rewrite(number, text)
    first, second = tokens_in(rewritten)
    assert rewritten == (
        f"Hi @maria, request it here: {PUBLIC}/r/{first}. Our policy ({PUBLIC}/r/{second}) applies."
    )
    assert first != second and all(TOKEN.match(t) and len(t) >= 11 for t in (first, second))


def test_rewriting_is_idempotent_and_reuses_the_token_of_the_same_link_in_the_case(store: Store) -> None:
    links, number, other = tracked(store), new_case(store, "1"), new_case(store, "2")
    once = links.rewrite(number, f"Here: {LONG}")
    assert links.rewrite(number, once) == once  # our own links are never rewritten again
    assert links.rewrite(number, f"Better wording: {LONG}") == once.replace("Here", "Better wording")
    assert tokens_in(links.rewrite(other, f"Here: {LONG}")) != tokens_in(once)  # one token per case


def test_a_rewritten_answer_weighs_on_x_what_the_original_weighed(store: Store) -> None:
    text = f"Hi @maria, sorry about that! Refund form: {LONG} and help: http://a.co"
    rewritten = tracked(store).rewrite(new_case(store), text)
    assert (
        check_length(rewritten).weighted_length == check_length(text).weighted_length
    )  # links weigh 23 each
    assert check_length(rewritten).valid and len(rewritten) < len(text)


def test_nothing_is_rewritten_when_off_or_without_a_public_address(store: Store) -> None:
    number = new_case(store)
    assert tracked(store, on=False).rewrite(number, f"Here: {LONG}") == f"Here: {LONG}"
    assert tracked(store, public=None).rewrite(number, f"Here: {LONG}") == f"Here: {LONG}"
    assert tracked(store, public="bridge.example.com").rewrite(number, f"Here: {LONG}") == f"Here: {LONG}"


def test_a_click_counts_on_the_link_and_on_its_case(store: Store) -> None:
    links, number = tracked(store), new_case(store)
    (token,) = tokens_in(links.rewrite(number, f"Here: {LONG}"))
    for _ in range(3):
        link = links.click(token)
        assert link is not None and link.url == LONG and link.case == number
    assert store.r.hget(store.k("case", number), "link_clicks") == b"3"
    assert store.r.hget(store.k("link", token), "clicks") == b"3"
    assert links.click("unknown-token-1") is None and links.click("../../etc") is None


def test_a_click_on_a_removed_case_leaves_no_stub_behind(store: Store) -> None:
    links, number = tracked(store), new_case(store)
    (token,) = tokens_in(links.rewrite(number, f"Here: {LONG}"))
    store.r.delete(store.k("case", number))  # retention or erasure removed the case
    assert links.click(token) is not None
    assert not store.r.exists(store.k("case", number))


def test_a_conversion_counts_once_per_order(store: Store) -> None:
    links, number = tracked(store), new_case(store)
    (token,) = tokens_in(links.rewrite(number, f"Here: {LONG}"))
    assert links.convert(token, "A-1", 25.5)[0] is Counted.COUNTED
    assert links.convert(token, "A-1", 25.5)[0] is Counted.DUPLICATE  # the shop retried
    assert links.convert(token, "A-2", 10)[0] is Counted.COUNTED
    assert links.convert("never-made-1", "A-3", 1)[0] is Counted.UNKNOWN
    case = store.r.hgetall(store.k("case", number))
    assert case[b"link_conversions"] == b"2" and float(case[b"link_conversion_value"]) == 35.5
    assert [e.fields["order_id"] for e in store.audit(number) if e.action == "conversion"] == ["A-1", "A-2"]
    links.click(token)
    (counts,) = links.of_case(number)
    assert (counts.link.url, counts.link.department, counts.clicks, counts.conversions) == (
        LONG,
        "billing",
        1,
        2,
    )
    assert counts.conversion_value == 35.5


SECRET = "s3cret-from-the-environment"


def test_a_correctly_signed_body_passes() -> None:
    body = b'{"token": "abcdefghijk", "order_id": "A-1"}'
    verify(SECRET, body, sign(SECRET, body))


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        (None, True),
        ("", True),
        ("sha256=" + "0" * 64, False),  # forged
        (sign("another-secret", b'{"token": "abcdefghijk"}'), False),  # signed with the wrong secret
        (sign(SECRET, b'{"token": "abcdefghijk", "value": 1}'), False),  # a signature of another body
        (sign(SECRET, b'{"token": "abcdefghijk"}').removeprefix("sha256="), False),  # no scheme
    ],
)
def test_a_missing_or_wrong_signature_is_refused(header: str | None, missing: bool) -> None:
    with pytest.raises(SignatureRefused) as caught:
        verify(SECRET, b'{"token": "abcdefghijk"}', header)
    assert caught.value.missing is missing


def test_a_conversion_body_is_read_strictly() -> None:
    assert parse_conversion(b'{"token": "abcdefghijk"}') == Conversion("abcdefghijk")
    assert parse_conversion(b'{"token": "abcdefghijk", "value": 12.5, "order_id": 77}') == Conversion(
        "abcdefghijk", 12.5, "77"
    )


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", "the body is not JSON"),
        (b"\xff\xfe", "the body is not JSON"),
        (b'["abcdefghijk"]', "expected a JSON object"),
        (b'{"token": "abcdefghijk", "ip": "1.2.3.4"}', "unknown field(s) ip"),
        (b'{"value": 3}', "token must be the string after /r/"),
        (b'{"token": "a/b"}', "token must be the string after /r/"),
        (b'{"token": "abcdefghijk", "value": -1}', "value must be a number of 0 or more"),
        (b'{"token": "abcdefghijk", "value": NaN}', "value must be a number of 0 or more"),
        (b'{"token": "abcdefghijk", "value": true}', "value must be a number of 0 or more"),
        (json.dumps({"token": "abcdefghijk", "order_id": "x" * 201}).encode(), "order_id must be a string"),
    ],
)
def test_a_malformed_conversion_says_what_was_expected(body: bytes, says: str) -> None:
    with pytest.raises(BadConversion) as caught:
        parse_conversion(body)
    assert says in str(caught.value)


@pytest.mark.parametrize(("path", "remote_logged"), [("/r/abcdefghijk", False), ("/healthz", True)])
def test_the_access_log_keeps_no_address_of_whoever_clicks_a_tracked_link(
    path: str, remote_logged: bool
) -> None:
    # imported here: bridge.app.web imported before bridge.app.runtime meets the app's import cycle
    from bridge.app.runtime import Runtime  # noqa: F401
    from bridge.app.web import AccessLogger

    request = make_mocked_request("GET", path, transport=_Transport())
    with capture_logs() as logs:
        AccessLogger(logging.getLogger("test"), "").log(request, web.Response(status=302), 0.001)
    (line,) = logs
    assert (line["remote"] == "203.0.113.9") is remote_logged and line["path"] == path


class _Transport:
    """What aiohttp asks a connection for the peer's address."""

    def get_extra_info(self, name: str, default: object = None) -> object:
        return ("203.0.113.9", 51000) if name == "peername" else default
