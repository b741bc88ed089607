"""``bridge demo --bluesky``: the concierge loop for a Bluesky account, on this machine.

Like ``bridge demo``, with no credentials and no internet: an embedded Redis, the Slack stand-in and a
Bluesky PDS's stand-in that the real atproto SDK talks to (logging in with an app password). Two
mentions, one deep in someone else's thread, become cases; each is claimed, drafted, signed off and
answered as a reply that names the customer (a mention facet) under the thread's own root.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from adapters.slack.cards import ACTION_IDS
from bridge.playbook.model import Playbook
from standins.bluesky_api import BlueskyStandIn
from standins.demo import THROWAWAY, Transcript, cast_for, play_demo
from standins.harness import LocalBridge

#: (handle, name, text): the brand's @handle is prepended by the stand-in.
MENTIONS = [
    ("maria.bsky.social", "Maria K.", "I was charged twice for order 88231 and I want a refund"),
    ("tom.bsky.social", "Tom B.", "same here, charged twice for my order, refund please?"),
]
ANSWERS = {
    "maria.bsky.social": "Sorry about the double charge 🙏 it is refunded today: https://acme.example/refunds/88231",
    "tom.bsky.social": "Sorry Tom, we found the second charge and refunded it today.",
}


def run_bluesky_demo(out: TextIO = sys.stdout) -> int:
    return play_demo("bluesky-demo", _play, out, bluesky=True)


def _posted(pds: BlueskyStandIn, post: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in pds.posts if p["record"]["reply"]["parent"]["uri"] == post["uri"]]


def _facet(data: bytes, facet: dict[str, Any]) -> str:
    kind = facet["features"][0]["$type"].rsplit("#", 1)[-1]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    return f"{kind} {data[start:end].decode()} @ bytes {start}-{end}"


def _describe(post: dict[str, Any]) -> str:
    record = post["record"]
    facets = ", ".join(_facet(record["text"].encode(), f) for f in record.get("facets") or [])
    root = record["reply"]["root"]["uri"].rsplit("/", 1)[-1]
    return f"{record['text']}  [facets: {facets}; root {root}]"


def _play(bridge: LocalBridge, playbook: Playbook, t: Transcript) -> bool:
    pds = bridge.bluesky
    assert isinstance(pds, BlueskyStandIn)
    t.heading(f"Customers mention @{pds.me['handle']} on Bluesky")
    thread = pds.add_post("lena.bsky.social", "Anyone else charged twice by Acme this week?")
    posts = []
    for (handle, name, text), parent in zip(MENTIONS, [None, thread["uri"]], strict=True):
        posts.append(pds.add_mention(handle, text, name=name, in_reply_to=parent))
        t.say("customer → Bluesky", f"@{handle}{' (in a thread)' if parent else ''}: {text}")
    bridge.poll()
    bridge.poll()  # a second, overlapping poll: no duplicate cases
    bridge.drain()
    t.slack_calls(bridge)
    answered, last = 0, 0
    for post in posts:
        number = bridge.rt.store.case_for_post("bluesky", post["uri"])
        case = bridge.rt.store.get(number) if number is not None else None
        department = playbook.departments.get(case.department) if case is not None else None
        cast = cast_for(department) if department is not None else None
        if number is None or case is None or cast is None:
            t.heading("A mention has no case, or its department nobody to claim and sign off.")
            continue
        last = number
        t.heading(f"#{number}: claimed, drafted, signed off")
        bridge.click(cast.claimant, number, ACTION_IDS["claim"])
        bridge.reply_in_thread(cast.claimant, number, ANSWERS[case.author_handle])
        bridge.drain()
        bridge.click(cast.approver, number, ACTION_IDS["approve"], f"{number}:1")
        bridge.drain()
        t.slack_calls(bridge)
        for reply in _posted(pds, post):
            answered += 1
            t.say("bridge → Bluesky", f"reply to {post['uri'].rsplit('/', 1)[-1]}: {_describe(reply)}")
    ok = answered == len(posts)
    t.heading("Done: each answer is a reply in its thread, naming its customer." if ok else "Not done.")
    t.say("bridge", THROWAWAY.format(number=last))
    return ok
