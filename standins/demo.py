"""``bridge demo``: the concierge loop on one machine, with no credentials and no internet.

It starts the embedded Redis, the Slack and X stand-ins and the real web app, polls a handful of
mentions, and drives claim → draft → sign-off through ``/slack/events`` with signed requests, printing
what each side saw.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from adapters.slack.cards import ACTION_IDS
from bridge.app.settings import DEFAULT_PLAYBOOK, Settings
from bridge.playbook.model import Department, Playbook, load_playbook
from bridge.store.redis_conn import shutdown_embedded
from bridge.store.timeline import format_timeline
from standins.harness import LocalBridge

#: (handle, name, text): ``{brand}`` is the brand's care handle on X, as the playbook names it.
MENTIONS = [
    ("maria_k", "Maria K.", "@{brand} I was charged twice for order 88231 and I want a refund please"),
    ("tom_b", "Tom B.", "@{brand} my parcel has been stuck at the depot for 6 days, tracking shows nothing"),
    (
        "nosy_n",
        "N <!channel>",
        (
            "@{brand} <!channel> <@U0APP1> my order never arrived, look <https://evil.example|click here> "
            "& sort it out"
        ),
    ),
    ("dee_r", "Dee R.", "@{brand} is the Oxford street store open on Sunday?"),
]
ANSWER = (
    "Hi @maria_k, sorry about the double charge on order 88231. The second payment is refunded today; "
    "it shows in 3-5 working days. DM us if it doesn't."
)
THROWAWAY = (
    "The demo ran on a throwaway Redis, now deleted: its cases are not kept, so `bridge case {number}` "
    "will not find them. `bridge run` keeps cases, in the Redis it is given."
)


@dataclass(frozen=True)
class Cast:
    """Who plays which part in the demo, taken from the playbook's department of the case."""

    claimant: str
    late_clicker: str  # clicks Claim a moment after the claimant
    approver: str


def cast_for(department: Department) -> Cast | None:
    """The department's first expert claims and its first other approver signs off (four eyes)."""
    experts = list(department.experts)
    approvers = [a for a in department.approvers if not experts or a != experts[0]]
    if not experts or not approvers:
        return None
    others = [p for p in [*experts[1:], *department.approvers] if p != experts[0]]
    return Cast(experts[0], others[0], approvers[0])


def x_accounts(playbook: Playbook) -> dict[str, Any]:
    """The X stand-in's accounts as the playbook names them (the care handle, and the main one)."""
    x = playbook.accounts.x
    if x is None:
        return {}
    main = (x.main_handle, x.main_user_id) if x.main_handle and x.main_user_id else None
    return {"x_user_id": x.user_id, "x_handle": x.handle, "x_main_account": main}


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


Play = Callable[[LocalBridge, Playbook, "Transcript"], bool]


def play_demo(
    name: str, play: Play, out: TextIO, *, mastodon: bool = False, bluesky: bool = False, meta: bool = False
) -> int:
    """Every demo's frame: the playbook ``BRIDGE_PLAYBOOK`` names (else the sample), a throwaway data
    folder and embedded Redis, the bridge with the platforms' stand-ins asked for, then ``play``;
    0 when it says the loop went as it should."""
    settings = Settings()
    playbook_path = Path(settings.bridge_playbook if settings.bridge_playbook.exists() else DEFAULT_PLAYBOOK)
    playbook = load_playbook(playbook_path)
    accounts = x_accounts(playbook)
    with (
        tempfile.TemporaryDirectory(prefix=f"bridge-{name}-") as data_dir,
        LocalBridge(
            playbook=playbook_path,
            redis_url=None,
            data_dir=Path(data_dir),
            mastodon=mastodon,
            bluesky=bluesky,
            meta=meta,
            **accounts,
        ) as bridge,
    ):
        ok = play(bridge, playbook, Transcript(out))
        bridge.stop()
        shutdown_embedded(Path(data_dir))
    return 0 if ok else 1


