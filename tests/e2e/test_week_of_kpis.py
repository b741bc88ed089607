"""A week of a desk, scripted minute by minute through the real loop (X stand-in → Slack stand-in →
sign-off → X, surveys by DM, tracked links and a conversion), then every KPI the bridge reports checked
against the same figures worked out here from the script alone.

The expected values are computed from the script's own times with the definitions people read next to
the figures (``bridge/reports/definitions.py``): nothing is read back from the bridge to compute them.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from adapters.slack.cards import ACTION_IDS
from bridge.domain.clock import ManualClock
from bridge.reports.kpis import Cut, figures
from bridge.reports.signatures import SIGNATURE_HEADER, sign
from standins.harness import LocalBridge
from tests.conftest import PLAYBOOK, running_bridge
from tests.e2e.test_concierge_loop import x_posts

pytestmark = pytest.mark.e2e

MONDAY = datetime(2026, 11, 2, tzinfo=UTC)
SECRET = "week-conversions-secret"
DESK = """
hours:
  timezone: UTC
  weekly: {mon-fri: "08:00-18:00"}
sla:
  first_response_minutes: {x: 15}
  respect_hours: true
out_of_hours:
  auto_acknowledge: {x: true}
  template: out_of_hours
surveys:
  csat: true
  nps: true
  delay_minutes: 30
  once_per_customer_days: 30
measure:
  tracked_links: true
"""
AWAY = '  out_of_hours: "Hi @{{ author.handle }}, we are closed now and back {{ hours.next_open }}."\n'


@dataclass
class Scripted:
    """One customer's case as the script plays it, in minutes after its first post."""

    day: int  # 0 = Monday
    at: str  # "09:00", the customer's first post
    text: str
    handle: str
    claim: float | None = None  # minutes
    answer: float | None = None
    expert: str = "U0EXP1"
    follow_up: float | None = None  # the customer writes again (reopens the answered case)
    claim_again: float | None = None
    answer_again: float | None = None
    resolve: float | None = None
    ignore: float | None = None
    csat: str = ""  # the customer's reply to the survey
    nps: str = ""
    link_clicks: int = 0
    conversions: int = 0
    engagement: tuple[int, int, int] = (0, 0, 0)  # likes, replies, reposts of our last answer a day later
    number: int = 0
    posted: dict[str, float] = field(default_factory=dict)

    @property
    def start(self) -> datetime:
        hour, minute = (int(p) for p in self.at.split(":"))
        return MONDAY + timedelta(days=self.day, hours=hour, minutes=minute)


SCRIPT = [
    Scripted(
        0,
        "09:00",
        "@AcmeHelp I was charged twice for order 1001, refund please",
        "ann",
        engagement=(3, 1, 2),
        claim=4,
        answer=10,
        csat="5 - quick and kind",
        nps="10",
        link_clicks=2,
        conversions=1,
    ),
    Scripted(
        0,
        "14:00",
        "@AcmeHelp where is my parcel 1002? the courier never came",
        "ben",
        claim=20,
        answer=30,
        expert="U0LOG1",
    ),
    Scripted(1, "07:30", "@AcmeHelp charged twice for order 1003, please refund", "cat", claim=35, answer=40),
    Scripted(
        1,
        "11:00",
        "@AcmeHelp I need a refund for order 1004, this is terrible",
        "dan",
        claim=2,
        answer=12,
        follow_up=60,
        claim_again=65,
        answer_again=75,
    ),
    Scripted(
        2,
        "15:00",
        "@AcmeHelp my invoice 1006 is wrong",
        "eve",
        claim=3,
        answer=8,
        resolve=60,
        csat="2 slow",
        nps="3",
    ),
    Scripted(
        3,
        "09:30",
        "@AcmeHelp charged twice on order 1007, refund?",
        "fay",
        engagement=(4, 0, 0),
        claim=5,
        answer=14,
        csat="⭐⭐⭐⭐",
    ),
    Scripted(4, "16:00", "@AcmeHelp refund for order 1008 please", "gus", ignore=25),
    Scripted(4, "17:00", "@AcmeHelp love you, best shop ever! thanks", "hal"),  # praise: set aside
]
FOLLOW_UP = "@AcmeHelp thank you, that helps a lot! one more question about the receipt"


