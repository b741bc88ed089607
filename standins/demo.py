"""``bridge demo``: the concierge loop on one machine, with no credentials and no internet.

It starts the embedded Redis, the Slack and X stand-ins and the real web app, polls a handful of
mentions, and drives claim → draft → sign-off through ``/slack/events`` with signed requests, printing
what each side saw.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

from adapters.slack.cards import ACTION_IDS
from bridge.app.settings import DEFAULT_PLAYBOOK, Settings
from bridge.store.redis_conn import shutdown_embedded
from bridge.store.timeline import format_timeline
from standins.harness import LocalBridge

MENTIONS = [
    ("maria_k", "Maria K.", "@AcmeHelp I was charged twice for order 88231 and I want a refund please"),
    ("tom_b", "Tom B.", "@AcmeHelp my parcel has been stuck at the depot for 6 days, tracking shows nothing"),
    (
        "nosy_n",
        "N <!channel>",
        "@AcmeHelp <!channel> <@U0APP1> my order never arrived, look <https://evil.example|click here> "
        "& sort it out",
    ),
    ("dee_r", "Dee R.", "@AcmeHelp is the Oxford street store open on Sunday?"),
]


class Transcript:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.seen_slack = 0
        self.seen_x = 0

    def say(self, side: str, text: str) -> None:
        print(f"[{side:<15}] {text}", file=self.out)

    def heading(self, text: str) -> None:
        print(f"\n== {text}", file=self.out)

    def slack_calls(self, bridge: LocalBridge) -> None:
        calls = bridge.slack.calls[self.seen_slack :]
        self.seen_slack += len(calls)
        for call in calls:
            params: dict[str, Any] = call.params
            where = params.get("channel", "")
            thread = " (thread)" if params.get("thread_ts") else ""
            text = str(params.get("text", "")).replace("\n", " ")
            if call.method == "chat.postEphemeral":
                where = f"{where} only to {params.get('user')}"
            self.say("bridge → Slack", f"{call.method} {where}{thread}: {text[:150]}")

    def x_posts(self, bridge: LocalBridge) -> None:
        posts = [r for r in bridge.x.requests if r.method == "POST" and r.path == "/2/tweets"]
        for request in posts[self.seen_x :]:
            body = request.json or {}
            reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
            self.say("bridge → X", f"reply to post {reply_to}: {body.get('text')}")
        self.seen_x = len(posts)


def run_demo(out: TextIO = sys.stdout) -> int:
    settings = Settings()
    playbook = settings.bridge_playbook if settings.bridge_playbook.exists() else DEFAULT_PLAYBOOK
    with (
        tempfile.TemporaryDirectory(prefix="bridge-demo-") as data_dir,
        LocalBridge(playbook=Path(playbook), redis_url=None, data_dir=Path(data_dir)) as bridge,
    ):
        t = Transcript(out)
        t.heading("Customers mention @AcmeHelp on X")
        post_ids = []
        for handle, name, text in MENTIONS:
            post_ids.append(bridge.x.add_mention(text, author_handle=handle, author_name=name))
            t.say("customer → X", f"@{handle}: {text}")
        bridge.poll()
        bridge.poll()  # a second, overlapping poll: no duplicate cases
        bridge.drain()
        t.heading("Triage: one case per mention, and a card for each that needs a reply")
        carded = 0
        for post_id in post_ids:
            case = bridge.rt.store.get(bridge.rt.store.case_for_post("x", post_id) or 0)
            carded += bool(case.card_ts)
            card = f"card in {case.channel}" if case.card_ts else "no card"
            verdict = f"{case.verdict}, {case.priority} priority"
            t.say("bridge triage", f"{case.ref} @{case.author_handle}: {verdict} · {card}")
        t.heading("The bridge opens one case per mention and posts a card in each department's channel")
        t.slack_calls(bridge)
        billing = next(
            n for n in bridge.rt.store.open_cases() if bridge.rt.store.get(n).department == "billing"
        )

        t.heading(f"Billing expert U0EXP1 claims #{billing}; U0EXP2 clicks Claim a moment later")
        for user in ("U0EXP1", "U0EXP2"):
            answer = bridge.click(user, billing, ACTION_IDS["claim"])
            t.say("Slack → bridge", f"{user} clicked Claim on #{billing} → HTTP {answer.status}")
        bridge.drain()
        t.slack_calls(bridge)

        t.heading("U0EXP1 writes an internal note, then the answer, in the card's thread")
        for text in (
            "note: ledger shows two captures, second one is being refunded",
            "Hi @maria_k, sorry about the double charge on order 88231. The second payment is "
            "refunded today; it shows in 3-5 working days. DM us if it doesn't.",
        ):
            answer, _ = bridge.reply_in_thread("U0EXP1", billing, text)
            t.say("Slack → bridge", f"U0EXP1 in thread: {text[:70]}… → HTTP {answer.status}")
        bridge.drain()
        t.slack_calls(bridge)

        t.heading("Sign-off: the author may not approve their own draft; approver U0APP1 does")
        for user in ("U0EXP1", "U0APP1"):
            answer = bridge.click(user, billing, ACTION_IDS["approve"], f"{billing}:1")
            t.say("Slack → bridge", f"{user} clicked Approve on draft v1 → HTTP {answer.status}")
        bridge.drain()
        t.slack_calls(bridge)
        t.x_posts(bridge)

        t.heading(f"bridge case {billing}")
        print(format_timeline(bridge.rt.store.get(billing), bridge.rt.store.audit(billing)), file=out)
        case = bridge.rt.store.get(billing)
        ok = case.state.value == "posted" and len(bridge.rt.store.open_cases()) == carded - 1
        t.heading("Done: the answer is on X and the card says so." if ok else "The demo did not finish.")
        bridge.stop()
        shutdown_embedded(Path(data_dir))
        return 0 if ok else 1
