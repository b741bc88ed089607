"""Exactly once across rounds: an answer whose outcome is unknown is looked for before it is posted
again, and the search never mistakes an earlier round's answer, a follow-up that arrived meanwhile or
a rate-limited check for "not posted"."""

from __future__ import annotations

import pytest

from adapters.slack.cards import ACTION_IDS
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from tests.e2e.test_concierge_loop import claimed_draft
from tests.e2e.test_failures import approve, thread_texts

pytestmark = pytest.mark.e2e

FIRST = "Hi @maria_k, sorry! The second charge is refunded today."
SECOND = "Second answer: the refund is done, you will see it in two days."


def ours(bridge: LocalBridge, post_id: str) -> list[str]:
    return [p.text for p in bridge.x.replies_to(post_id) if p.author_id == bridge.x.user_id]


def test_after_a_reopen_an_earlier_answer_does_not_pass_for_the_new_one(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = claimed_draft(bridge, FIRST)
    approve(bridge, number)
    assert bridge.slash("U0SOC1", "C0SOCIAL", f"reopen {number}").status == 200
    bridge.click("U0EXP2", number, ACTION_IDS["claim"])
    bridge.reply_in_thread("U0EXP2", number, SECOND)
    bridge.drain()
    bridge.x.fail_next("POST /2/tweets", status=503)  # refused before anything was created
    approve(bridge, number, version=2)
    assert bridge.rt.store.get(number).state == State.POSTING
    bridge.drain(include_scheduled=True)
    case = bridge.rt.store.get(number)
    assert ours(bridge, case.post_id) == [FIRST, SECOND], "the second answer went out, once"
    assert case.state == State.POSTED and bridge.x.post(case.reply_id).text == SECOND  # type: ignore[union-attr]


def test_a_follow_up_while_posting_does_not_turn_a_posted_answer_into_a_refusal(
    local_bridge: LocalBridge,
) -> None:
    bridge = local_bridge
    number = claimed_draft(bridge, FIRST)
    bridge.x.fail_next("POST /2/tweets", status=503, after_effect=True)  # posted; we hear a 503
    approve(bridge, number)
    original = bridge.rt.store.get(number).post_id
    bridge.x.add_mention("@AcmeHelp hello?? anyone there", author_handle="maria_k")
    bridge.poll()
    bridge.drain(include_scheduled=True)
    case = bridge.rt.store.get(number)
    assert case.state == State.POSTED, case.last_error
    assert ours(bridge, original) == [FIRST] and len(bridge.x.brand_posts()) == 1
    assert not any("refused" in t for t in thread_texts(bridge, number))


def test_a_rate_limited_check_keeps_looking_before_posting(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = claimed_draft(bridge, FIRST)
    bridge.x.fail_next("POST /2/tweets", status=503, after_effect=True)
    approve(bridge, number)
    bridge.x.fail_next("GET /2/users/", status=429, reset_in=1)  # the retry's look-up is limited
    for _ in range(2):  # the retry meets the limit and reschedules; the next one finds the answer
        bridge.release_scheduled()
        bridge.drain(include_scheduled=True)
    case = bridge.rt.store.get(number)
    assert case.state == State.POSTED and len(bridge.x.brand_posts()) == 1
    assert not any("refused" in t for t in thread_texts(bridge, number))
    actions = [e.action for e in bridge.rt.store.audit(number)]
    assert "post_check_deferred" in actions and "post_deferred" not in actions


def test_refused_credentials_are_said_in_the_thread_at_once(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = claimed_draft(bridge, FIRST)
    bridge.x.fail_next("POST /2/tweets", status=401)
    approve(bridge, number)
    said = [t for t in thread_texts(bridge, number) if "could not be posted" in t]
    assert said and "credentials" in said[0]
    bridge.drain(include_scheduled=True)
    assert bridge.rt.store.get(number).state == State.POSTED and len(bridge.x.brand_posts()) == 1


def test_a_new_version_after_approval_withdraws_it_and_says_so(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = claimed_draft(bridge, FIRST)
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1")  # the post job waits
    bridge.reply_in_thread("U0EXP1", number, SECOND)
    bridge.drain()
    assert bridge.x.brand_posts() == [] and bridge.rt.store.get(number).state == State.DRAFTED
    assert any("replaces approved v1" in t for t in thread_texts(bridge, number))


def test_an_empty_draft_is_refused_in_the_dialog(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = claimed_draft(bridge, FIRST)
    answer = bridge.submit(
        "U0EXP1", "draft_submit", str(number), {"draft": {"type": "plain_text_input", "value": "   "}}
    )
    bridge.drain()
    assert bridge.rt.store.get(number).draft_version == 1
    assert "empty" in answer.text


def test_a_thread_reply_naming_a_colleague_is_not_a_draft_and_says_why(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = claimed_draft(bridge, FIRST)
    bridge.reply_in_thread("U0EXP1", number, "<@U0APP1> could you look at this one first?")
    bridge.drain()
    assert bridge.rt.store.get(number).draft_version == 1
    told = [
        str(c.params.get("text"))
        for c in bridge.slack.calls_to("chat.postEphemeral")
        if c.params.get("user") == "U0EXP1"
    ]
    assert told and "Not taken as a draft" in told[-1] and "note:" in told[-1]
