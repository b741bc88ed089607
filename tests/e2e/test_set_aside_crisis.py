"""Crisis bulk replies reach every folded mention that asks something, whatever triage made of it, and
leadership's last progress message counts the ones that got none, and why (real Redis, RQ, Bolt and
the Slack and X stand-ins)."""

from __future__ import annotations

import pytest

from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from tests.e2e.test_crisis_guards import START, bridge, cases, leaders_said, replies, replying

pytestmark = pytest.mark.e2e
__all__ = ["bridge"]  # the fixture, shared with the crisis guards

TROLL_ASKING = "@AcmeHelp you absolute morons, my kettle K200 is on the recall list, what do I do now?"
THANKS = "@AcmeHelp my Acme kettle K200 is on the recall list, thanks for the quick notice!"


def arrived(bridge: LocalBridge, text: str, handle: str) -> int:
    post = bridge.x.add_mention(text, author_handle=handle, created_at=START)
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post)
    assert number is not None
    return number


def test_bulk_reply_answers_a_monitored_question_and_counts_the_set_aside_it_left(
    bridge: LocalBridge,
) -> None:
    routed = cases(bridge, 2)
    troll, thanks = arrived(bridge, TROLL_ASKING, "angry_a"), arrived(bridge, THANKS, "calm_c")
    store = bridge.rt.store
    assert store.get(troll).state == State.MONITORING and store.get(thanks).state == State.IGNORED

    incident_id = replying(bridge, [*routed, troll, thanks])
    bridge.rt.crisis.bulk.kick(incident_id)
    bridge.drain(include_scheduled=True)

    answered = {p.in_reply_to for p in replies(bridge)}
    assert answered == {store.get(n).post_id for n in (*routed, troll)}, "every mention that asks, once"
    assert store.get(troll).state == State.POSTED and store.get(thanks).state == State.IGNORED
    said = repr(leaders_said(bridge))
    assert "Bulk replies done: 3 sent, 0 skipped; 1 not sent: 1 set aside and asking nothing." in said
