"""The Mastodon loop end to end: real Mastodon.py against the instance's stand-in, Bolt and slack_sdk
against Slack's, real Redis, jobs run by a real RQ worker."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from adapters.mastodon.text import plain_text
from adapters.slack.cards import ACTION_IDS
from bridge.app.poller import cursor_name
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from standins.mastodon_demo import run_mastodon_demo
from tests.support.desk_steps import draft_and_approve, drafted_preview
from tests.support.platforms import instance

pytestmark = pytest.mark.e2e

REFUND = "I was charged twice for order 88231, I need a refund"


@pytest.fixture
def bridge(mastodon_bridge: LocalBridge) -> LocalBridge:
    return mastodon_bridge


def open_case(bridge: LocalBridge, text: str = REFUND, **options: Any) -> tuple[int, dict[str, Any]]:
    status = instance(bridge).add_mention("maria@remote.social", text, name="Maria K.", **options)
    bridge.poll()
    bridge.poll()  # a repeated poll: the same mention must not make a second case
    bridge.drain()
    number = bridge.rt.store.case_for_post("mastodon", status["id"])
    assert number is not None
    return number, status


def test_a_mention_is_one_card_and_the_answer_is_one_threaded_reply(bridge: LocalBridge) -> None:
    number, status = open_case(bridge)
    cards = bridge.slack.calls_to("chat.postMessage")
    assert len(cards) == 1 and cards[0].params["channel"] == "C0BILLING"
    card = repr(bridge.card_of(number)["blocks"])
    assert "Mastodon" in card and "Maria K." in card and "@maria@remote.social" in card
    base = (bridge.rt.settings.mastodon_base_url or "").rstrip("/")
    assert f"{base}/@maria@remote.social/{status['id']}" in card and "visibility: public" in card
    assert bridge.rt.store.cursor(cursor_name("mastodon")) is not None
    draft_and_approve(bridge, number, "Sorry Maria! The second charge is refunded today.")
    posts = instance(bridge).posts
    assert len(posts) == 1
    assert posts[0]["in_reply_to_id"] == status["id"] and posts[0]["visibility"] == "public"
    assert plain_text(posts[0]["content"]) == (
        "@maria Sorry Maria! The second charge is refunded today."  # delivered to the customer
    )
    case = bridge.rt.store.get(number)
    assert case.state == State.POSTED and case.reply_id == posts[0]["id"]


def test_a_direct_mention_is_answered_directly_with_its_content_warning(bridge: LocalBridge) -> None:
    number, status = open_case(
        bridge, "charged twice, my card number leaked?", visibility="direct", spoiler_text="billing"
    )
    assert bridge.rt.store.get(number).text.startswith("CW: billing")
    assert "visibility: direct (private)" in repr(bridge.card_of(number)["blocks"])
    draft_and_approve(bridge, number, "We have blocked the card, a new one is on its way.")
    posts = instance(bridge).posts
    assert len(posts) == 1 and posts[0]["in_reply_to_id"] == status["id"]
    assert posts[0]["visibility"] == "direct" and posts[0]["spoiler_text"] == "billing"


def test_the_preview_counts_against_the_instances_own_limit(bridge: LocalBridge) -> None:
    instance(bridge).max_characters = 100
    number, _ = open_case(bridge)
    preview = drafted_preview(bridge, number, "x" * 95)  # "@maria " makes it 102
    assert "102/100" in preview and "2 over the limit" in preview
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1")
    bridge.drain()
    assert instance(bridge).posts == []


def test_a_post_whose_outcome_was_lost_is_not_posted_again(bridge: LocalBridge) -> None:
    number, status = open_case(bridge)
    instance(bridge).fail_next_post(502, after_write=True)  # posted, but the bridge hears an error
    draft_and_approve(bridge, number, "Refunded today.")
    bridge.drain(include_scheduled=True)
    posts = instance(bridge).posts
    assert len(posts) == 1 and posts[0]["in_reply_to_id"] == status["id"]
    case = bridge.rt.store.get(number)
    assert case.state == State.POSTED and case.reply_id == posts[0]["id"]


def thread_texts(bridge: LocalBridge, number: int) -> list[str]:
    case = bridge.rt.store.get(number)
    return [m.get("text", "") for m in bridge.slack.thread(case.channel, case.card_ts)]


def test_a_case_moved_to_private_messages_is_answered_with_a_direct_status(bridge: LocalBridge) -> None:
    number, status = open_case(bridge)
    customer = bridge.rt.store.get(number).author_id
    assert "Drafted the move" in bridge.slash("U0EXP1", "C0BILLING", f"dm {number}").json()["text"]
    bridge.drain()
    version = bridge.rt.store.get(number).draft_version
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:{version}")
    bridge.drain()
    handoff = instance(bridge).posts[-1]  # the handoff itself answers where the customer wrote
    assert handoff["visibility"] == "public" and handoff["in_reply_to_id"] == status["id"]
    assert bridge.rt.store.get(number).mode == "private"

    instance(bridge).add_mention("maria@remote.social", "order 88231, card ending 4242", visibility="direct")
    bridge.poll()
    bridge.poll()
    bridge.drain()
    privately = [t for t in thread_texts(bridge, number) if "4242" in t]
    assert len(privately) == 1  # a direct status is a mention too: shown once, not also as a DM

    bridge.reply_in_thread("U0EXP1", number, "Thanks! Order 88231 is refunded.")
    bridge.drain()
    version = bridge.rt.store.get(number).draft_version
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:{version}")
    bridge.drain()
    answer = instance(bridge).posts[-1]
    assert answer["visibility"] == "direct"
    assert [m["id"] for m in answer["mentions"]] == [customer]
    assert plain_text(answer["content"]) == "@maria Thanks! Order 88231 is refunded."
    assert len(instance(bridge).posts) == 2


SOCIAL = "U0SOC1"


def confirm(bridge: LocalBridge, command: str) -> dict[str, Any]:
    """Type ``command`` as the social team; returns the confirmation dialog, not yet confirmed."""
    assert bridge.slash(SOCIAL, "C0SOCIAL", command).status == 200
    view: dict[str, Any] = bridge.slack.calls_to("views.open")[-1].params["view"]
    assert view["callback_id"] == "confirm_action"
    return view


def told(bridge: LocalBridge) -> list[str]:
    calls = bridge.slack.calls_to("chat.postEphemeral")
    return [str(c.params.get("text")) for c in calls if c.params.get("user") == SOCIAL]


@pytest.mark.parametrize(
    ("command", "question", "done"),
    [
        ("mute", "Mute @maria@remote.social, who wrote", "mutes"),
        ("block", "Block @maria@remote.social, who wrote", "blocks"),
    ],
)
def test_muting_and_blocking_a_cases_author_are_confirmed_then_done_and_audited(
    bridge: LocalBridge, command: str, question: str, done: str
) -> None:
    number, _ = open_case(bridge)
    author = bridge.rt.store.get(number).author_id
    view = confirm(bridge, f"{command} {number}")
    assert question in repr(view)
    relations = getattr(instance(bridge).state, done)
    assert author not in relations  # nothing happens before the confirmation
    bridge.submit(SOCIAL, "confirm_action", view["private_metadata"], {})
    bridge.drain()
    assert author in relations
    assert any(f"Done: {command} @maria@remote.social (who wrote #{number})" in t for t in told(bridge))
    audit = [e.action for e in bridge.rt.store.audit(number)]
    assert audit[-2:] == [f"{view_action(view)}_requested", f"{view_action(view)}_done"]


def view_action(view: dict[str, Any]) -> str:
    return str(json.loads(view["private_metadata"])["action"])


def test_reporting_a_case_sends_its_post_to_the_moderators_once(bridge: LocalBridge) -> None:
    number, status = open_case(bridge)
    view = confirm(bridge, f"report #{number}")
    assert "cannot be withdrawn" in repr(view)
    bridge.submit(SOCIAL, "confirm_action", view["private_metadata"], {})
    bridge.drain(include_scheduled=True)
    reports = instance(bridge).state.reports
    assert len(reports) == 1
    assert reports[0]["target_account"]["acct"] == "maria@remote.social"
    assert reports[0]["status_ids"] == [status["id"]] and f"#{number}" in reports[0]["comment"]


def test_a_rate_limited_instance_is_polled_again_when_its_limit_resets(bridge: LocalBridge) -> None:
    instance(bridge).rate_limit_for(120)
    wait = bridge.poll()
    assert 100 <= wait <= 121  # X-RateLimit-Reset, not the usual poll interval


def test_the_mastodon_demo_answers_each_mention_in_its_thread_and_visibility() -> None:
    out = io.StringIO()
    assert run_mastodon_demo(out) == 0
    said = out.getvalue()
    assert "(public): @maria Sorry about the double charge" in said
    assert "(direct): @tom Thanks Tom" in said
