"""Bad input and failing platforms: clear answers, nothing lost, nothing done twice."""

from __future__ import annotations

import json
import time

import pytest

from adapters.slack.cards import ACTION_IDS
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from standins.slack_requests import sign, thread_message
from tests.conftest import shared_data
from tests.e2e.test_concierge_loop import claimed_draft, ephemerals_to, open_case, x_posts

pytestmark = pytest.mark.e2e


def approve(bridge: LocalBridge, number: int, version: int = 1) -> None:
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:{version}")
    bridge.drain()


def thread_texts(bridge: LocalBridge, number: int) -> list[str]:
    case = bridge.rt.store.get(number)
    return [m.get("text", "") for m in bridge.slack.thread(case.channel, case.card_ts)]


# Slack request verification ------------------------------------------------------------------------
@pytest.mark.parametrize("tamper", ["bad_signature", "missing_signature", "stale_timestamp"])
def test_unverified_requests_get_401_and_change_nothing(local_bridge: LocalBridge, tamper: str) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    from standins.slack_requests import block_action, interactive_body

    case = bridge.rt.store.get(number)
    body = interactive_body(
        block_action("U0EXP1", case.channel, case.card_ts, ACTION_IDS["claim"], str(number))
    )
    stale = int(time.time()) - 6 * 60 if tamper == "stale_timestamp" else None
    signed = sign(
        bridge.signing_secret if tamper != "bad_signature" else "wrong-secret",
        body,
        "application/x-www-form-urlencoded",
        timestamp=stale,
    )
    if tamper == "missing_signature":
        signed.headers.pop("X-Slack-Signature")
    assert bridge.send(signed).status == 401
    bridge.drain()
    assert bridge.rt.store.get(number).claimant == ""