def minutes(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 60


@pytest.fixture
def week(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[LocalBridge, ManualClock]]:
    playbook = tmp_path / "week.yml"
    text = PLAYBOOK.read_text(encoding="utf-8")
    text = (
        text.replace("templates:\n", "templates:\n" + AWAY, 1)
        if "templates:\n" in text
        else text + "templates:\n" + AWAY
    )
    playbook.write_text(text + DESK, encoding="utf-8")
    monkeypatch.setenv("BRIDGE_CONVERSIONS_SECRET", SECRET)
    clock = ManualClock(MONDAY)
    with running_bridge(playbook, redis_url, tmp_path, clock=clock) as bridge:
        bridge.rt.links.public_url = bridge.web.url
        yield bridge, clock


def at(clock: ManualClock, when: datetime) -> None:
    assert when >= clock.now(), (when, clock.now())
    clock.advance(seconds=(when - clock.now()).total_seconds())


def post_answer(bridge: LocalBridge, case: Scripted, text: str) -> None:
    assert bridge.reply_in_thread(case.expert, case.number, text)[0].status == 200
    bridge.drain()
    version = bridge.rt.store.get(case.number).draft_version
    assert (
        bridge.click("U0APP1", case.number, ACTION_IDS["approve"], f"{case.number}:{version}").status == 200
    )
    bridge.drain()


def play(bridge: LocalBridge, clock: ManualClock, case: Scripted) -> list[tuple[datetime, str]]:
    """Plays one case; returns the later steps (time, what) that other cases may interleave with."""
    at(clock, case.start)
    post = bridge.x.add_mention(
        case.text, author_handle=case.handle, author_name=case.handle.title(), created_at=case.start
    )
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post)
    assert number is not None
    case.number = number
    customer = bridge.rt.store.get(number).author_id
    if case.answer is None and case.ignore is None:
        assert not bridge.rt.store.get(number).card_ts  # set aside: no card
    if case.csat:
        bridge.x.add_direct_message("hello, about my case", sender_id=customer)  # their DMs are open to us
    steps: list[tuple[float | None, str]] = [
        (case.claim, "claim"),
        (case.answer, "answer"),
        (case.follow_up, "follow_up"),
        (case.claim_again, "claim"),
        (case.answer_again, "answer"),
        (case.resolve, "resolve"),
        (case.ignore, "ignore"),
    ]
    return [(case.start + timedelta(minutes=m), what) for m, what in steps if m is not None]


def step(bridge: LocalBridge, clock: ManualClock, case: Scripted, when: datetime, what: str) -> None:
    at(clock, when)
    if what == "claim":
        assert bridge.click(case.expert, case.number, ACTION_IDS["claim"]).status == 200
    elif what == "answer":
        link = " Details: https://shop.acme.example/refunds" if case.link_clicks else ""
        again = " Sorry, it is fixed for good now." if case.posted else ""  # X refuses the same words twice
        post_answer(bridge, case, f"Hi @{case.handle}, it is sorted now.{link}{again}")
        case.posted[what + str(len(case.posted))] = minutes(case.start, when)
    elif what == "follow_up":
        reply = bridge.rt.store.get(case.number).reply_id
        bridge.x.add_mention(
            FOLLOW_UP,
            author_handle=case.handle,
            author_name=case.handle.title(),
            in_reply_to=reply,
            created_at=when,
        )
        bridge.poll()
    elif what == "resolve":
        assert "is resolved" in bridge.slash("U0SOC1", "C0SOCIAL", f"resolve {case.number}").json()["text"]
    elif what == "ignore":
        ignored = bridge.slash("U0SOC1", "C0SOCIAL", f"ignore {case.number} a bot's post").json()["text"]
        assert "ignored" in ignored.lower(), ignored
    bridge.drain()


def test_a_week_of_desk_activity_gives_the_kpis_worked_out_by_hand(
    week: tuple[LocalBridge, ManualClock],
) -> None:
    bridge, clock = week
    pending: list[tuple[datetime, int, str]] = []
    for index, case in enumerate(SCRIPT):
        while pending and pending[0][0] <= case.start:
            when, i, what = pending.pop(0)
            step(bridge, clock, SCRIPT[i], when, what)
        pending = sorted([*pending, *[(w, index, what) for w, what in play(bridge, clock, case)]])
    for when, i, what in pending:
        step(bridge, clock, SCRIPT[i], when, what)
    surveys_and_links(bridge, clock)
    bridge.drain(include_scheduled=True)

    shown = {
        f.key: f
        for f in figures(bridge.rt.reports.totals(Cut(since=MONDAY, until=MONDAY + timedelta(days=7))))
    }
    rules = bridge.rt.playbook.triage
    expected = worked_out() | sentiments(rules.negative_below, rules.positive_above)
    got = {key: shown[key].value for key in expected}
    assert got == pytest.approx(expected, abs=0.01)
    hours = bridge.rt.reports.volume_by_hour(Cut(since=MONDAY, until=MONDAY + timedelta(days=7)))["all"]
    scripted = [0] * 168
    for case in SCRIPT:
        scripted[case.day * 24 + case.start.hour] += 1
    assert hours == scripted


