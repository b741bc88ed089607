"""The Bluesky loop end to end: the real atproto SDK against the PDS's stand-in, Bolt and slack_sdk
against Slack's, real Redis, jobs run by a real RQ worker."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.cards import ACTION_IDS
from bridge.app.poller import cursor_name
from bridge.domain.lifecycle import State
from standins.bluesky_demo import run_bluesky_demo
from standins.harness import LocalBridge
from tests.conftest import PLAYBOOK, running_bridge
from tests.support.desk_steps import draft_and_approve, drafted_preview
from tests.support.platforms import pds

pytestmark = pytest.mark.e2e

REFUND = "I was charged twice for order 88231, I need a refund"
CUSTOMER = "maria.bsky.social"


@pytest.fixture
def bridge(redis_url: str, tmp_path: Path) -> Iterator[LocalBridge]:
    with running_bridge(PLAYBOOK, redis_url, tmp_path, bluesky=True) as running:
        yield running


def open_case(bridge: LocalBridge, text: str = REFUND, **options: Any) -> tuple[int, dict[str, Any]]:
    post = pds(bridge).add_mention(CUSTOMER, text, name="Maria K.", **options)
    bridge.poll()
    bridge.poll()  # a repeated poll: the same mention must not make a second case
    bridge.drain()
    number = bridge.rt.store.case_for_post("bluesky", post["uri"])
    assert number is not None
    return number, post


def ref(strong: dict[str, Any]) -> dict[str, str]:
    """A strong reference's uri and cid (the SDK adds its ``$type``)."""
    return {"uri": strong["uri"], "cid": strong["cid"]}


def facet_text(post: dict[str, Any], facet: dict[str, Any]) -> str:
    index = facet["index"]
    return str(post["record"]["text"].encode()[index["byteStart"] : index["byteEnd"]].decode())


def test_a_mention_is_one_card_and_the_answer_is_one_reply_with_strong_refs_and_facets(
    bridge: LocalBridge,
) -> None:
    number, post = open_case(bridge)
    cards = bridge.slack.calls_to("chat.postMessage")
    assert len(cards) == 1 and cards[0].params["channel"] == "C0BILLING"
    card = repr(bridge.card_of(number)["blocks"])
    assert "Bluesky" in card and "Maria K." in card and f"@{CUSTOMER}" in card
    assert pds(bridge).url_of(post) in card
    assert bridge.rt.store.get(number).text == f"@{pds(bridge).me['handle']} {REFUND}"
    assert bridge.rt.store.cursor(cursor_name("bluesky")) is not None

    draft_and_approve(
        bridge, number, "Sorry Maria 🙏 the refund is on its way: https://acme.example/refunds/88231"
    )
    posts = pds(bridge).posts
    assert len(posts) == 1
    record = posts[0]["record"]
    assert ref(record["reply"]["parent"]) == {"uri": post["uri"], "cid": post["cid"]}
    assert ref(record["reply"]["root"]) == {"uri": post["uri"], "cid": post["cid"]}  # a thread of its own
    assert record["text"].startswith(f"@{CUSTOMER} Sorry Maria 🙏")
    mention, link = record["facets"]
    customer = pds(bridge).account_named(CUSTOMER)
    assert customer is not None
    assert mention["features"] == [{"$type": "app.bsky.richtext.facet#mention", "did": customer["did"]}]
    assert (mention["index"]["byteStart"], facet_text(posts[0], mention)) == (0, f"@{CUSTOMER}")
    assert link["features"][0]["uri"] == "https://acme.example/refunds/88231"
    assert facet_text(posts[0], link) == "acme.example/refunds/8…"  # after a 4-byte emoji: bytes, not chars
    case = bridge.rt.store.get(number)
    assert case.state == State.POSTED and case.reply_id == posts[0]["uri"]


def test_a_mention_deep_in_someone_elses_thread_is_answered_under_the_same_root(
    bridge: LocalBridge,
) -> None:
    root = pds(bridge).add_post("tom.bsky.social", "Anyone else charged twice by Acme?")
    middle = pds(bridge).add_post("lena.bsky.social", "Yes, me too", in_reply_to=root["uri"])
    number, post = open_case(bridge, REFUND, in_reply_to=middle["uri"])
    draft_and_approve(bridge, number, "Sorry Maria, the second charge is refunded.")
    [answer] = [p["record"] for p in pds(bridge).posts]
    assert ref(answer["reply"]["parent"]) == {"uri": post["uri"], "cid": post["cid"]}
    assert ref(answer["reply"]["root"]) == {"uri": root["uri"], "cid": root["cid"]}


def test_the_preview_counts_300_graphemes(bridge: LocalBridge) -> None:
    number, _ = open_case(bridge)
    preview = drafted_preview(
        bridge, number, "👨‍👩‍👧‍👧" * 290
    )  # 290 graphemes, "@maria.bsky.social " 19 more
    assert "309/300" in preview and "9 over the limit" in preview
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1")
    bridge.drain()
    assert pds(bridge).posts == []


def test_a_post_whose_outcome_was_lost_is_not_posted_again(bridge: LocalBridge) -> None:
    number, post = open_case(bridge)
    pds(bridge).fail_next_post(502, after_write=True)  # posted, but the bridge hears an error
    draft_and_approve(bridge, number, "Refunded today.")
    bridge.drain(include_scheduled=True)
    posts = pds(bridge).posts
    assert len(posts) == 1 and posts[0]["record"]["reply"]["parent"]["uri"] == post["uri"]
    case = bridge.rt.store.get(number)
    assert case.state == State.POSTED and case.reply_id == posts[0]["uri"]


