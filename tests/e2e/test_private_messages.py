"""``/bridge dm`` and ``/bridge public``: moving a conversation to private messages and back."""

from __future__ import annotations

import pytest

from adapters.slack.cards import ACTION_IDS
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from tests.e2e.test_concierge_loop import open_case, x_posts

pytestmark = pytest.mark.e2e


def thread_texts(bridge: LocalBridge, number: int) -> list[str]:
    case = bridge.rt.store.get(number)
    return [m.get("text", "") for m in bridge.slack.thread(case.channel, case.card_ts)]


def approve_latest(bridge: LocalBridge, number: int) -> None:
    version = bridge.rt.store.get(number).draft_version
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:{version}")
    bridge.drain()


def test_dm_handoff_then_private_answers_then_back_to_public(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    customer = bridge.rt.store.get(number).author_id
    answer = bridge.slash("U0EXP1", "C0BILLING", f"dm {number}")
    assert "Drafted the move-to-private-messages reply (v1)" in answer.json()["text"]
    bridge.drain()
    assert bridge.rt.store.get(number).claimant == "U0EXP1"  # unclaimed: the requester takes it
    approve_latest(bridge, number)
    assert "send us a direct message" in x_posts(bridge)[-1]["text"]  # the handoff itself is public
    case = bridge.rt.store.get(number)
    assert case.state == State.PRIVATE and case.mode == "private"
    assert any("moved to private messages" in t for t in thread_texts(bridge, number))

    bridge.x.add_direct_message("my order is 88231 <@U0APP1>", sender_id=customer)
    bridge.poll()
    bridge.poll()  # seen once only
    bridge.drain()
    privately = [t for t in thread_texts(bridge, number) if "wrote privately" in t]
    assert len(privately) == 1 and "my order is 88231 &lt;@U0APP1&gt;" in privately[0]

    bridge.reply_in_thread("U0EXP1", number, "Thanks! Order 88231 is refunded; details by email.")
    bridge.drain()
    preview = bridge.slack.thread(case.channel, case.card_ts)[-1]
    assert "/10000" in repr(preview["blocks"])
    public_before = len(x_posts(bridge))
    approve_latest(bridge, number)
    assert len(x_posts(bridge)) == public_before  # nothing public
    ours = [m for m in bridge.x.direct_messages() if m.sender_id == bridge.x.user_id]
    assert [m.text for m in ours] == ["Thanks! Order 88231 is refunded; details by email."]
    assert customer in ours[0].participant_ids
    assert any("as a private message" in t for t in thread_texts(bridge, number))

    bridge.x.add_direct_message("great, thank you", sender_id=customer)
    bridge.poll()
    bridge.drain()
    assert bridge.rt.store.get(number).state == State.PRIVATE
    assert "public again" in bridge.slash("U0EXP1", "C0BILLING", f"public {number}").json()["text"]
    case = bridge.rt.store.get(number)
    assert case.state == State.CLAIMED and case.mode == ""
    bridge.reply_in_thread("U0EXP1", number, "Glad we could help, Maria!")
    bridge.drain()
    approve_latest(bridge, number)
    assert x_posts(bridge)[-1]["text"] == "Glad we could help, Maria!"


def test_dm_refusals_are_specific(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    assert "claimed by <@U0EXP1>" in bridge.slash("U0EXP2", "C0BILLING", f"dm {number}").json()["text"]
    answer = bridge.slash("U0EXP1", "C0BILLING", f"public {number}")
    assert "is not in private messages" in answer.json()["text"]
    assert bridge.rt.store.get(number).draft_version == 0


def test_an_identical_private_answer_of_an_earlier_round_does_not_pass_for_a_lost_one(
    local_bridge: LocalBridge,
) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    customer = bridge.rt.store.get(number).author_id
    bridge.slash("U0EXP1", "C0BILLING", f"dm {number}")
    bridge.drain()
    approve_latest(bridge, number)
    same = "Thanks, we are looking into it."
    for round_ in range(2):
        bridge.x.add_direct_message(f"any news? ({round_})", sender_id=customer)
        bridge.poll()
        bridge.drain()
        bridge.reply_in_thread("U0EXP1", number, same)
        bridge.drain()
        if round_ == 1:  # refused before anything was sent: the outcome is unknown to the bridge
            bridge.x.fail_next("POST /2/dm_conversations", status=503)
        approve_latest(bridge, number)
        bridge.drain(include_scheduled=True)
    ours = [m.text for m in bridge.x.direct_messages() if m.sender_id == bridge.x.user_id]
    assert ours == [same, same], "the second answer was sent, not mistaken for the first"
