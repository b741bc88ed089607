"""The concierge loop end to end: real Bolt, slack_sdk and tweepy over HTTP against the stand-ins,
real Redis, jobs run by a real RQ worker."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.slack.cards import ACTION_IDS
from bridge.app.poller import cursor_name
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge

pytestmark = pytest.mark.e2e

REFUND = "@AcmeHelp I was charged twice for order 88231, I need a refund"


def x_posts(bridge: LocalBridge) -> list[dict[str, Any]]:
    return [r.json for r in bridge.x.requests if r.method == "POST" and r.path == "/2/tweets"]


def buttons(message: dict[str, Any]) -> list[str]:
    return [
        e["text"]["text"]
        for b in message.get("blocks") or []
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def open_case(bridge: LocalBridge, text: str = REFUND, handle: str = "maria_k") -> int:
    post_id = bridge.x.add_mention(text, author_handle=handle, author_name="Maria K.")
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post_id)
    assert number is not None
    return number


def claimed_draft(
    bridge: LocalBridge, text: str = "Hi @maria_k, sorry! The second charge is refunded today."
) -> int:
    number = open_case(bridge)
    assert bridge.click("U0EXP1", number, ACTION_IDS["claim"]).status == 200
    answer, _ = bridge.reply_in_thread("U0EXP1", number, text)
    assert answer.status == 200
    bridge.drain()
    return number


def ephemerals_to(bridge: LocalBridge, user: str) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in bridge.slack.calls_to("chat.postEphemeral")
        if c.params.get("user") == user
    ]


def test_a_mention_becomes_exactly_one_card_in_its_departments_channel(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    post_id = bridge.x.add_mention(REFUND, author_handle="maria_k", author_name="Maria K.")
    bridge.poll()
    bridge.poll()  # overlapping poll: the same post again must not make a second case
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post_id)
    assert number is not None
    cards = bridge.slack.calls_to("chat.postMessage")
    assert len(cards) == 1 and cards[0].params["channel"] == "C0BILLING"
    card = bridge.card_of(number)
    text = repr(card["blocks"])
    assert f"Case #{number}" in text and "Maria K." in text and "@maria_k" in text
    assert f"https://x.com/maria_k/status/{post_id}" in text and "first response due" in text
    assert buttons(card) == ["Claim", "Reassign", "Ignore"]
    assert bridge.rt.store.cursor(cursor_name("x")) == post_id
    later = bridge.x.add_mention(
        "@AcmeHelp where is my parcel? tracking is empty", author_handle="tom", author_name="Tom"
    )
    bridge.poll()
    bridge.drain()
    assert bridge.rt.store.case_for_post("x", later) == number + 1
    assert bridge.slack.calls_to("chat.postMessage")[-1].params["channel"] == "C0LOGIST"


def test_mentions_from_our_own_account_make_no_case(local_bridge: LocalBridge) -> None:
    post_id = local_bridge.x.add_mention(
        "@AcmeHelp testing", author_handle="AcmeHelp", author_name="Acme", author_id="2244994945"
    )
    local_bridge.poll()
    local_bridge.drain()
    assert local_bridge.rt.store.case_for_post("x", post_id) is None
    assert local_bridge.slack.calls_to("chat.postMessage") == []


def test_claim_updates_the_card_and_the_second_clicker_is_told_who_owns_it(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    assert bridge.click("U0EXP1", number, ACTION_IDS["claim"]).status == 200
    assert bridge.click("U0EXP2", number, ACTION_IDS["claim"]).status == 200
    bridge.drain()
    case = bridge.rt.store.get(number)
    assert case.state == State.CLAIMED and case.claimant == "U0EXP1"
    card = bridge.card_of(number)
    assert "Claimed by <@U0EXP1>" in repr(card["blocks"])
    assert buttons(card) == ["Draft", "Reassign", "Ignore"]
    assert any("already claimed by <@U0EXP1>" in t for t in ephemerals_to(bridge, "U0EXP2"))


def test_someone_outside_the_department_cannot_claim(local_bridge: LocalBridge) -> None:
    number = open_case(local_bridge)
    local_bridge.click("U0LOG1", number, ACTION_IDS["claim"])
    local_bridge.drain()
    assert local_bridge.rt.store.get(number).claimant == ""
    told = ephemerals_to(local_bridge, "U0LOG1")
    assert told and "Only billing experts and approvers may claim" in told[-1]
    assert "<@U0EXP1>" in told[-1] and "<@U0APP1>" in told[-1]


def test_full_loop_claim_draft_approve_posts_the_reply_on_x_once(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = claimed_draft(bridge)
    case = bridge.rt.store.get(number)
    thread = bridge.slack.thread(case.channel, case.card_ts)
    preview = thread[-1]
    assert "Draft v1" in repr(preview["blocks"]) and "/280" in repr(preview["blocks"])
    assert buttons(preview) == ["Approve", "Request changes"]
    # double-clicked Approve: two requests, one post
    assert bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1").status == 200
    assert bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1").status == 200
    bridge.drain()
    posts = x_posts(bridge)
    assert len(posts) == 1
    assert posts[0]["text"] == "Hi @maria_k, sorry! The second charge is refunded today."
    assert posts[0]["reply"]["in_reply_to_tweet_id"] == case.post_id
    case = bridge.rt.store.get(number)
    assert case.state == State.POSTED and case.reply_id
    thread_texts = [m.get("text", "") for m in bridge.slack.thread(case.channel, case.card_ts)]
    assert any(t.startswith("Posted from @AcmeHelp: https://x.com/AcmeHelp/status/") for t in thread_texts)
    assert "Answered" in repr(bridge.card_of(number)["blocks"])
    actions = [e.action for e in bridge.rt.store.audit(number)]
    for step in ("ingested", "routed", "claim", "draft", "approve", "begin_posting", "posted"):
        assert step in actions


def test_a_note_in_the_thread_is_never_a_draft(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    bridge.reply_in_thread("U0EXP1", number, "note: checking the ledger first")
    bridge.drain()
    case = bridge.rt.store.get(number)
    assert case.draft_version == 0 and case.state == State.CLAIMED
    assert any(
        e.action == "note" and "ledger" in e.fields.get("note", "") for e in bridge.rt.store.audit(number)
    )


def test_only_the_claimant_drafts_colleagues_may_talk(local_bridge: LocalBridge) -> None:
    number = open_case(local_bridge)
    local_bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    local_bridge.reply_in_thread("U0EXP2", number, "I think it was the card processor")
    local_bridge.drain()
    assert local_bridge.rt.store.get(number).draft_version == 0


def test_an_edited_reply_is_a_new_version_and_the_old_approval_cannot_post_it(
    local_bridge: LocalBridge,
) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    _, original = bridge.reply_in_thread("U0EXP1", number, "Hi @maria_k, first wording")
    bridge.drain()
    assert bridge.edit_reply(original, "Hi @maria_k, better wording").status == 200
    bridge.drain()
    case = bridge.rt.store.get(number)
    assert case.draft_version == 2
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1")  # the approver looked at v1
    bridge.drain()
    assert x_posts(bridge) == []
    assert any("newer draft (v2)" in t for t in ephemerals_to(bridge, "U0APP1"))
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:2")
    bridge.drain()
    assert [p["text"] for p in x_posts(bridge)] == ["Hi @maria_k, better wording"]


def test_nobody_approves_their_own_draft(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge, "@AcmeHelp hello there, question about your stores")  # social department
    assert bridge.rt.store.get(number).department == "social"
    bridge.click("U0SOC2", number, ACTION_IDS["claim"])  # an approver may claim and draft
    bridge.reply_in_thread("U0SOC2", number, "Hi! Our stores open at nine.")
    bridge.drain()
    bridge.click("U0SOC2", number, ACTION_IDS["approve"], f"{number}:1")
    bridge.drain()
    assert bridge.rt.store.get(number).state == State.DRAFTED
    assert any("Four eyes" in t for t in ephemerals_to(bridge, "U0SOC2"))
    assert x_posts(bridge) == []


def test_request_changes_sends_the_comment_to_the_claimant(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = claimed_draft(bridge)
    bridge.click("U0APP1", number, ACTION_IDS["request_changes"], f"{number}:1")
    assert bridge.slack.calls_to("views.open"), "the comment modal opens"
    answer = bridge.submit(
        "U0APP1",
        "request_changes_submit",
        f"{number}:1",
        {"comment": {"type": "plain_text_input", "value": "Mention the 3-5 days"}},
    )
    assert answer.status == 200
    bridge.drain()
    case = bridge.rt.store.get(number)
    assert case.state == State.CLAIMED
    texts = [m.get("text", "") for m in bridge.slack.thread(case.channel, case.card_ts)]
    assert any("<@U0EXP1>" in t and "Mention the 3-5 days" in t for t in texts)


def test_a_draft_over_the_limit_cannot_be_approved_and_says_by_how_much(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = claimed_draft(bridge, "x" * 290)
    case = bridge.rt.store.get(number)
    preview = bridge.slack.thread(case.channel, case.card_ts)[-1]
    assert "290/280" in repr(preview["blocks"]) and "10 over" in repr(preview["blocks"])
    assert buttons(preview) == ["Request changes"]
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1")
    bridge.drain()
    assert bridge.rt.store.get(number).state == State.DRAFTED and x_posts(bridge) == []


def test_draft_modal_is_prefilled_and_its_submission_is_a_draft(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    bridge.drain()
    bridge.click("U0EXP1", number, ACTION_IDS["draft"])
    opened = bridge.slack.calls_to("views.open")[-1].params["view"]
    assert "Hi @maria_k" in repr(opened)
    bridge.submit(
        "U0EXP1",
        "draft_submit",
        str(number),
        {"draft": {"type": "plain_text_input", "value": "Hi @maria_k, refunded today."}},
    )
    bridge.drain()
    draft = bridge.rt.store.draft(number, 1)
    assert draft is not None and draft.text == "Hi @maria_k, refunded today." and draft.source == "modal"


def test_ignore_and_reassign_through_their_dialogs(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    bridge.click("U0EXP1", number, ACTION_IDS["reassign"])
    bridge.submit(
        "U0EXP1",
        "reassign_submit",
        str(number),
        {"department": {"type": "static_select", "selected_option": {"value": "logistics"}}},
    )
    bridge.drain()
    case = bridge.rt.store.get(number)
    assert case.department == "logistics" and case.channel == "C0LOGIST"
    assert buttons(bridge.card_of(number)) == ["Claim", "Reassign", "Ignore"]
    answer = bridge.submit(
        "U0LOG1",
        "reassign_submit",
        str(number),
        {"department": {"type": "static_select", "selected_option": {"value": "nope"}}},
    )
    assert answer.status == 200 and "no department 'nope'" in answer.text
    bridge.submit(
        "U0LOG1", "ignore_submit", str(number), {"reason": {"type": "plain_text_input", "value": "spam"}}
    )
    bridge.drain()
    assert bridge.rt.store.get(number).state == State.IGNORED
    assert "Ignored: spam" in repr(bridge.card_of(number)["blocks"])