def test_malformed_payload_is_a_400_when_signed_and_401_when_not(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    assert bridge.send(sign(bridge.signing_secret, "{not json", "application/json")).status == 400
    assert bridge.send(sign("other", "{not json", "application/json")).status == 401
    garbage = sign(bridge.signing_secret, "payload=%7Bbroken", "application/x-www-form-urlencoded")
    assert bridge.send(garbage).status == 400


def test_a_retried_event_is_processed_once(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    case = bridge.rt.store.get(number)
    event = thread_message("U0EXP1", case.channel, case.card_ts, "Hi @maria_k, on it")
    assert bridge.send_event(event, event_id="Ev0001").status == 200
    assert bridge.send_event(event, event_id="Ev0001", retry_num=1).status == 200
    assert bridge.send_event(event, event_id="Ev0001", retry_num=2).status == 200
    bridge.drain()
    assert bridge.rt.store.get(number).draft_version == 1


def test_buttons_naming_unknown_or_garbled_cases_get_a_clear_ephemeral(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    assert bridge.click("U0EXP1", number, ACTION_IDS["claim"], "999999").status == 200
    assert bridge.click("U0EXP1", number, ACTION_IDS["approve"], "not-a-case").status == 200
    bridge.drain()
    told = ephemerals_to(bridge, "U0EXP1")
    assert any("There is no case #999999" in t for t in told)
    assert any("does not name a case" in t for t in told)
    assert bridge.rt.store.get(number).state == State.ROUTED


def test_every_recorded_slack_payload_is_answered_without_a_server_error(local_bridge: LocalBridge) -> None:
    folder = shared_data("slack", "inbound-payloads")
    seen = 0
    for path in sorted(folder.iterdir()):
        if path.suffix == ".txt":
            body, kind = path.read_text().strip(), "application/x-www-form-urlencoded"
        elif path.suffix == ".json" and path.name != "INDEX.json":
            data = json.loads(path.read_text())
            if data.get("type") in ("event_callback", "url_verification") or "event" in data:
                body, kind = json.dumps(data), "application/json"
            else:
                from standins.slack_requests import interactive_body

                body, kind = interactive_body(data), "application/x-www-form-urlencoded"
        else:
            continue
        answer = local_bridge.send(sign(local_bridge.signing_secret, body, kind))
        assert answer.status < 500, f"{path.name}: {answer.status} {answer.text}"
        seen += 1
    assert seen >= 30


def test_url_verification_answers_the_challenge(local_bridge: LocalBridge) -> None:
    body = json.dumps(
        {
            "token": "t",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    answer = local_bridge.send(sign(local_bridge.signing_secret, body, "application/json"))
    assert answer.status == 200 and answer.json()["challenge"].startswith("3eZbrw1a")


# X failures -----------------------------------------------------------------------------------------
def test_x_rate_limit_defers_the_post_and_it_goes_out_later(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = claimed_draft(bridge)
    bridge.x.fail_next("POST /2/tweets", status=429, reset_in=60)
    approve(bridge, number)
    assert x_posts(bridge) == [] or all(r.status == 429 for r in bridge.x.requests if r.path == "/2/tweets")
    assert bridge.rt.store.get(number).state == State.APPROVED
    assert any("limiting our posts" in t for t in thread_texts(bridge, number))
    assert bridge.scheduled_count() == 1
    bridge.drain(include_scheduled=True)
    assert bridge.rt.store.get(number).state == State.POSTED
    assert len([r for r in bridge.x.requests if r.path == "/2/tweets" and r.status == 201]) == 1


def test_unknown_outcome_after_posting_does_not_post_twice(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = claimed_draft(bridge)
    bridge.x.fail_next("POST /2/tweets", status=503, after_effect=True)  # posted, but we hear a 503
    approve(bridge, number)
    assert bridge.rt.store.get(number).state == State.POSTING
    assert any("did not answer" in t for t in thread_texts(bridge, number))
    bridge.drain(include_scheduled=True)  # the RQ retry looks for our reply first
    case = bridge.rt.store.get(number)
    assert case.state == State.POSTED
    created = bridge.x.replies_to(case.post_id)
    assert len(created) == 1 and case.reply_id == created[0].id
    assert any(
        e.action == "posted" and e.fields.get("recovered") == "True" for e in bridge.rt.store.audit(number)
    )


def test_x_server_error_before_posting_is_retried_and_posts_once(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = claimed_draft(bridge)
    bridge.x.fail_next("POST /2/tweets", status=500)
    approve(bridge, number)
    bridge.drain(include_scheduled=True)
    case = bridge.rt.store.get(number)
    assert case.state == State.POSTED
    assert len(bridge.x.replies_to(case.post_id)) == 1


def test_a_duplicate_text_refused_by_x_asks_for_a_new_draft(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    first = claimed_draft(bridge, "Thanks, we are on it!")
    approve(bridge, first)
    assert bridge.rt.store.get(first).state == State.POSTED
    second = open_case(bridge, "@AcmeHelp charged twice again, refund please", handle="sam")
    bridge.click("U0EXP1", second, ACTION_IDS["claim"])
    bridge.reply_in_thread("U0EXP1", second, "Thanks, we are on it!")
    bridge.drain()
    approve(bridge, second)
    case = bridge.rt.store.get(second)
    assert case.state == State.CLAIMED and "duplicate" in case.last_error.lower()
    assert any("identical to an earlier post" in t for t in thread_texts(bridge, second))
    bridge.reply_in_thread("U0EXP1", second, "Thanks Sam, we are on it and will DM you.")
    bridge.drain()
    approve(bridge, second, version=2)
    assert bridge.rt.store.get(second).state == State.POSTED


def test_slack_429_on_posting_a_card_is_waited_out(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    bridge.slack.fail_next("chat.postMessage", status=429, retry_after=1)
    number = open_case(bridge)
    assert bridge.rt.store.get(number).card_ts
    statuses = [c.status for c in bridge.slack.calls_to("chat.postMessage")]
    assert statuses == [429, 200]


def test_a_polling_rate_limit_returns_the_wait_and_keeps_the_cursor(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    bridge.x.add_mention("@AcmeHelp refund please", author_handle="a", author_name="A")
    bridge.x.fail_next("GET /2/users/2244994945/mentions", status=429, reset_in=120)
    delay = bridge.poll()
    assert 100 <= delay <= 121
    assert bridge.rt.store.open_cases() == []
    bridge.poll()
    assert len(bridge.rt.store.open_cases()) == 1


def test_the_cursor_moves_only_after_every_page_is_stored(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    ids = [
        bridge.x.add_mention(f"@AcmeHelp question {i}", author_handle=f"user{i}", author_name=f"U {i}")
        for i in range(130)
    ]  # two pages of up to 100
    bridge.x.fail_next("GET /2/users/2244994945/mentions", status=503, times=1, after_effect=False)
    bridge.poll()
    assert bridge.rt.store.cursor("x:mentions:since_id") is None
    first_page_pages = len(bridge.x.requests_to("GET", "/2/users/2244994945/mentions"))
    assert first_page_pages == 1
    bridge.poll()
    assert bridge.rt.store.cursor("x:mentions:since_id") == max(ids, key=int)
    assert all(bridge.rt.store.case_for_post("x", i) is not None for i in ids)
    assert len(set(bridge.rt.store.open_cases())) == 130
    pages = bridge.x.requests_to("GET", "/2/users/2244994945/mentions")
    assert any("pagination_token" in r.query for r in pages)


def test_a_failure_on_the_second_page_keeps_the_cursor_and_loses_nothing(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    ids = [
        bridge.x.add_mention(f"@AcmeHelp problem {i}", author_handle=f"p{i}", author_name=f"P {i}")
        for i in range(150)
    ]
    bridge.x.fail_next("GET /2/users/2244994945/mentions?pagination_token", status=429, reset_in=120)
    delay = bridge.poll()  # page one is read, page two is refused: the batch is not taken
    assert 100 <= delay <= 121
    assert len(bridge.x.requests_to("GET", "/2/users/2244994945/mentions")) == 2
    assert bridge.rt.store.cursor("x:mentions:since_id") is None
    assert bridge.rt.store.open_cases() == []
    bridge.poll()  # everything again from the old cursor
    assert bridge.rt.store.cursor("x:mentions:since_id") == max(ids, key=int)
    assert len(bridge.rt.store.open_cases()) == 150
    assert all(bridge.rt.store.case_for_post("x", i) is not None for i in ids)


def test_when_every_retry_fails_the_thread_says_so_and_retry_posts_once(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = claimed_draft(bridge)
    bridge.x.fail_next("POST /2/tweets", status=503, times=6)  # the first try and all five retries
    approve(bridge, number)
    for _ in range(6):
        bridge.drain(include_scheduled=True, rounds=1)
    assert bridge.x.pending_faults() == 0
    assert bridge.rt.store.get(number).state == State.POSTING
    assert any(
        "gave up posting" in t and f"/bridge retry {number}" in t for t in thread_texts(bridge, number)
    )
    assert "post_gave_up" in [e.action for e in bridge.rt.store.audit(number)]
    assert bridge.x.replies_to(bridge.rt.store.get(number).post_id) == []
    answer = bridge.slash("U0SOC1", "C0SOCIAL", f"retry {number}")
    assert "Trying" in answer.json()["text"]
    bridge.drain()
    case = bridge.rt.store.get(number)
    assert case.state == State.POSTED and len(bridge.x.replies_to(case.post_id)) == 1