def run_demo(out: TextIO = sys.stdout) -> int:
    def on_x(bridge: LocalBridge, playbook: Playbook, t: Transcript) -> bool:
        return _play(bridge, playbook, bridge.x.handle, t)

    return play_demo("demo", on_x, out)


def _play(bridge: LocalBridge, playbook: Playbook, brand: str, t: Transcript) -> bool:
    t.heading(f"Customers mention @{brand} on X")
    post_ids = []
    for handle, name, text in MENTIONS:
        said = text.format(brand=brand)
        post_ids.append(bridge.x.add_mention(said, author_handle=handle, author_name=name))
        t.say("customer → X", f"@{handle}: {said}")
    bridge.poll()
    bridge.poll()  # a second, overlapping poll: no duplicate cases
    bridge.drain()
    t.heading("Triage: one case per mention, and a card for each that needs a reply")
    cases = [bridge.rt.store.case_for_post("x", post_id) for post_id in post_ids]
    for number in cases:
        if number is None:
            t.say("bridge triage", "no case: the post did not reach the bridge")
            continue
        case = bridge.rt.store.get(number)
        card = f"card in {case.channel}" if case.card_ts else "no card"
        t.say(
            "bridge triage",
            f"{case.ref} @{case.author_handle}: {case.verdict}, {case.priority} priority · {card}",
        )
    t.heading("The bridge opens one case per mention and posts a card in each department's channel")
    t.slack_calls(bridge)
    chosen = _first_playable(bridge, playbook, [n for n in cases if n is not None])
    if chosen is None:
        t.heading("The demo did not finish: no carded case has an expert and a second person to sign off.")
        return False
    number, cast = chosen
    carded = [n for n in cases if n is not None and bridge.rt.store.get(n).card_ts]
    return _loop(bridge, number, cast, len(carded), t)


def _first_playable(bridge: LocalBridge, playbook: Playbook, cases: list[int]) -> tuple[int, Cast] | None:
    for number in cases:
        case = bridge.rt.store.get(number)
        department = playbook.departments.get(case.department)
        cast = cast_for(department) if department is not None and case.card_ts else None
        if cast is not None:
            return number, cast
    return None


def _loop(bridge: LocalBridge, number: int, cast: Cast, carded: int, t: Transcript) -> bool:
    department = bridge.rt.store.get(number).department
    t.heading(
        f"{department} expert {cast.claimant} claims #{number}; "
        f"{cast.late_clicker} clicks Claim a moment later"
    )
    for user in (cast.claimant, cast.late_clicker):
        answer = bridge.click(user, number, ACTION_IDS["claim"])
        t.say("Slack → bridge", f"{user} clicked Claim on #{number} → HTTP {answer.status}")
    bridge.drain()
    t.slack_calls(bridge)

    t.heading(f"{cast.claimant} writes an internal note, then the answer, in the card's thread")
    for text in ("note: ledger shows two captures, second one is being refunded", ANSWER):
        answer, _ = bridge.reply_in_thread(cast.claimant, number, text)
        t.say("Slack → bridge", f"{cast.claimant} in thread: {text[:70]}… → HTTP {answer.status}")
    bridge.drain()
    t.slack_calls(bridge)

    t.heading(f"Sign-off: the author may not approve their own draft; approver {cast.approver} does")
    for user in (cast.claimant, cast.approver):
        answer = bridge.click(user, number, ACTION_IDS["approve"], f"{number}:1")
        t.say("Slack → bridge", f"{user} clicked Approve on draft v1 → HTTP {answer.status}")
    bridge.drain()
    t.slack_calls(bridge)
    t.x_posts(bridge)

    t.heading(f"bridge case {number}")
    print(format_timeline(bridge.rt.store.get(number), bridge.rt.store.audit(number)), file=t.out)
    case = bridge.rt.store.get(number)
    ok = case.state.value == "posted" and len(bridge.rt.store.open_cases()) == carded - 1
    t.heading("Done: the answer is on X and the card says so." if ok else "The demo did not finish.")
    t.say("bridge", THROWAWAY.format(number=number))
    return ok
