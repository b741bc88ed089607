"""Teams at the protocol level: real recorded traffic, bad input, commands by @mention, Teams' rate
limits, and Bot Framework authentication — the real botbuilder adapter over HTTP throughout."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bridge.app.settings import Settings
from bridge.domain.errors import ConfigurationError
from bridge.wiring import build
from standins.teams_harness import PEOPLE, LocalTeamsBridge
from tests.conftest import shared_data
from tests.e2e.conftest import TEAMS_PLAYBOOK, running_teams
from tests.e2e.test_concierge_loop import open_case
from tests.e2e.test_teams_loop import shown
from tests.support.adaptive_cards import errors, texts, titles, validator

pytestmark = pytest.mark.e2e

APP_ID = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def secured(redis_url: str, tmp_path: Path) -> Iterator[LocalTeamsBridge]:
    with running_teams(
        TEAMS_PLAYBOOK, redis_url, tmp_path, install=False, app_id=APP_ID, app_password="s3cret"
    ) as bridge:
        yield bridge


def answers_in(bridge: LocalTeamsBridge, conversation: str) -> list[dict[str, Any]]:
    """What the bridge posted into a conversation (a thread, a channel or a chat)."""
    return [c.body for c in bridge.connector.calls if c.conversation == conversation and c.body]


def say(bridge: LocalTeamsBridge, who: str, text: str) -> str:
    assert bridge.mention(who, text).status == 200
    bridge.drain()
    said = answers_in(bridge, bridge.last_thread)
    assert said, f"no answer to {text!r}"
    return str(said[-1].get("text") or "")


# recorded traffic and bad input -------------------------------------------------------------------------
def test_every_recorded_teams_activity_is_handled_without_a_server_error(teams: LocalTeamsBridge) -> None:
    folder = shared_data("teams", "recorded-activities", "recordings")
    statuses: dict[str, int] = {}
    for path in sorted(folder.glob("*-request-*.json")):
        body = json.loads(path.read_text())["body"]
        body["serviceUrl"] = teams.service_url  # answers go to the stand-in, not to Microsoft
        answer = teams.deliver(body)
        statuses[path.name] = answer.status
        expected = 400 if body["type"] == "invoke" else 200  # the app offers no extensions or task modules
        assert answer.status == expected, (path.name, answer.status, answer.text)
    assert len(statuses) >= 40
    teams.drain()
    assert teams.rt.queue.failed_job_registry.count == 0


MALFORMED: list[tuple[str, bytes]] = [
    ("not json", b"{type: message"),
    ("not an object", b"[1, 2]"),
    ("no type", json.dumps({"serviceUrl": "https://x/"}).encode()),
    ("unknown type", json.dumps({"type": "bogus", "serviceUrl": "https://x/"}).encode()),
    (
        "no serviceUrl",
        json.dumps({"type": "message", "conversation": {"id": "c"}, "from": {"id": "u"}}).encode(),
    ),
    ("from a string", json.dumps({"type": "message", "serviceUrl": "https://x/", "from": "me"}).encode()),
    (
        "bad timestamp",
        json.dumps(
            {
                "type": "message",
                "serviceUrl": "https://x/",
                "conversation": {"id": "c"},
                "from": {"id": "u"},
                "timestamp": "yesterday",
            }
        ).encode(),
    ),
]


@pytest.mark.parametrize(("why", "raw"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_or_unknown_activities_get_a_400(teams: LocalTeamsBridge, why: str, raw: bytes) -> None:
    assert teams.deliver(raw).status == 400


def test_broken_card_actions_get_a_400_and_unknown_cases_a_message(teams: LocalTeamsBridge) -> None:
    thread = "19:billing@thread.tacv2;messageid=1"
    no_case = teams.invoke("erin", thread, "case_claim", {})
    assert no_case.status == 400 and no_case.json()["type"] == "application/vnd.microsoft.error"
    assert teams.invoke("erin", thread, "launch_rockets", {"case": 1}).status == 400
    gone = teams.invoke("erin", thread, "case_claim", {"case": 99999})
    assert gone.status == 200 and gone.json()["value"] == "There is no case #99999."
    no_value = teams.activity("invoke", "erin", thread, name="adaptiveCard/action")
    assert teams.deliver(no_value).status == 400
    other = teams.activity("invoke", "erin", thread, name="composeExtension/query", value={})
    assert teams.deliver(other).status == 400


# commands by @mention ------------------------------------------------------------------------------------
def test_help_lists_the_commands_written_for_teams(teams: LocalTeamsBridge) -> None:
    said = say(teams, "sam", "help")
    assert said.startswith("**@Bridge** commands:") and "`route 1042 billing`" in said


def test_route_status_and_queue_by_mention(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    assert f"#{number} is now with social" in say(teams, "sam", f"route {number} social")
    case = teams.rt.store.get(number)
    assert case.department == "social" and case.channel == "Social desk"
    assert f"#{number} · routed · social" in say(teams, "sam", f"status {number}")
    assert "Open cases in social: 1" in say(teams, "sam", "queue social")
    assert "Unknown command 'dance'" in say(teams, "sam", "dance")


def test_a_command_in_a_cards_thread_is_a_command_not_a_draft(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    shown(teams.execute("erin", number, "case_claim"))
    tag = "<at>Bridge</at>"
    mention = {"type": "mention", "text": tag, "mentioned": {"id": "28:00000000-0000-4000-8000-0000000b0771"}}
    teams.reply("erin", number, f"{tag} status {number}", entities=[mention])
    teams.drain()
    assert teams.rt.store.get(number).draft_version == 0
    assert any(f"#{number} · claimed" in (m.get("text") or "") for m in teams.thread(number))


def test_a_message_in_a_personal_chat_is_a_command(teams: LocalTeamsBridge) -> None:
    assert teams.personal("erin", "queue").status == 200
    teams.drain()
    chat = f"a:chat-{PEOPLE['erin'].account}"
    assert [b.get("text") for b in answers_in(teams, chat)] == ["No open cases."]


def test_mute_is_confirmed_in_a_card_first(teams: LocalTeamsBridge) -> None:
    troll = teams.x.add_user("troll_77", "Troll")
    say(teams, "sam", "mute @troll_77")
    card = teams.connector.card_of(answers_in(teams, teams.last_thread)[-1])
    assert card is not None and titles(card) == ["Mute", "Cancel"] and "Mute @troll\\_77?" in texts(card)
    assert troll not in teams.x.muted_user_ids
    data = {"action": "mute", "target": "troll_77"}
    forged = teams.invoke("erin", teams.last_thread, "confirm_action", data)  # not on the social team
    assert "Not done" in forged.json()["value"]
    done = teams.invoke("sam", teams.last_thread, "confirm_action", data)
    assert done.json()["value"] == "Mute of troll_77 is on its way."
    teams.drain()
    assert troll in teams.x.muted_user_ids


# Teams' limits ---------------------------------------------------------------------------------------------
def test_a_short_retry_after_is_waited_out_and_the_card_posted_once(teams: LocalTeamsBridge) -> None:
    teams.connector.fail("send", 429, retry_after=1)
    started = time.monotonic()
    number = open_case(teams)
    assert time.monotonic() - started >= 1.0
    sends = teams.connector.calls_to("send")
    assert len(sends) == 2 and teams.connector.posts("19:billing@thread.tacv2")
    assert teams.rt.store.get(number).card_ts


def test_a_long_retry_after_leaves_the_job_to_retry_later(teams: LocalTeamsBridge) -> None:
    teams.connector.fail("send", 429, retry_after=120)
    started = time.monotonic()
    number = open_case(teams)
    assert time.monotonic() - started < 30  # not waited out inside the job: RQ retries it later
    assert teams.rt.store.get(number).card is None and teams.scheduled_count() == 1
    assert len(teams.connector.calls_to("send")) == 1
    teams.drain(include_scheduled=True)
    assert teams.rt.store.get(number).card is not None
    assert len(teams.connector.posts("19:billing@thread.tacv2")) == 1


def test_a_server_error_on_update_is_retried(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    teams.connector.fail("update", 503)
    shown(teams.execute("erin", number, "case_claim"))
    teams.drain(include_scheduled=True)
    assert "Claimed by **Erin Expert**" in texts(teams.card(number))


# authentication ---------------------------------------------------------------------------------------------
def test_without_a_valid_bot_framework_token_requests_get_401(secured: LocalTeamsBridge) -> None:
    auth = secured.auth
    assert auth is not None
    activity = secured.activity("message", "erin", "19:billing@thread.tacv2;messageid=1", text="hello")
    for token in (
        "",
        "not-a-jwt",
        auth.channel_token(secured.service_url, audience="another-app"),
        auth.channel_token("https://evil.example/amer/"),
        auth.channel_token(secured.service_url, lifetime_seconds=-3600),
    ):
        assert secured.deliver(activity, token=token).status == 401, token
    assert secured.deliver(activity).status == 200  # signed by the keys the metadata names
    foreign = {**activity, "channelData": {**activity["channelData"], "tenant": {"id": "another-tenant"}}}
    assert secured.deliver(foreign).status == 403


def test_tokens_signed_with_rotated_keys_are_accepted(secured: LocalTeamsBridge) -> None:
    activity = secured.activity("message", "erin", "19:billing@thread.tacv2;messageid=1", text="hello")
    assert secured.deliver(activity).status == 200
    assert secured.auth is not None
    secured.auth.rotate_keys()  # the bot has the old key cached; the new one must be fetched
    assert secured.deliver(activity).status == 200


def test_an_authenticated_bridge_runs_the_loop_and_every_outbound_call_carries_a_token(
    secured: LocalTeamsBridge,
) -> None:
    assert secured.install().status == 200
    number = open_case(secured)
    shown(secured.execute("erin", number, "case_claim"))
    secured.drain()
    calls = secured.connector.calls
    assert {c.operation for c in calls} >= {"channels", "members", "send", "update"}
    assert secured.auth is not None and all(secured.auth.valid(c.authorization) for c in calls)


def test_an_app_id_without_password_or_tenant_is_refused_at_start(redis_url: str, tmp_path: Path) -> None:
    settings = Settings(
        redis_url=redis_url, bridge_data_dir=tmp_path, bridge_playbook=TEAMS_PLAYBOOK, teams_app_id=APP_ID
    )
    with pytest.raises(ConfigurationError, match="TEAMS_APP_PASSWORD"):
        build(settings)


def test_the_report_comes_as_a_card_with_its_chart_inline(teams: LocalTeamsBridge) -> None:
    assert teams.mention("sam", "report 7d").status == 200
    teams.drain()
    sent = answers_in(teams, teams.last_thread)[-1]
    card = sent["attachments"][0]["content"]
    assert "Desk report · all departments · last 7 days" in texts(card)
    image = next(item for item in card["body"] if item["type"] == "Image")
    assert image["url"].startswith("data:image/png;base64,") and image["altText"].startswith("Cases per day")
    assert "First response (human reply)" in json.dumps(card, ensure_ascii=False)
    assert errors(validator(), card) == []
