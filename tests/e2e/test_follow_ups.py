"""A customer writing again joins their open case: in its thread, not as a new card."""

from __future__ import annotations

import pytest

from adapters.slack.cards import ACTION_IDS
from bridge.app.poller import PARALLEL_FROM
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from tests.e2e.test_concierge_loop import buttons, claimed_draft, open_case, x_posts

pytestmark = pytest.mark.e2e


def thread_texts(bridge: LocalBridge, number: int) -> list[str]:
    case = bridge.rt.store.get(number)
    return [m.get("text", "") for m in bridge.slack.thread(case.channel, case.card_ts)]


def cards_posted(bridge: LocalBridge) -> int:
    return len([c for c in bridge.slack.calls_to("chat.postMessage") if not c.params.get("thread_ts")])


def test_a_reply_to_our_answer_reopens_the_case_in_its_thread(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = claimed_draft(bridge)
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1")
    bridge.drain()
    reply_id = bridge.rt.store.get(number).reply_id
    follow = bridge.x.add_mention(
        "@AcmeHelp thanks, but it still shows two charges <!channel>",
        author_handle="maria_k",
        author_name="Maria K.",
        in_reply_to=reply_id,
    )
    bridge.poll()
    bridge.drain()
    assert cards_posted(bridge) == 1  # no second card
    case = bridge.rt.store.get(number)
    assert case.state == State.REOPENED and case.claimant == ""
    notice = thread_texts(bridge, number)[-1]
    assert "Reopened" in notice and "<@U0EXP1> answered last time" in notice
    assert "still shows two charges &lt;!channel&gt;" in notice and "<!channel>" not in notice
    assert buttons(bridge.card_of(number)) == ["Claim", "Reassign", "Ignore"]
    # the next answer goes to the customer's newest post
    bridge.click("U0EXP2", number, ACTION_IDS["claim"])
    bridge.reply_in_thread("U0EXP2", number, "Sorry Maria, we have escalated it and will DM you.")
    bridge.drain()
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:2")
    bridge.drain()
    assert x_posts(bridge)[-1]["reply"]["in_reply_to_tweet_id"] == follow


def test_a_new_mention_from_the_same_author_joins_the_open_case(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    bridge.x.add_mention("@AcmeHelp hello?? anyone there", author_handle="maria_k", author_name="Maria K.")
    bridge.poll()
    bridge.poll()
    bridge.drain()
    assert cards_posted(bridge) == 1
    notes = [t for t in thread_texts(bridge, number) if "wrote again" in t]
    assert len(notes) == 1 and "hello?? anyone there" in notes[0]
    assert bridge.rt.store.get(number).state == State.ROUTED
    assert "customer_follow_up" in [e.action for e in bridge.rt.store.audit(number)]


def test_after_resolution_the_same_author_gets_a_new_case(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    bridge.slash("U0SOC1", "C0SOCIAL", f"resolve {number}")
    later = bridge.x.add_mention(
        "@AcmeHelp new problem: my invoice is wrong", author_handle="maria_k", author_name="Maria K."
    )
    bridge.poll()
    bridge.drain()
    assert bridge.rt.store.case_for_post("x", later) == number + 1
    assert cards_posted(bridge) == 2


def test_in_a_crisis_sized_batch_a_customers_second_post_still_joins_their_first(
    local_bridge: LocalBridge,
) -> None:
    """A large batch is ingested by several threads; one author's posts stay in order in one of them."""
    bridge = local_bridge
    bridge.x.add_mention("@AcmeHelp my refund never arrived", author_handle="maria_k", author_name="Maria K.")
    for i in range(PARALLEL_FROM + 4):
        bridge.x.add_mention(
            f"@AcmeHelp where is my parcel {i}", author_handle=f"user{i}", author_name=f"U {i}"
        )
    bridge.x.add_mention("@AcmeHelp hello?? anyone there", author_handle="maria_k", author_name="Maria K.")
    bridge.poll()
    bridge.drain()
    assert len(bridge.rt.store.open_cases()) == PARALLEL_FROM + 5  # one case per customer
    assert cards_posted(bridge) == PARALLEL_FROM + 5
    maria = [n for n in bridge.rt.store.open_cases() if bridge.rt.store.get(n).author_handle == "maria_k"]
    assert len(maria) == 1 and "hello?? anyone there" in " ".join(thread_texts(bridge, maria[0]))