def thread_texts(bridge: LocalBridge, number: int) -> list[str]:
    case = bridge.rt.store.get(number)
    return [m.get("text", "") for m in bridge.slack.thread(case.channel, case.card_ts)]


def test_a_case_moved_to_private_is_answered_in_a_chat_conversation(bridge: LocalBridge) -> None:
    number, post = open_case(bridge)
    assert "Drafted the move" in bridge.slash("U0EXP1", "C0BILLING", f"dm {number}").json()["text"]
    bridge.drain()
    version = bridge.rt.store.get(number).draft_version
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:{version}")
    bridge.drain()
    handoff = pds(bridge).posts[-1]  # the handoff itself answers where the customer wrote
    assert handoff["record"]["reply"]["parent"]["uri"] == post["uri"]
    assert bridge.rt.store.get(number).mode == "private"

    pds(bridge).send_message(CUSTOMER, "order 88231, card ending 4242")
    bridge.poll()
    bridge.poll()
    bridge.drain()
    assert len([t for t in thread_texts(bridge, number) if "4242" in t]) == 1

    bridge.reply_in_thread("U0EXP1", number, "Thanks! Order 88231 is refunded.")
    bridge.drain()
    version = bridge.rt.store.get(number).draft_version
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:{version}")
    bridge.drain()
    sent = pds(bridge).messages_to(CUSTOMER)
    assert [m["text"] for m in sent] == ["Thanks! Order 88231 is refunded."]
    assert len(pds(bridge).posts) == 1  # nothing private went out as a public post


SOCIAL = "U0SOC1"


def confirm(bridge: LocalBridge, command: str) -> dict[str, Any]:
    assert bridge.slash(SOCIAL, "C0SOCIAL", command).status == 200
    view: dict[str, Any] = bridge.slack.calls_to("views.open")[-1].params["view"]
    assert view["callback_id"] == "confirm_action"
    return view


def told(bridge: LocalBridge) -> list[str]:
    calls = bridge.slack.calls_to("chat.postEphemeral")
    return [str(c.params.get("text")) for c in calls if c.params.get("user") == SOCIAL]


@pytest.mark.parametrize(("command", "question"), [("mute", "Mute @maria"), ("block", "Block @maria")])
def test_muting_and_blocking_a_cases_author_are_confirmed_then_done_and_audited(
    bridge: LocalBridge, command: str, question: str
) -> None:
    number, _ = open_case(bridge)
    did = bridge.rt.store.get(number).author_id
    view = confirm(bridge, f"{command} {number}")
    assert question in repr(view)
    state = pds(bridge).state
    assert did not in state.mutes and did not in state.blocks  # nothing before the confirmation
    bridge.submit(SOCIAL, "confirm_action", view["private_metadata"], {})
    bridge.drain()
    assert did in (state.mutes if command == "mute" else state.blocks)
    assert any(f"Done: {command} @{CUSTOMER} (who wrote #{number})" in t for t in told(bridge))
    action = str(json.loads(view["private_metadata"])["action"])
    assert [e.action for e in bridge.rt.store.audit(number)][-2:] == [f"{action}_requested", f"{action}_done"]


def test_reporting_a_case_reaches_bluesky_moderation_once(bridge: LocalBridge) -> None:
    number, _ = open_case(bridge)
    view = confirm(bridge, f"report #{number}")
    bridge.submit(SOCIAL, "confirm_action", view["private_metadata"], {})
    bridge.drain(include_scheduled=True)
    reports = pds(bridge).state.reports
    assert len(reports) == 1
    assert reports[0]["subject"]["did"] == bridge.rt.store.get(number).author_id
    assert reports[0]["reasonType"] == "com.atproto.moderation.defs#reasonOther"
    assert f"#{number}" in reports[0]["reason"]


def test_a_rate_limited_pds_is_polled_again_when_its_window_resets(bridge: LocalBridge) -> None:
    pds(bridge).rate_limit_for(120)
    wait = bridge.poll()
    assert 100 <= wait <= 121  # RateLimit-Reset, not the usual poll interval


def test_a_revoked_session_is_replaced_by_a_fresh_login(bridge: LocalBridge) -> None:
    open_case(bridge)
    pds(bridge).revoke_sessions()
    pds(bridge).add_mention("tom.bsky.social", "where is my parcel?")
    bridge.poll()
    bridge.drain()
    assert len(bridge.slack.calls_to("chat.postMessage")) == 2
    assert len(pds(bridge).state.sessions) == 1  # logged in again, once


def test_an_expiring_session_is_refreshed_and_the_bridge_goes_on(bridge: LocalBridge) -> None:
    pds(bridge).access_seconds = 60  # inside the SDK's 15-minute margin: refreshed before every call
    open_case(bridge)  # the first login
    refreshed = pds(bridge).state.refreshes
    pds(bridge).add_mention("tom.bsky.social", "where is my parcel?")
    bridge.poll()
    bridge.drain()
    assert pds(bridge).state.refreshes > refreshed
    assert len(bridge.slack.calls_to("chat.postMessage")) == 2


def test_the_bluesky_demo_answers_each_mention_as_a_reply_in_its_thread() -> None:
    out = io.StringIO()
    assert run_bluesky_demo(out) == 0
    said = out.getvalue()
    assert "@maria.bsky.social Sorry about the double charge" in said
    assert "mention @tom.bsky.social @ bytes 0-16" in said
