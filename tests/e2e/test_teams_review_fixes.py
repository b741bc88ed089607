"""Fixes from a review of the Teams adapter, end to end: renamed channels, edited commands, who sees
Approve on a draft, private notes under rate limits, activities delivered twice, auth before anything,
long replies and links in parentheses."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.teams import http as teams_http
from adapters.teams.chat import TeamsChat
from adapters.teams.registry import TeamsRegistry
from bridge.domain.errors import RateLimited, Unavailable
from standins.teams_harness import BOT, BOT_NAME, PEOPLE, TEAM, TENANT, LocalTeamsBridge
from tests.e2e.conftest import TEAMS_PLAYBOOK, running_teams
from tests.e2e.test_concierge_loop import open_case
from tests.e2e.test_teams_loop import drafted, previews, shown
from tests.support.adaptive_cards import texts, titles

pytestmark = pytest.mark.e2e

BILLING = "19:billing@thread.tacv2"


def teams_chat(bridge: LocalTeamsBridge) -> TeamsChat:
    chat = bridge.rt.chats["teams"]
    assert isinstance(chat, TeamsChat)
    return chat


def channel_event(bridge: LocalTeamsBridge, event: str, **data: Any) -> None:
    channel_data = {"team": {"id": TEAM}, "eventType": event, "tenant": {"id": TENANT}, **data}
    assert (
        bridge.deliver(bridge.activity("conversationUpdate", "sam", TEAM, channelData=channel_data)).status
        == 200
    )
    bridge.drain()


# 1. renames -------------------------------------------------------------------------------------------
def test_a_case_for_a_renamed_channel_still_gets_its_card(teams: LocalTeamsBridge) -> None:
    channel_event(teams, "channelRenamed", channel={"id": BILLING, "name": "Billing EU"})
    channel_event(teams, "teamRenamed", team={"id": TEAM, "name": "Acme Support"})
    number = open_case(teams)
    case = teams.rt.store.get(number)
    assert case.card_ts and case.channel == "Acme Care/Billing"
    assert [c.conversation for c in teams.connector.calls_to("send")] == [BILLING]


def test_a_channel_nobody_knows_fails_the_post_for_good_saying_why(teams: LocalTeamsBridge) -> None:
    from bridge.domain.errors import Rejected

    registry = TeamsRegistry(teams.rt.redis, teams.rt.settings.bridge_key_prefix)
    channel_event(teams, "channelDeleted", channel={"id": BILLING, "name": "Billing"})
    assert not [c for c in registry.channels() if c.id == BILLING]
    number = open_case(teams)
    assert teams.rt.store.get(number).card is None
    with pytest.raises(Rejected, match="'Acme Care/Billing' is unknown"):
        teams.rt.chat_updates.post_card(number)
    refused = [e for e in teams.rt.store.audit(number) if e.action == "card_refused"]
    assert refused and "is unknown" in refused[0].fields["error"], "the job said why and stopped"
    retries = [job.func_name for job in teams.scheduled()]
    assert "bridge.app.jobs.post_card" not in retries, "no retry of a post that cannot succeed"
    timers = [job.args for job in teams.scheduled(timers=True)]
    assert (number, "deadline") in timers, "the SLA alert will still tell the social team"


# 2. edited commands -----------------------------------------------------------------------------------
def bot_mention() -> dict[str, Any]:
    return {"type": "mention", "text": f"<at>{BOT_NAME}</at>", "mentioned": {"id": BOT, "name": BOT_NAME}}


def test_an_edited_command_in_a_cards_thread_is_no_draft(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    assert teams.execute("erin", number, "case_claim").status == 200
    answer, command = teams.reply(
        "erin", number, f"<at>{BOT_NAME}</at> status {number}", entities=[bot_mention()]
    )
    assert answer.status == 200
    teams.drain()
    sent = len(teams.connector.calls)
    assert teams.edit(command, f"<at>{BOT_NAME}</at> status {number} please").status == 200
    teams.drain()
    assert not teams.rt.store.get(number).draft_version
    assert len(teams.connector.calls) == sent


# 3. who sees Approve on a draft preview ------------------------------------------------------------------
def test_the_posted_preview_has_no_buttons_and_refreshes_for_approvers_and_author(
    teams: LocalTeamsBridge,
) -> None:
    number = drafted(teams)
    preview = previews(teams, number)[-1]
    assert titles(preview) == [] and "Waiting for sign-off by **Ann Approver**" in texts(preview)
    assert set(preview["refresh"]["userIds"]) == {PEOPLE["ann"].account, PEOPLE["erin"].account}
    data = {"case": number, "version": 1}
    assert titles(shown(teams.execute("ann", number, "preview_refresh", data))) == [
        "Approve",
        "Request changes",
    ]
    for outsider in ("eddie", "sam", "erin"):
        assert titles(shown(teams.execute(outsider, number, "preview_refresh", data))) == []


def test_an_author_who_approves_sees_no_approve_on_their_own_draft(redis_url: str, tmp_path: Path) -> None:
    playbook = tmp_path / "teams.yml"
    playbook.write_text(
        TEAMS_PLAYBOOK.read_text().replace(
            'approvers: ["00000000-0000-4000-8000-00000000a001"]',
            f'approvers: ["00000000-0000-4000-8000-00000000a001", "{PEOPLE["erin"].aad}"]',
        )
    )
    with running_teams(playbook, redis_url, tmp_path) as teams:
        number = drafted(teams)
        preview = previews(teams, number)[-1]
        assert {PEOPLE["ann"].account, PEOPLE["erin"].account} <= set(preview["refresh"]["userIds"])
        data = {"case": number, "version": 1}
        erins = shown(teams.execute("erin", number, "preview_refresh", data))
        assert titles(erins) == [] and "a second person approves your draft" in texts(erins)
        assert titles(shown(teams.execute("ann", number, "preview_refresh", data))) == [
            "Approve",
            "Request changes",
        ]


def test_a_big_desks_refresh_list_stays_within_teams_limit(teams: LocalTeamsBridge) -> None:
    from adapters.teams.people import TeamsPeople
    from bridge.domain.ports import DraftPreview

    people = TeamsPeople(teams.rt.redis, teams.rt.settings.bridge_key_prefix)
    approvers = [f"00000000-0000-4000-8000-{n:012d}" for n in range(70)]
    for n, aad in enumerate(approvers):
        people.remember(f"29:approver-{n}", aad, f"Approver {n}")
    number = drafted(teams)
    preview = DraftPreview(number, 1, "Hi", PEOPLE["erin"].aad, "2/280", True, tuple(approvers))
    card_ref = teams.rt.store.get(number).card
    assert card_ref is not None
    teams_chat(teams).post_preview(card_ref, preview)
    card = previews(teams, number)[-1]
    assert len(card["refresh"]["userIds"]) == 60 and titles(card) == []


# 4. private notes under a rate limit or an outage --------------------------------------------------------
@pytest.mark.parametrize(("status", "error"), [(429, RateLimited), (503, Unavailable)])
def test_a_throttled_private_note_is_retried_not_said_in_the_channel(
    teams: LocalTeamsBridge, status: int, error: type[Exception]
) -> None:
    number = open_case(teams)
    thread = teams.card_thread(number)
    before = len(teams.connector.calls)
    teams.connector.fail("create", status, retry_after=120)
    with pytest.raises(error):
        teams.rt.chats["teams"].tell(thread, PEOPLE["erin"].aad, "Only the claimant drafts.")
    assert [c.operation for c in teams.connector.calls[before:]] == ["create"]


def test_a_refused_private_note_is_said_in_the_channel_instead(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    thread = teams.card_thread(number)
    before = len(teams.connector.calls)
    teams.connector.fail("create", 403)
    teams.rt.chats["teams"].tell(thread, PEOPLE["erin"].aad, "Only the claimant drafts.")
    said = teams.connector.calls[before:]
    assert [c.operation for c in said] == ["create", "reply"]
    assert "Only the claimant drafts." in said[-1].body["text"]


# 5. the same activity delivered twice ---------------------------------------------------------------------
def test_a_message_or_edit_delivered_twice_makes_one_draft_version(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    shown(teams.execute("erin", number, "case_claim"))
    answer, message = teams.reply("erin", number, "Hi @maria_k, refunded today.")
    assert answer.status == 200 and teams.deliver(message).status == 200
    teams.drain()
    assert teams.rt.store.get(number).draft_version == 1
    for _ in range(2):
        assert teams.edit(message, "Hi @maria_k, refunded today!").status == 200
    teams.drain()
    assert teams.rt.store.get(number).draft_version == 2
    teams.edit(message, "Hi @maria_k, refunded today, sorry!")
    teams.drain()
    assert teams.rt.store.get(number).draft_version == 3


def test_a_submitted_draft_delivered_twice_is_one_draft(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    shown(teams.execute("erin", number, "case_claim"))
    data = {"case": number, "draft": "Hi @maria_k, refunded today."}
    value = {"action": {"type": "Action.Execute", "verb": "case_draft", "data": data}, "trigger": "manual"}
    invoke = teams.activity(
        "invoke", "erin", teams.card_thread(number), name="adaptiveCard/action", value=value
    )
    for _ in range(2):
        assert "Case #" in texts(shown(teams.deliver(invoke)))
    teams.drain()
    assert teams.rt.store.get(number).draft_version == 1


def test_a_command_delivered_twice_is_answered_once(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    tag = f"<at>{BOT_NAME}</at>"
    command = teams.activity(
        "message",
        "sam",
        "19:social-desk@thread.tacv2;messageid=900",
        text=f"{tag} status {number}",
        entities=[bot_mention()],
    )
    command["id"] = "900"
    before = len(teams.connector.calls)
    for _ in range(2):
        assert teams.deliver(command).status == 200
    teams.drain()
    assert [c.operation for c in teams.connector.calls[before:]] == ["reply"]


# 6. the token first --------------------------------------------------------------------------------------
@pytest.fixture
def secured(redis_url: str, tmp_path: Path) -> Iterator[LocalTeamsBridge]:
    with running_teams(
        TEAMS_PLAYBOOK,
        redis_url,
        tmp_path,
        install=False,
        app_id="0c0ffee0-0000-4000-8000-000000000001",
        app_password="s3cret",
    ) as bridge:
        yield bridge


class Said:
    """Stands in for a module's structlog logger: what was logged, at which level."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def __getattr__(self, level: str) -> Callable[..., None]:
        return lambda event, **_fields: self.lines.append((level, event))


