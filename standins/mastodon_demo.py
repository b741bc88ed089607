"""``bridge demo --mastodon``: the concierge loop for a Mastodon instance, on this machine.

Like ``bridge demo``, with no credentials and no internet: an embedded Redis, the Slack stand-in and a
Mastodon instance's stand-in that the real Mastodon.py talks to. A public mention and a direct one
become cases; each is claimed, drafted, signed off and answered in its thread with its own visibility.
"""

from __future__ import annotations

import sys
from typing import TextIO

from adapters.mastodon.text import plain_text
from adapters.slack.cards import ACTION_IDS
from bridge.playbook.model import Playbook
from standins.demo import THROWAWAY, Transcript, cast_for, play_demo
from standins.harness import LocalBridge
from standins.mastodon_api import MastodonStandIn

#: (acct, name, text, visibility): the brand's @handle is prepended by the stand-in.
MENTIONS = [
    ("maria@remote.social", "Maria K.", "I was charged twice for order 88231 and I want a refund", "public"),
    ("tom", "Tom B.", "charged twice again, and my card ends in 4242: please check privately", "direct"),
]
ANSWERS = {
    "public": "Sorry about the double charge on order 88231: the second payment is refunded today.",
    "direct": "Thanks Tom, we found the second charge on your card and refunded it today.",
}


def run_mastodon_demo(out: TextIO = sys.stdout) -> int:
    return play_demo("mastodon-demo", _play, out, mastodon=True)


def _play(bridge: LocalBridge, playbook: Playbook, t: Transcript) -> bool:
    instance = bridge.mastodon
    assert isinstance(instance, MastodonStandIn)
    t.heading(f"Customers mention @{instance.me['acct']} on Mastodon")
    statuses = []
    for acct, name, text, visibility in MENTIONS:
        statuses.append(instance.add_mention(acct, text, name=name, visibility=visibility))
        t.say("customer → Mastodon", f"@{acct} ({visibility}): {text}")
    bridge.poll()
    bridge.poll()  # a second, overlapping poll: no duplicate cases
    bridge.drain()
    t.slack_calls(bridge)
    answered, last = 0, 0
    for status in statuses:
        number = bridge.rt.store.case_for_post("mastodon", status["id"])
        case = bridge.rt.store.get(number) if number is not None else None
        department = playbook.departments.get(case.department) if case is not None else None
        cast = cast_for(department) if department is not None else None
        if number is None or cast is None:
            t.heading("A mention has no case, or its department nobody to claim and sign off.")
            continue
        last = number
        t.heading(f"#{number} ({status['visibility']}): claimed, drafted, signed off")
        bridge.click(cast.claimant, number, ACTION_IDS["claim"])
        bridge.reply_in_thread(cast.claimant, number, ANSWERS[status["visibility"]])
        bridge.drain()
        bridge.click(cast.approver, number, ACTION_IDS["approve"], f"{number}:1")
        bridge.drain()
        t.slack_calls(bridge)
        for post in instance.posts:
            if post["in_reply_to_id"] == status["id"]:
                answered += 1
                said = plain_text(post["content"])
                t.say("bridge → Mastodon", f"reply to {status['id']} ({post['visibility']}): {said}")
    ok = answered == len(statuses)
    t.heading("Done: each answer is in its thread, as visible as the post it answers." if ok else "Not done.")
    t.say("bridge", THROWAWAY.format(number=last))
    return ok
