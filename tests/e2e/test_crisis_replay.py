"""Crisis mode replayed end to end: a recorded-looking stream of quiet hours and then a burst of recall
mentions, through the real tweepy poller, Bolt, slack_sdk and RQ worker against the local Slack and X
stand-ins, on real Redis, with time driven by a manual clock.

One alert at the right moment, the burst folded into one mass-issue card, incident mode with a
four-eyes statement posted from the brand account, and bulk replies paced inside X's limits that
survive a restart.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.slack.crisis_cards import CRISIS_ACTIONS
from bridge.app import runtime
from bridge.crisis.incident import IncidentState
from bridge.domain.clock import ManualClock
from bridge.domain.lifecycle import State
from bridge.wiring import build
from standins.harness import LocalBridge
from standins.slack_requests import block_action, view_submission
from tests.conftest import ROOT, running_bridge
from tests.e2e.test_concierge_loop import buttons

pytestmark = pytest.mark.e2e

START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)  # a Monday morning
LEADERS, PRODUCT = "C0LEADERS", "C0PRODUCT"
BULK_PER_WINDOW = 10  # small, so the test sees the posting budget at work
BURST = 30
MAIN_HANDLE, MAIN_ID = "Acme", "783214"  # the main brand account, as crisis-example.yml names it
RECALL = "@AcmeHelp my Acme kettle K200 is on the recall list, this is scary, what do I do now {n}"
OTHER = ["@AcmeHelp I was charged twice for order {n}", "@AcmeHelp where is my parcel {n}? tracking is empty"]


@pytest.fixture
def replay(redis_url: str, tmp_path: Path) -> Iterator[tuple[LocalBridge, ManualClock]]:
    data = yaml.safe_load((ROOT / "playbooks" / "crisis-example.yml").read_text())
    data["crisis"]["bulk_posts_per_window"] = BULK_PER_WINDOW
    playbook = tmp_path / "crisis.yml"
    playbook.write_text(yaml.safe_dump(data))
    clock = ManualClock(START)
    with running_bridge(
        playbook, redis_url, tmp_path, clock=clock, x_main_account=(MAIN_HANDLE, MAIN_ID)
    ) as bridge:
        yield bridge, clock


def mention(bridge: LocalBridge, text: str, handle: str, at: datetime, followers: int = 100) -> str:
    return bridge.x.add_mention(text, author_handle=handle, created_at=at, followers_count=followers)


def tick(bridge: LocalBridge, clock: ManualClock, to: datetime) -> None:
    """Move stream time on, poll X, and run what is due (scheduled jobs included: time has passed)."""
    clock.advance(seconds=(to - clock.now()).total_seconds())
    bridge.poll()
    bridge.drain(include_scheduled=True)


def header(message: dict[str, Any]) -> str:
    blocks = message.get("blocks") or []
    return str(blocks[0]["text"]["text"]) if blocks and blocks[0]["type"] == "header" else ""


def channel(bridge: LocalBridge, name: str) -> list[dict[str, Any]]:
    return [m for m in bridge.slack.messages.get(bridge.slack.channel_id(name), []) if not m.get("thread_ts")]


def with_header(bridge: LocalBridge, name: str, prefix: str) -> list[dict[str, Any]]:
    return [m for m in channel(bridge, name) if header(m).startswith(prefix)]


def click(bridge: LocalBridge, user: str, message: dict[str, Any], name: str, where: str) -> None:
    value = next(
        e["value"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == CRISIS_ACTIONS[name]
    )
    payload = block_action(user, bridge.slack.channel_id(where), message["ts"], CRISIS_ACTIONS[name], value)
    assert bridge.send_interaction(payload).status == 200
    bridge.drain()


def told(bridge: LocalBridge, user: str) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in bridge.slack.calls_to("chat.postEphemeral")
        if c.params.get("user") == user
    ]


def brand_statements(bridge: LocalBridge) -> list[Any]:
    """Posts of their own (not replies) by the main brand account, where statements belong."""
    return [p for p in bridge.x.posts_by(MAIN_HANDLE) if p.in_reply_to is None]


def test_a_recall_burst_raises_one_alert_folds_and_ends_in_an_approved_statement_and_bulk_replies(
    replay: tuple[LocalBridge, ManualClock],
) -> None:
    bridge, clock = replay
    store = bridge.rt.store

    # quiet hours: one mention a hour says "recall", as people do; the baseline learns from them
    for hour in range(6):
        at = START + timedelta(hours=hour, minutes=10)
        mention(bridge, f"@AcmeHelp do you recall when the spring sale starts? ({hour})", f"quiet{hour}", at)
        for i, text in enumerate(OTHER):
            mention(bridge, text.format(n=hour * 10 + i), f"other{hour}_{i}", at)
        tick(bridge, clock, at + timedelta(minutes=5))
    assert with_header(bridge, LEADERS, "Crisis alert") == []

    # the burst: three near-identical recall mentions a minute from 14:00
    burst_start = START + timedelta(hours=6)
    alerted_after: int | None = None
    posts: list[str] = []
    for minute in range(BURST // 3):
        for k in range(3):
            n = minute * 3 + k
            at = burst_start + timedelta(minutes=minute, seconds=20 * k)
            posts.append(mention(bridge, RECALL.format(n=n), f"burst{n}", at, followers=1000 + n))
        tick(bridge, clock, burst_start + timedelta(minutes=minute + 1))
        if alerted_after is None and with_header(bridge, LEADERS, "Crisis alert"):
            alerted_after = len(posts)
    alerts = with_header(bridge, LEADERS, "Crisis alert")
    assert len(alerts) == 1, "exactly one alert for the whole burst"
    assert alerted_after == 12, "raised in the poll that brought the 12th mention in 15 minutes"
    card = alerts[0]
    text = repr(card["blocks"])
    assert "Crisis alert: recall" in header(card)
    raised = [e for e in bridge.rt.crisis.alerts.records.timeline(1) if e.action == "alert_explained"]
    assert "12 mentions of recall in the last 15 min" in raised[0].fields["summary"]
    assert "24 mentions of recall in the last 15 min" in text, "the card shows the latest figures"
    assert "Why:" in text and "all hours so far" in text and "followers" in text and "@burst23" in text
    assert "negative" in text and "peak" in text
    assert buttons(card) == ["Acknowledge", "Start incident", "Dismiss"]
    re_alerts = with_header(bridge, LEADERS, "Re-alert: recall")
    assert len(re_alerts) == 1 and "24 mentions" in repr(re_alerts[0]["blocks"]), "at 2× the alerted count"

    # the burst folds: 11 cards of their own, then one mass card for the other 19 in the department
    product = channel(bridge, PRODUCT)
    cases = [m for m in product if header(m).startswith("Case #") and "K200" in repr(m["blocks"])]
    mass = [m for m in product if header(m).startswith("Mass issue")]
    assert len(cases) == 11 and len(mass) == 1
    assert "Mass issue: recall · 19 mentions" in header(mass[0])
    assert "Browse them on X" in repr(mass[0]["blocks"]) and "x.com/search" in repr(mass[0]["blocks"])
    folded = store.case_for_post("x", posts[-1])
    assert folded is not None and store.get(folded).card_ts == ""
    assert "folded" in [e.action for e in store.audit(folded)]
    assert len(bridge.slack.calls_to("chat.postMessage")) - len(product) < 30, "no card per folded mention"

    # leadership: acknowledge, then start the incident
    click(bridge, "U0VPC", card, "ack", LEADERS)
    card = with_header(bridge, LEADERS, "Crisis alert")[0]
    assert "Acknowledged by <@U0VPC>" in repr(card["blocks"])
    assert buttons(card) == ["Start incident", "Dismiss"]
    click(bridge, "U0SOC1", card, "start_incident", LEADERS)
    assert any("Only leadership may start an incident" in t for t in told(bridge, "U0SOC1"))
    click(bridge, "U0CEO", card, "start_incident", LEADERS)
    incident_channel = "incident-2025-03-03-recall"
    kickoff = with_header(bridge, incident_channel, "Incident 1: recall")
    assert len(kickoff) == 1 and "<@U0CEO>" in repr(kickoff[0]["blocks"])
    assert "Mass issue: recall · 30 mentions" in header(
        with_header(bridge, incident_channel, "Mass issue")[0]
    )
    previews = with_header(bridge, LEADERS, "Statement for sign-off")
    assert len(previews) == 1 and buttons(previews[0]) == ["Approve", "Edit"]
    assert "main brand account" in repr(previews[0]["blocks"])

    # mentions arriving during the incident join the incident channel's mass card
    for k in range(4):
        n = BURST + k
        at = burst_start + timedelta(minutes=12, seconds=10 * k)
        posts.append(mention(bridge, RECALL.format(n=n), f"burst{n}", at))
    tick(bridge, clock, burst_start + timedelta(minutes=13))
    assert "34 mentions" in header(with_header(bridge, incident_channel, "Mass issue")[0])
    assert len(channel(bridge, PRODUCT)) == len(product), "nothing more in the department channel"
    department_mass = with_header(bridge, PRODUCT, "Mass issue")[0]
    assert "Incident 1 is handling it" in repr(department_mass["blocks"]), "the old card says where it went"

    # the statement: edited by a second leader, four eyes, an old version cannot be approved
    click(bridge, "U0CCO", previews[0], "edit_statement", LEADERS)
    assert "on the recall" in repr(bridge.slack.calls_to("views.open")[-1].params["view"])
    statement = "Acme kettle K200 recall: stop using it now and unplug it. Full refund or a free replacement."
    submitted = view_submission(
        "U0CCO", "crisis_statement_submit", "1", {"text": {"type": "plain_text_input", "value": statement}}
    )
    assert bridge.send_interaction(submitted).status == 200
    bridge.drain()
    previews = with_header(bridge, LEADERS, "Statement for sign-off")
    assert len(previews) == 2 and "Draft v2" in repr(previews[1]["blocks"])
    click(bridge, "U0CCO", previews[1], "approve_statement", LEADERS)
    assert any("Four eyes" in t for t in told(bridge, "U0CCO"))
    click(bridge, "U0CCO", previews[0], "approve_statement", LEADERS)
    assert any("newer version (v2)" in t for t in told(bridge, "U0CCO"))
    assert brand_statements(bridge) == []
    click(bridge, "U0CEO", previews[1], "approve_statement", LEADERS)
    statements = brand_statements(bridge)
    assert [p.text for p in statements] == [statement], "posted once, from the main account, not a reply"
    assert [p for p in bridge.x.brand_posts() if p.in_reply_to is None] == [], "not from the care handle"
    incident = bridge.rt.crisis.incidents.get(1)
    assert incident is not None and incident.state == IncidentState.STATEMENT_POSTED
    assert incident.statement_url.endswith(statements[0].id)
    assert any(
        "Statement posted from the main brand account" in m.get("text", "") for m in channel(bridge, LEADERS)
    )

    # the bulk reply: signed off by the social team's approver, paced by the posting budget
    bulk_preview = with_header(bridge, incident_channel, "Bulk reply for sign-off")
    assert len(bulk_preview) == 1 and buttons(bulk_preview[0]) == ["Approve and send", "Edit"]
    assert "goes to 34 unanswered mentions" in repr(bulk_preview[0]["blocks"])
    click(bridge, "U0SOC2", bulk_preview[0], "approve_bulk", incident_channel)
    bridge.drain(include_scheduled=True)
    replies = [p for p in bridge.x.brand_posts() if p.in_reply_to]
    assert len(replies) == BULK_PER_WINDOW - 1, "the statement took one slot of the window"

    # a restart: a new runtime from the same settings picks up the queue from Redis
    bridge.rt = build(bridge.rt.settings, clock)
    runtime.install(bridge.rt)
    sent_per_window = [len(replies)]
    for _ in range(4):
        clock.advance(minutes=15)
        bridge.drain(include_scheduled=True)
        now_sent = len([p for p in bridge.x.brand_posts() if p.in_reply_to])
        sent_per_window.append(now_sent - sum(sent_per_window))
    assert all(n <= BULK_PER_WINDOW for n in sent_per_window) and sum(sent_per_window) == 34
    for post_id in posts:
        number = store.case_for_post("x", post_id)
        assert number is not None
        ours = [p for p in bridge.x.replies_to(post_id) if p.author_id == bridge.x.user_id]
        assert len(ours) == 1 and ours[0].text.startswith("Hi @burst") and statements[0].id in ours[0].text
        case = store.get(number)
        assert case.state == State.POSTED and case.reply_id == ours[0].id
        assert "incident" in next(e for e in store.audit(number) if e.action == "posted").fields
    early = store.case_for_post("x", posts[0])
    assert early is not None and "Answered" in repr(bridge.card_of(early)["blocks"])

    # it calmed down meanwhile: one digest in leadership's channel
    digests = with_header(bridge, LEADERS, "Calmed down: recall")
    assert len(digests) == 1 and "Peak 34 mentions" in repr(digests[0]["blocks"])

    # status and close through the slash command; the timeline is in the audit
    status = bridge.slash("U0CEO", LEADERS, "incident status")
    assert status.status == 200
    body = status.json()["text"]
    assert "34 sent, 0 skipped" in body and statements[0].id in body and "statement_posted" in body
    closed = bridge.slash("U0CEO", LEADERS, "incident close all answered")
    assert "is closed" in closed.json()["text"]
    incident = bridge.rt.crisis.incidents.get(1)
    assert incident is not None and incident.state == IncidentState.CLOSED
    actions = [e.action for e in store.global_audit(500) if e.fields.get("incident") == "1"]
    for step in (
        "incident_started",
        "approve_statement",
        "statement_posted",
        "start_bulk",
        "bulk_done",
        "close",
    ):
        assert step in actions