def test_without_a_valid_token_even_junk_and_foreign_tenants_get_401_quietly(
    secured: LocalTeamsBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert secured.auth is not None
    activity = secured.activity("message", "erin", "19:billing@thread.tacv2;messageid=1", text="hello")
    foreign = {**activity, "channelData": {**activity["channelData"], "tenant": {"id": "another-tenant"}}}
    junk: list[Any] = ["not json {", [1, 2], {"type": "message"}, {**activity, "type": "bogus"}, foreign]
    tokens = ["not-a-jwt", secured.auth.channel_token("https://evil.example/amer/")]
    said = Said()
    monkeypatch.setattr(teams_http, "log", said)
    for body in junk:
        for token in tokens:
            answer = secured.deliver(body if isinstance(body, str) else json.dumps(body), token=token)
            assert answer.status == 401, (body, token, answer.text)
    assert ("info", "teams_unauthorized") in said.lines
    assert {level for level, _event in said.lines} == {"info"}
    # with a token valid for the body's service URL, the body is judged
    assert secured.deliver({"type": "message", "serviceUrl": secured.service_url}).status == 400
    assert secured.deliver({**activity, "type": "bogus"}).status == 400
    assert secured.deliver(foreign).status == 403


# 7. long replies -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("filler", ["<" * 1000 + "漢" * 990, "a" * 50_000, "*_`" * 5_000])
def test_a_long_reply_is_cut_visibly_under_teams_size_limit(teams: LocalTeamsBridge, filler: str) -> None:
    chat = teams_chat(teams)
    text = f"<@{PEOPLE['erin'].aad}> " + filler * 8
    activity = chat.message(text)
    size = len(json.dumps(activity.serialize(), ensure_ascii=False).encode("utf-8"))
    assert 20_000 < size <= 24_000
    assert activity.text.startswith("<at>Erin Expert</at>") and len(activity.entities) == 1
    assert re.search(r" … \\?\[cut: \d+ more characters\\?\]$", activity.text)


def test_a_long_status_answer_posts_under_28_kb(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    thread = teams.card_thread(number)
    teams_chat(teams).reply(thread, "<" * 9_000 + "漢" * 9_000)
    body = teams.connector.calls[-1].body
    assert len(json.dumps(body, ensure_ascii=False).encode("utf-8")) < 28 * 1024
    assert re.search(r"cut: \d+ more characters", body["text"])
