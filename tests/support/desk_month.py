"""A month of a desk's decisions, simulated on a real store: invented posts, triaged by the
playbook's rules, then answered, rescued from the set-aside digest, ignored with a reason or moved to
another department the way one brand's desk does it.

This brand answers two kinds of post the generic rules set aside as noise: people weighing up a
purchase ("thinking of getting an Acme grinder, which one is best for filter coffee") and people
describing a fault without asking anyone ("my acme toaster clicks and stops heating since Monday").
Its desk rescues most of them from the digest; the rest stay set aside. Gift vouchers go to billing,
which the playbook's rules do not know: the desk moves them there.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bridge.domain.lifecycle import Action, State
from bridge.domain.model import Author, Case, Mention
from bridge.playbook.model import Playbook
from bridge.store.cases import Store
from bridge.triage.decision import decide

PRODUCTS = ["kettle", "toaster", "grinder", "espresso machine", "blender", "milk frother", "juicer", "scale"]
TIMES = [
    "since Monday",
    "since yesterday",
    "after two weeks",
    "this morning",
    "every time",
    "since the update",
]
WHOM = ["my dad", "my sister", "our office", "the new flat", "my partner", "a friend's wedding"]
USES = ["filter coffee", "oat milk", "a small kitchen", "travel", "loose leaf tea", "smoothies"]
SYMPTOMS = [
    "clicks and then stops heating halfway",
    "makes a weird rattling noise",
    "smells of burnt plastic",
    "leaks from the bottom",
    "keeps blinking red",
    "only heats one side",
    "trips the fuse",
]
PROBLEMS = ["arrived broken", "never arrived", "was charged twice", "stopped working", "came without a lid"]
ASKS = ["what now?", "can you help?", "who do I talk to?", "please sort this out", "is a refund possible?"]
CHATTER = [
    "morning coffee with the {p} and the sun is out",
    "best {p} ever, my kitchen looks amazing",
    "new playlist for the weekend, coffee in hand",
    "the {p} from acme matches our curtains haha",
    "lazy sunday, pancakes and a good book",
    "finally painted the hallway, coffee break time",
    "love the colour of the acme {p}",
]


def _considering(rng: random.Random) -> str:
    opening = rng.choice(["Thinking of getting", "Torn between", "Might treat myself to", "Saving up for"])
    which = rng.choice(["which one is best for", "is it any good for", "not sure it suits", "worth it for"])
    return f"{opening} an Acme {rng.choice(PRODUCTS)} for {rng.choice(WHOM)}, {which} {rng.choice(USES)}"


def _symptom(rng: random.Random) -> str:
    own = rng.choice(["my acme", "our acme", "the acme", "my new acme"])
    return f"{own} {rng.choice(PRODUCTS)} {rng.choice(SYMPTOMS)} {rng.choice(TIMES)}"


def _complaint(rng: random.Random) -> str:
    return (
        f"@AcmeHelp my {rng.choice(PRODUCTS)} {rng.choice(PROBLEMS)} {rng.choice(TIMES)}, {rng.choice(ASKS)}"
    )


def _voucher(rng: random.Random) -> str:
    what = rng.choice(["gift voucher", "voucher code", "gift card", "birthday voucher"])
    fault = rng.choice(
        ["is not accepted at checkout", "shows zero balance", "expired early", "does not work"]
    )
    return f"@AcmeHelp my {what} {fault}, {rng.choice(ASKS)}"


def _banter(rng: random.Random) -> str:
    return rng.choice(
        [
            "@AcmeHelp why is your mascot a penguin lol",
            "@AcmeHelp can you make a kettle that sings? asking for my cat",
            "@AcmeHelp will you marry my toaster?",
            "@AcmeHelp what is your favourite biscuit",
        ]
    )


def _chatter(rng: random.Random) -> str:
    return rng.choice(CHATTER).format(p=rng.choice(PRODUCTS))


# kind: (share of posts, how to write one, what the desk does with it: answer / rescue chance / ignore)
KINDS = {
    "complaint": (0.30, _complaint),
    "voucher": (0.08, _voucher),
    "considering": (0.12, _considering),
    "symptom": (0.12, _symptom),
    "banter": (0.08, _banter),
    "chatter": (0.30, _chatter),
}
RESCUED_SHARE = 0.8  # of the posts this desk wants that the rules set aside
PERSON = "U0SOC1"


@dataclass
class Month:
    cases: dict[int, str] = field(default_factory=dict)  # case number -> kind
    rules_missed: int = 0  # posts this desk wants that the rules set aside


def _desk(store: Store, number: int, kind: str, state: State, rng: random.Random, month: Month) -> None:
    wanted = kind in ("complaint", "voucher", "considering", "symptom")
    if state is State.IGNORED:
        if not wanted:
            return
        month.rules_missed += 1
        if rng.random() >= RESCUED_SHARE:
            return
        store.transition(number, Action.REOPEN, PERSON, values={"claimant": None})
    elif kind in ("banter", "chatter"):
        store.transition(number, Action.IGNORE, PERSON, detail={"reason": "banter, nothing to answer"})
        return
    elif rng.random() < 0.06:
        store.transition(number, Action.IGNORE, PERSON, detail={"reason": "sorted by phone already"})
        return
    if kind == "voucher" and store.get(number).department != "billing":
        store.transition(
            number,
            Action.ROUTE,
            PERSON,
            values={"department": "billing"},
            detail={"from_department": store.get(number).department, "to_department": "billing"},
        )
    for action in (Action.CLAIM, Action.DRAFT, Action.APPROVE, Action.BEGIN_POSTING):
        store.transition(number, action, PERSON)
    store.transition(number, Action.POSTED, "bridge", detail={"reply_id": f"r{number}"})


def simulate_month(store: Store, playbook: Playbook, posts: int, seed: int = 1) -> Month:
    """``posts`` invented mentions over 30 days, decided by the rules and then by the desk."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, 9, tzinfo=UTC)
    month = Month()
    names, shares = list(KINDS), [share for share, _ in KINDS.values()]
    for n in range(posts):
        kind = rng.choices(names, shares)[0]
        at = start + timedelta(minutes=int(n * 30 * 24 * 60 / posts))
        mention = Mention(
            platform="x",
            post_id=f"sim{seed}-{n}",
            text=KINDS[kind][1](rng),
            author=Author(id=f"a{n}", handle=f"customer{n}", name="A customer"),
            created_at=at,
            url=f"https://x.com/i/status/sim{seed}-{n}",
            account="AcmeHelp",
        )
        decision = decide(playbook, mention, at)
        state = State.ROUTED if decision.state is State.ROUTED else State.TRIAGED
        case = Case(
            number=0,
            state=state,
            platform="x",
            post_id=mention.post_id,
            text=mention.text,
            author_id=mention.author.id,
            author_handle=mention.author.handle,
            author_name="A customer",
            post_url=mention.url,
            created_at=at,
            ingested_at=at,
            department=decision.department,
            verdict=decision.verdict,
        )
        number, _ = store.create_case_once(case)
        if decision.state is State.IGNORED:
            store.transition(number, Action.IGNORE, "bridge", detail={"reason": decision.ignore_reason})
            state = State.IGNORED
        elif decision.state is State.MONITORING:
            store.transition(number, Action.MONITOR, "bridge")
            continue
        month.cases[number] = kind
        _desk(store, number, kind, state, rng, month)
    return month
