"""A case lives in a chat platform this deployment runs: a department with both a ``slack_channel`` and a
``teams_channel`` works in Teams when only Teams is configured and in Slack when only Slack is, a route
between departments keeps to configured platforms, and start-up names the departments whose channels
are in a platform that is not configured. Real botbuilder and Slack stand-ins over HTTP, real Redis,
a real RQ worker, and the real ``bridge worker`` process."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.cards import ACTION_IDS
from bridge.domain.errors import Rejected
from bridge.domain.lifecycle import State
from standins.bot_connector import BotConnectorStandIn
from standins.harness import LocalBridge
from standins.teams_harness import BOT, BOT_NAME, LocalTeamsBridge
from tests.conftest import running_bridge
from tests.e2e.conftest import TEAMS_PLAYBOOK, running_teams
from tests.e2e.test_concierge_loop import REFUND
from tests.e2e.test_processes import environment
from tests.e2e.test_teams_loop import shown
from tests.support.adaptive_cards import texts

pytestmark = pytest.mark.e2e

PARCEL = "@AcmeHelp where is my parcel? tracking is empty"
PALLET = "@AcmeHelp the pallet you delivered is broken"
LOGISTICS = "19:logistics@thread.tacv2"
#: A department that works only in Slack, beside teams.yml's Teams-only and both-chats ones.
WAREHOUSE = "  warehouse:\n    slack_channel: C0WARE\n    keywords: [pallet]\n"


@pytest.fixture
def playbook(tmp_path: Path) -> Path:
    path = tmp_path / "teams-and-slack.yml"
    path.write_text(TEAMS_PLAYBOOK.read_text(encoding="utf-8") + WAREHOUSE, encoding="utf-8")
    return path


@pytest.fixture
def teams_only(redis_url: str, tmp_path: Path, playbook: Path) -> Iterator[LocalTeamsBridge]:
    with running_teams(playbook, redis_url, tmp_path, with_slack=False) as bridge:
        yield bridge


@pytest.fixture
def slack_only(redis_url: str, tmp_path: Path, playbook: Path) -> Iterator[LocalBridge]:
    with running_bridge(playbook, redis_url, tmp_path) as bridge:
        yield bridge


def open_case(bridge: LocalBridge, text: str, handle: str = "maria_k") -> int:
    post_id = bridge.x.add_mention(text, author_handle=handle, author_name=handle.title())
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post_id)
    assert number is not None
    return number


def route_by_mention(bridge: LocalTeamsBridge, who: str, number: int, department: str) -> None:
    tag = f"<at>{BOT_NAME}</at>"
    bot = {"type": "mention", "text": tag, "mentioned": {"id": BOT, "name": BOT_NAME}}
    answer, _ = bridge.reply(who, number, f"{tag} route {number} {department}", entities=[bot])
    assert answer.status == 200
    bridge.drain()


# Teams only ---------------------------------------------------------------------------------------------
def test_teams_only_a_department_with_both_channels_gets_its_card_in_teams(
    teams_only: LocalTeamsBridge,
) -> None:
    assert sorted(teams_only.rt.chats) == ["teams"]
    number = open_case(teams_only, PARCEL, handle="tom")
    case = teams_only.rt.store.get(number)
    assert (case.department, case.chat, case.channel) == ("logistics", "teams", LOGISTICS)
    assert [c.conversation for c in teams_only.connector.calls_to("send")] == [LOGISTICS]
    assert teams_only.slack.calls_to("chat.postMessage") == []
    assert "You claimed" in texts(shown(teams_only.execute("lou", number, "case_claim")))
    assert teams_only.rt.store.get(number).state == State.CLAIMED


def test_teams_only_a_new_case_knows_its_teams_home_before_its_card_is_posted(
    teams_only: LocalTeamsBridge,
) -> None:
    """A mass-issue card can fold a case before its own card exists: its home must be right at once."""
    post_id = teams_only.x.add_mention(PARCEL, author_handle="tom", author_name="Tom")
    teams_only.poll()  # ingested, no job run yet
    number = teams_only.rt.store.case_for_post("x", post_id)
    assert number is not None
    case = teams_only.rt.store.get(number)
    assert (case.chat, case.channel, case.card_ts) == ("teams", LOGISTICS, "")


def test_teams_only_routing_into_a_department_with_both_channels_stays_in_teams(
    teams_only: LocalTeamsBridge,
) -> None:
    number = open_case(teams_only, REFUND)  # billing, Teams only
    route_by_mention(teams_only, "erin", number, "logistics")
    case = teams_only.rt.store.get(number)
    assert (case.department, case.chat, case.channel) == ("logistics", "teams", LOGISTICS)
    assert teams_only.connector.conversation_of(case.card_ts) == LOGISTICS
    assert teams_only.slack.calls_to("chat.postMessage") == []


def test_teams_only_a_slack_only_department_keeps_the_card_where_it_is_and_says_why(
    teams_only: LocalTeamsBridge,
) -> None:
    number = open_case(teams_only, REFUND)
    card_ts = teams_only.rt.store.get(number).card_ts
    route_by_mention(teams_only, "erin", number, "warehouse")
    teams_only.rt.dispatch.refresh_card(number)  # a later change: the reason is not repeated
    teams_only.drain()
    case = teams_only.rt.store.get(number)
    assert (case.department, case.chat, case.card_ts) == ("warehouse", "teams", card_ts)
    said = [m.get("text") or "" for m in teams_only.thread(number)]
    reason = (
        f"\\#{number} stays here: department warehouse has a slack\\_channel, but this bridge runs teams."
    )
    assert [t for t in said if "stays here" in t] == [reason]
    assert "warehouse" in texts(teams_only.card(number))
    assert teams_only.slack.calls_to("chat.postMessage") == []


def test_teams_only_a_new_case_of_a_slack_only_department_fails_with_the_reason(
    teams_only: LocalTeamsBridge,
) -> None:
    post_id = teams_only.x.add_mention(PALLET, author_handle="pat", author_name="Pat")
    teams_only.poll()
    teams_only.drain()
    number = teams_only.rt.store.case_for_post("x", post_id)
    assert number is not None and teams_only.rt.store.get(number).card is None
    assert teams_only.scheduled() == [], "refused for good: no retries that cannot succeed"
    refused_event = [e for e in teams_only.rt.store.audit(number) if e.action == "card_refused"]
    assert refused_event and "department warehouse has a slack_channel" in refused_event[0].fields["error"]
    with pytest.raises(Rejected) as refused:
        teams_only.rt.chat_updates.post_card(number)
    assert str(refused.value) == (
        f"#{number} cannot be posted: department warehouse has a slack_channel, but this bridge runs teams."
    )


# Slack only ---------------------------------------------------------------------------------------------
def test_slack_only_a_department_with_both_channels_gets_its_card_in_slack(slack_only: LocalBridge) -> None:
    number = open_case(slack_only, PARCEL, handle="tom")
    case = slack_only.rt.store.get(number)
    assert (case.department, case.chat, case.channel) == ("logistics", "slack", "C0LOGIST")
    assert [c.params["channel"] for c in slack_only.slack.calls_to("chat.postMessage")] == ["C0LOGIST"]


def test_slack_only_routing_to_a_teams_only_department_keeps_the_card_in_slack(
    slack_only: LocalBridge,
) -> None:
    number = open_case(slack_only, PARCEL, handle="tom")
    card_ts = slack_only.rt.store.get(number).card_ts
    assert slack_only.slash("U0LOG1", "C0LOGIST", f"route {number} billing").status == 200
    slack_only.drain()
    case = slack_only.rt.store.get(number)
    assert (case.department, case.chat, case.card_ts) == ("billing", "slack", card_ts)
    said = [m.get("text") or "" for m in slack_only.slack.thread("C0LOGIST", card_ts)]
    assert (
        f"#{number} stays here: department billing has a teams_channel, but this bridge runs slack." in said
    )


# start-up -------------------------------------------------------------------------------------------------
def test_a_worker_names_departments_whose_channels_are_in_an_unconfigured_chat(
    redis_url: str, tmp_path: Path, playbook: Path
) -> None:
    env = environment(redis_url, tmp_path, SLACK_BOT_TOKEN="xoxb-test-token", BRIDGE_PLAYBOOK=str(playbook))
    done = subprocess.run(
        [sys.executable, "-m", "bridge.cli", "worker", "--burst"], env=env, capture_output=True, timeout=60
    )
    output = (done.stdout + done.stderr).decode()
    assert done.returncode == 0, output
    warnings = [line for line in output.splitlines() if "playbook_channels_in_unconfigured_chat" in line]
    assert len(warnings) == 1, output
    warning = json.loads(warnings[0])  # JSON lines: the log format outside a terminal
    assert warning["chat"] == "teams" and warning["departments"] == ["billing", "logistics", "social"]
    assert warning["stranded"] == ["billing", "social"]
    assert "TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID" in warnings[0]


def test_playbook_check_reads_the_file_alone_and_does_not_warn(playbook: Path) -> None:
    env = environment("redis://127.0.0.1:1/0", playbook.parent)
    done = subprocess.run(
        [sys.executable, "-m", "bridge.cli", "playbook", "check", str(playbook)],
        env=env,
        capture_output=True,
        timeout=60,
    )
    output = (done.stdout + done.stderr).decode()
    assert done.returncode == 0 and f"{playbook}: OK (Acme, 4 departments)" in output
    assert "unconfigured_chat" not in output


def test_teams_only_the_reassign_picker_offers_only_departments_with_a_teams_channel(
    teams_only: LocalTeamsBridge,
) -> None:
    open_case(teams_only, PARCEL, handle="tom")
    activity = teams_only.connector.calls_to("send")[-1].body
    card = BotConnectorStandIn.card_of(activity)
    pickers = [e for e in walk(card) if e.get("id") == "department"]
    assert [[c["value"] for c in p["choices"]] for p in pickers] == [["billing", "logistics", "social"]]


def test_slack_only_the_reassign_picker_offers_only_departments_with_a_slack_channel(
    slack_only: LocalBridge,
) -> None:
    number = open_case(slack_only, PARCEL, handle="tom")
    assert slack_only.click("U0LOG1", number, ACTION_IDS["reassign"]).status == 200
    modal = slack_only.slack.calls_to("views.open")[-1].params["view"]
    options = [o["value"] for b in modal["blocks"] for o in (b.get("element") or {}).get("options", [])]
    assert options == ["logistics", "warehouse"], "billing and social have Teams channels only"


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in a card, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)