def surveys_and_links(bridge: LocalBridge, clock: ManualClock) -> None:
    """Saturday: answers were liked, surveys go out and are answered, a link is clicked and bought from."""
    for case in SCRIPT:
        likes, replies, reposts = case.engagement
        answer = bridge.rt.store.get(case.number).reply_id
        if answer:
            bridge.x.set_engagement(answer, likes=likes, replies=replies, reposts=reposts)
    at(clock, MONDAY + timedelta(days=5, hours=12))
    bridge.drain(include_scheduled=True)
    for case in SCRIPT:
        if case.link_clicks:
            token = next(p["text"].split("/r/")[1].split()[0] for p in x_posts(bridge) if "/r/" in p["text"])
            for _ in range(case.link_clicks):
                assert (
                    requests.get(f"{bridge.web.url}/r/{token}", allow_redirects=False, timeout=5).status_code
                    == 302
                )
            for order in range(case.conversions):
                body = json.dumps({"token": token, "order_id": f"W-{order}"}).encode()
                sold = requests.post(
                    f"{bridge.web.url}/api/conversions",
                    data=body,
                    timeout=5,
                    headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(SECRET, body)},
                )
                assert sold.status_code == 200
        customer = bridge.rt.store.get(case.number).author_id
        for said in (case.csat, case.nps):
            if said:
                bridge.x.add_direct_message(said, sender_id=customer)
                bridge.poll()
                bridge.drain(include_scheduled=True)


def sentiments(negative_below: float, positive_above: float) -> dict[str, float]:
    """Sentiment at the start and end of each case, scored here with VADER on the customers' words."""
    vader = SentimentIntensityAnalyzer()
    starts, ends = [], []
    for case in SCRIPT:
        starts.append(vader.polarity_scores(case.text)["compound"])
        last = FOLLOW_UP if case.follow_up is not None else case.text
        ends.append(vader.polarity_scores(last)["compound"])
    negative = [i for i, score in enumerate(starts) if score <= negative_below]
    improved = [i for i in negative if ends[i] > negative_below]
    return {
        "sentiment_start": statistics.mean(starts),
        "sentiment_end": statistics.mean(ends),
        "sentiment_improved": 100 * len(improved) / len(negative),
    }


def worked_out() -> dict[str, float]:
    """The KPIs from the script alone, by the definitions."""
    first_human, first_any, handling, resolution, responses, sla = [], [], [], [], [], []
    for case in SCRIPT:
        opened_at = case.start
        opening = opened_at.replace(hour=8, minute=0)
        if case.answer is not None:
            first_human.append(case.answer)
            # before opening hours, the away message answered at once: a reply, not an answer
            first_any.append(0.0 if opened_at < opening else case.answer)
            open_minutes = case.answer - max(0.0, minutes(opened_at, opening))
            sla.append(open_minutes <= 15)
            handling.append(case.answer - (case.claim or 0))
            responses.append(case.answer)
        # a card a person ignored did not need a response, so it neither meets nor misses the target
        if case.answer_again is not None:
            handling.append(case.answer_again - (case.claim_again or 0))
            responses.append(case.answer_again - (case.follow_up or 0))
        last_answer = case.answer_again if case.answer_again is not None else case.answer
        if case.resolve is not None:
            resolution.append(case.resolve)
        elif last_answer is not None:
            resolution.append(last_answer)
    csats = [5, 2, 4]
    npss = [10, 3]
    answered = [c for c in SCRIPT if c.answer is not None]
    needed = [c for c in SCRIPT if c.answer is not None]  # a card a person ignored needed none
    return {
        "cases": len(SCRIPT),
        "first_response_any": statistics.mean(first_any),
        "first_response_human": statistics.mean(first_human),
        "average_response": statistics.mean(responses),
        "resolution": statistics.mean(resolution),
        "handling": statistics.mean(handling),
        "sla_attainment": 100 * sum(sla) / len(sla),
        "reopen_rate": 100 * sum(1 for c in answered if c.follow_up is not None) / len(answered),
        "needed_response": 100 * len(needed) / len(SCRIPT),
        "set_aside": sum(1 for c in SCRIPT if c.answer is None and c.ignore is None),
        "csat_average": statistics.mean(csats),
        "csat_satisfied": 100 * sum(1 for s in csats if s >= 4) / len(csats),
        "nps": 100 * (sum(1 for s in npss if s >= 9) - sum(1 for s in npss if s <= 6)) / len(npss),
        "link_clicks": 2,
        "link_conversions": 1,
        # every public answer is read a day later; the counts are its last answer's
        "engagement": statistics.mean(sum(c.engagement) for c in answered),
    }
