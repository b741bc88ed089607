"""``bridge demo --facebook``: the concierge loop for a Facebook Page and its Instagram account, on
this machine.

Like ``bridge demo``, with no credentials and no internet: an embedded Redis, the Slack stand-in, a
stand-in of Meta's Graph API and of Meta's webhook sender. A Facebook comment, an Instagram comment, a
Messenger message and an Instagram direct message arrive as signed webhook deliveries (each delivered
twice, as Meta redelivers); each becomes one case, is claimed, drafted, signed off and answered once,
in the form its platform allows: a reply under the comment, or a message in the same conversation.
"""

from __future__ import annotations

import sys
from typing import TextIO

from adapters.slack.cards import ACTION_IDS
from bridge.playbook.model import Playbook
from standins.demo import THROWAWAY, Transcript, cast_for, play_demo
from standins.harness import LocalBridge
from standins.meta_graph import MetaGraphStandIn
from standins.meta_webhook import comment_delivery, message_delivery

__all__ = ["run_meta_demo"]

#: (where, who, text, answer)
CUSTOMERS = [
    ("facebook comment", "Maria K.", "I was charged twice for order 88231 and I want a refund",
     "Sorry about the double charge, Maria: the second payment is refunded today."),
    ("instagram comment", "tom.b", "charged twice for order 88232, I need a refund please",
     "Sorry Tom, the second charge is refunded today."),
    ("messenger message", "Lena S.", "I was charged twice for order 88233, refund please",
     "Thanks for writing: the second charge on order 88233 is refunded today."),
    ("instagram message", "Ola N.", "charged twice for order 88234, I need a refund",
     "Thanks! We refunded the second charge on order 88234 today."),
]  # fmt: skip


def run_meta_demo(out: TextIO = sys.stdout) -> int:
    return play_demo("facebook-demo", _play, out, meta=True)


def _arrive(bridge: LocalBridge, meta: MetaGraphStandIn, where: str, who: str, text: str) -> tuple[str, str]:
    """One customer's words on Meta, delivered by webhook twice; returns (platform, post id)."""
    if where.endswith("comment"):
        platform = where.split()[0]
        author = (
            {"id": "5550001", "name": who}
            if platform == "facebook"
            else {"id": "1784000077", "username": who}
        )
        comment = meta.add_comment(author, text, platform=platform)
        bridge.meta_webhook.deliver(comment_delivery(comment), times=2)
        return platform, comment["id"]
    kind = "instagram" if where.startswith("instagram") else "messenger"
    sender = "5614879045272581" if kind == "instagram" else "24000000000001"  # page-scoped ids
    message = meta.add_message(kind, sender, text, name=who)
    bridge.meta_webhook.deliver(message_delivery(kind, message), times=2)
    return ("instagram" if kind == "instagram" else "facebook"), f"dm:{sender}:{message['id']}"


def _answers(meta: MetaGraphStandIn) -> list[str]:
    public = [f"reply under {r['parent_id']}: {r.get('message') or r.get('text')}" for r in meta.replies]
    private = [
        f"message to {s['recipient']['id']} ({s['messaging_type']}): {s['message']['text']}"
        for s in meta.sent
    ]
    return public + private


def _play(bridge: LocalBridge, playbook: Playbook, t: Transcript) -> bool:
    meta = bridge.meta
    assert isinstance(meta, MetaGraphStandIn)
    t.heading("Customers write to the brand's Facebook Page and Instagram account")
    cases: list[tuple[int, str]] = []
    for where, who, text, answer in CUSTOMERS:
        platform, post_id = _arrive(bridge, meta, where, who, text)
        t.say(f"customer → {where}", f"{who}: {text}  (webhook delivered twice)")
        bridge.drain()
        number = bridge.rt.store.case_for_post(platform, post_id)
        if number is not None:
            cases.append((number, answer))
    t.slack_calls(bridge)
    answered, last = 0, 0
    for number, answer in cases:
        case = bridge.rt.store.get(number)
        cast = (
            cast_for(playbook.departments[case.department])
            if case.department in playbook.departments
            else None
        )
        if cast is None:
            t.heading(f"#{number}'s department has nobody to claim and sign off.")
            continue
        last = number
        t.heading(f"#{number} ({case.platform}, {case.visibility}): claimed, drafted, signed off")
        before = len(_answers(meta))
        bridge.click(cast.claimant, number, ACTION_IDS["claim"])
        bridge.reply_in_thread(cast.claimant, number, answer)
        bridge.drain()
        bridge.click(cast.approver, number, ACTION_IDS["approve"], f"{number}:1")
        bridge.drain()
        t.slack_calls(bridge)
        for said in _answers(meta)[before:]:
            answered += 1
            t.say(f"bridge → {case.platform}", said)
    ok = answered == len(CUSTOMERS) == len(cases)
    t.heading("Done: each answer went out once, where its customer wrote." if ok else "Not done.")
    t.say("bridge", THROWAWAY.format(number=last))
    return ok
