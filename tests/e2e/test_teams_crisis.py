"""Crisis mode with leadership and the department in Microsoft Teams, end to end: the real botbuilder
adapter behind ``/api/messages`` over HTTP, botbuilder's Bot Connector client against the local
stand-in, tweepy against the X stand-in, real Redis and a real RQ worker, time on a manual clock.

A burst of recall mentions raises one alert card in leadership's Teams channel and folds into one
mass-issue card in the department's; leadership acknowledges (a colleague outside it is refused),
starts the incident, edits the statement in the card, and a second leader signs it off (four eyes)
before it is posted on X.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.teams.chat import TeamsChat
from adapters.teams.registry import ChannelUnknown
from bridge.crisis.alerts import AlertState
from bridge.crisis.incident import IncidentState
from bridge.crisis.ports import CrisisChat
from bridge.domain.clock import ManualClock
from standins.bot_connector import BotConnectorStandIn
from standins.teams_harness import PEOPLE, TEAM, TENANT, LocalTeamsBridge
from tests.conftest import ROOT
from tests.e2e.conftest import running_teams
from tests.e2e.test_crisis_replay import RECALL, mention, tick
from tests.e2e.test_teams_loop import shown
from tests.support.adaptive_cards import errors, texts, titles, validator

pytestmark = pytest.mark.e2e

START = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
MAIN = ("Acme", "783214")  # the main brand account crisis-example.yml names, which posts the statement
BURST = 15  # the alert comes with the 12th (crisis-example.yml: min_mentions 12, no baseline yet)
LEADERSHIP = "19:leadership@thread.tacv2"
PRODUCT = "19:product@thread.tacv2"
INCIDENT_CHANNEL = "19:incident-recall@thread.tacv2"
INCIDENT_NAME = "incident-2025-03-03-recall"  # crisis-example.yml: incident_channel_name
#: Each department's Teams channel, experts and approvers (people of standins/teams_harness.py).
HOMES = {
    "social": ("Social desk", ["sam"], ["sue"]),
    "product": ("Product", ["erin"], ["eddie"]),
    "billing": ("Acme Care/Billing", ["erin"], ["ann"]),
    "logistics": ("Logistics", ["lou"], ["ann"]),
}
STATEMENT = "Acme kettle K200 recall: stop using it now and unplug it. Full refund or a free replacement."


def aad(*who: str) -> list[str]:
    return [PEOPLE[w].aad for w in who]


def teams_playbook(tmp_path: Path) -> Path:
    """crisis-example.yml with a Teams channel beside every Slack one, run where only Teams is
    connected: ann and sue approve for leadership, lou is a member."""
    data = yaml.safe_load((ROOT / "playbooks" / "crisis-example.yml").read_text())
    for name, department in data["departments"].items():
        channel, experts, approvers = HOMES[name]
        department.update(teams_channel=channel, experts=aad(*experts), approvers=aad(*approvers))
    data["crisis"]["leadership"] = {
        "slack_channel": "C0LEADERS",  # unused here: this deployment runs Teams only
        "teams_channel": "Leadership",
        "approvers": aad("ann", "sue"),
        "members": aad("lou"),
    }
    path = tmp_path / "teams-crisis.yml"
    path.write_text(yaml.safe_dump(data))
    return path


def create_channel(bridge: LocalTeamsBridge, channel_id: str, name: str) -> None:
    """Someone adds a channel to the team; Teams tells the bot with a conversationUpdate."""
    data = {
        "team": {"id": TEAM},
        "channel": {"id": channel_id, "name": name},
        "eventType": "channelCreated",
        "tenant": {"id": TENANT},
    }
    assert bridge.deliver(bridge.activity("conversationUpdate", "sam", TEAM, channelData=data)).status == 200


@pytest.fixture
def crisis(redis_url: str, tmp_path: Path) -> Iterator[tuple[LocalTeamsBridge, ManualClock]]:
    clock = ManualClock(START)
    with running_teams(
        teams_playbook(tmp_path), redis_url, tmp_path, clock=clock, with_slack=False, x_main_account=MAIN
    ) as bridge:
        create_channel(bridge, LEADERSHIP, "Leadership")
        create_channel(bridge, PRODUCT, "Product")
        yield bridge, clock


def burst(bridge: LocalTeamsBridge, clock: ManualClock, count: int = BURST) -> None:
    """Three recall mentions a minute, polled and worked through minute by minute."""
    for minute in range(count // 3):
        for k in range(3):
            n = minute * 3 + k
            at = START + timedelta(minutes=minute, seconds=20 * k)
            mention(bridge, RECALL.format(n=n), f"burst{n}", at, followers=1000 + n)
        tick(bridge, clock, START + timedelta(minutes=minute + 1))


def cards(bridge: LocalTeamsBridge, channel: str, title: str) -> list[tuple[str, dict[str, Any]]]:
    """(message id, card) of the bridge's posts in a channel whose title starts with ``title``, as
    they read now (updates included)."""
    found = []
    for activity in bridge.connector.posts(channel):
        card = BotConnectorStandIn.card_of(activity)
        if card is not None and str(card["body"][0]["text"]).startswith(title):
            found.append((str(activity["id"]), card))
    return found


def messages(bridge: LocalTeamsBridge, channel: str) -> list[str]:
    return [str(a.get("text") or "") for a in bridge.connector.posts(channel) if a.get("text")]


def click(
    bridge: LocalTeamsBridge,
    who: str,
    channel: str,
    posted: tuple[str, dict[str, Any]],
    verb: str,
    **data: Any,
) -> dict[str, Any]:
    """Click a button on a posted card (or on the clicker's copy of it: the edit form) as Teams sends
    it, the card's inputs in ``data``; the card the clicker now sees."""
    message_id, card = posted
    button = next(a for a in executes(card) if a["verb"] == verb)
    payload = {**button["data"], **data}
    answer = bridge.invoke(who, f"{channel};messageid={message_id}", verb, payload, reply_to=message_id)
    return shown(answer)


def executes(card: Any) -> list[dict[str, Any]]:
    """Every Action.Execute on a card, the edit form's buttons included."""
    if isinstance(card, list):
        return [a for item in card for a in executes(item)]
    if not isinstance(card, dict):
        return []
    found = [card] if card.get("type") == "Action.Execute" else []
    return found + [a for key in ("body", "actions", "items") for a in executes(card.get(key))]


def said(card: dict[str, Any]) -> str:
    """The line the core's answer left on the clicker's copy of the card ("" when none)."""
    lines = [b for b in card["body"] if b.get("type") == "TextBlock" and b.get("color")]
    return str(lines[-1]["text"]) if lines else ""


def test_a_recall_burst_in_teams_ends_in_a_four_eyes_statement_posted_on_x(
    crisis: tuple[LocalTeamsBridge, ManualClock],
) -> None:
    bridge, clock = crisis
    checker = validator()
    create_channel(bridge, INCIDENT_CHANNEL, INCIDENT_NAME)  # made ahead: Teams bots cannot create one
    burst(bridge, clock)

    # one alert card in leadership's channel; the burst folds into one mass card in the department's
    alerts = cards(bridge, LEADERSHIP, "Crisis alert")
    assert len(alerts) == 1, "exactly one alert for the whole burst"
    alert = alerts[0]
    shown_alert = texts(alert[1])
    assert "Crisis alert: recall" in shown_alert and "mentions of recall in the last 15 min" in shown_alert
    assert not errors(checker, alert[1])
    assert titles(alert[1]) == ["Acknowledge", "Start incident", "Dismiss"]
    case_cards = cards(bridge, PRODUCT, "Case #")
    mass = cards(bridge, PRODUCT, "Mass issue")
    assert len(case_cards) == 11 and len(mass) == 1
    assert "Mass issue: recall · 4 mentions" in texts(mass[0][1]) and not errors(checker, mass[0][1])

    # acknowledge: refused to someone outside leadership, done for a member, the card updated in place
    refused = click(bridge, "erin", LEADERSHIP, alert, "crisis_ack")
    assert "Only leadership may acknowledge alerts" in said(refused) and "Ann Approver" in said(refused)
    assert titles(refused) == ["Acknowledge", "Start incident", "Dismiss"]
    record = bridge.rt.crisis.alerts.get(1)
    assert record is not None and record.state == AlertState.OPEN, "nothing changed"
    acknowledged = click(bridge, "lou", LEADERSHIP, alert, "crisis_ack")
    assert said(acknowledged) == "You acknowledged the recall alert."
    assert "Acknowledged by **Lou Logistics**" in texts(acknowledged)
    bridge.drain()
    alert = cards(bridge, LEADERSHIP, "Crisis alert")[0]
    assert bridge.connector.edits(alert[0]) >= 1 and titles(alert[1]) == ["Start incident", "Dismiss"]
    assert "Acknowledged by **Lou Logistics**" in texts(alert[1])

    # start the incident: its channel is the one made ahead, the statement goes to leadership
    started = click(bridge, "lou", LEADERSHIP, alert, "crisis_start_incident")
    assert "Incident 1 started for recall" in said(started) and titles(started) == []
    bridge.drain()
    kickoff = cards(bridge, INCIDENT_CHANNEL, "Incident 1: recall")
    assert len(kickoff) == 1 and "Started by **Lou Logistics**" in texts(kickoff[0][1])
    assert "Mass issue: recall · 15 mentions" in texts(cards(bridge, INCIDENT_CHANNEL, "Mass issue")[0][1])
    assert any(f"its channel is #Acme Care/{INCIDENT_NAME}" in m for m in messages(bridge, LEADERSHIP))
    previews = cards(bridge, LEADERSHIP, "Statement for sign-off")
    assert len(previews) == 1 and titles(previews[0][1]) == ["Approve", "Edit"]
    assert not errors(checker, previews[0][1])

    # a leader edits it in the card: the input holds the current text; Save makes v2
    opened = click(bridge, "sue", LEADERSHIP, previews[0], "crisis_edit_statement")
    assert not errors(checker, opened)
    field = next(e for e in opened["body"] if e["type"] == "Input.Text")
    assert "on the recall" in field["value"] and field["isMultiline"] is True
    nobody = click(bridge, "erin", LEADERSHIP, previews[0], "crisis_edit_statement")
    assert "Only leadership may edit the statement" in said(nobody)
    assert not [e for e in nobody["body"] if e["type"] == "Input.Text"]
    saved = click(
        bridge, "sue", LEADERSHIP, (previews[0][0], opened), "crisis_save_statement", text=STATEMENT
    )
    assert "Saved v2 of the statement" in said(saved)
    bridge.drain()
    previews = cards(bridge, LEADERSHIP, "Statement for sign-off")
    assert len(previews) == 2 and "**Draft v2** by **Sue Social**" in texts(previews[1][1])

    # four eyes: the editor cannot approve her own version; an old version cannot be approved
    own = click(bridge, "sue", LEADERSHIP, previews[1], "crisis_approve_statement")
    assert "Four eyes" in said(own)
    old = click(bridge, "ann", LEADERSHIP, previews[0], "crisis_approve_statement")
    assert "newer version (v2)" in said(old)
    bridge.drain()
    assert bridge.x.posts_by(MAIN[0]) == []
    approved = click(bridge, "ann", LEADERSHIP, previews[1], "crisis_approve_statement")
    assert said(approved) == "You approved statement v2 of incident 1."
    bridge.drain()
    statements = [p for p in bridge.x.posts_by(MAIN[0]) if p.in_reply_to is None]
    assert [p.text for p in statements] == [STATEMENT], "posted once, as a post of its own"
    assert [p for p in bridge.x.brand_posts() if p.in_reply_to is None] == [], "not from the care handle"
    incident = bridge.rt.crisis.incidents.get(1)
    assert incident is not None and incident.state == IncidentState.STATEMENT_POSTED
    assert any("Statement posted from" in m and statements[0].id in m for m in messages(bridge, LEADERSHIP))

    # the bulk reply follows in the incident channel, for sign-off there
    bulk = cards(bridge, INCIDENT_CHANNEL, "Bulk reply for sign-off")
    assert len(bulk) == 1 and titles(bulk[0][1]) == ["Approve and send", "Edit"]
    assert not errors(checker, bulk[0][1])


def test_without_a_channel_of_its_own_the_incident_runs_in_leaderships_channel_and_says_why(
    crisis: tuple[LocalTeamsBridge, ManualClock],
) -> None:
    bridge, clock = crisis
    burst(bridge, clock)
    alert = cards(bridge, LEADERSHIP, "Crisis alert")[0]
    assert "Incident 1 started" in said(click(bridge, "ann", LEADERSHIP, alert, "crisis_start_incident"))
    bridge.drain()
    notes = messages(bridge, LEADERSHIP)
    assert any("Teams does not let the bridge create channels" in m and INCIDENT_NAME in m for m in notes)
    assert any("its channel is #Leadership" in m for m in notes)
    assert len(cards(bridge, LEADERSHIP, "Incident 1: recall")) == 1
    assert len(cards(bridge, LEADERSHIP, "Statement for sign-off")) == 1
    incident = bridge.rt.crisis.incidents.get(1)
    assert incident is not None and (incident.chat, incident.channel) == ("teams", "Leadership")


def test_malformed_or_unknown_crisis_invokes_are_refused_with_400(
    crisis: tuple[LocalTeamsBridge, ManualClock],
) -> None:
    bridge, _clock = crisis
    where = f"{LEADERSHIP};messageid=1"
    for verb, data in (
        ("crisis_ack", {}),
        ("crisis_ack", {"value": "alert three"}),
        ("crisis_approve_statement", {"value": "1:x"}),
        ("crisis_launch", {"value": "1"}),
    ):
        answer = bridge.invoke("ann", where, verb, data)
        assert answer.status == 400, (verb, data, answer.text)
        assert answer.json()["type"] == "application/vnd.microsoft.error"
    gone = bridge.invoke("ann", where, "crisis_ack", {"value": "99"})
    assert gone.status == 200 and gone.json()["value"] == "There is no crisis alert 99."


def test_teams_speaks_the_crisis_port_and_without_a_teams_leadership_channel_says_what_to_do(
    crisis: tuple[LocalTeamsBridge, ManualClock],
) -> None:
    bridge, _clock = crisis
    chat = bridge.rt.chats["teams"]
    assert isinstance(chat, CrisisChat) and isinstance(chat, TeamsChat)
    assert chat.open_channel("Product") == "Acme Care/Product", "a channel the bridge knows, by name"
    chat.crisis_home = lambda: ""
    with pytest.raises(ChannelUnknown, match="Teams bots cannot create channels"):
        chat.open_channel(INCIDENT_NAME)
