"""The shared command parser: the subcommands it answers, and the person forms ``assign`` accepts."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from structlog.testing import capture_logs

from bridge.app.runtime import build_core
from bridge.app.settings import Settings
from bridge.desk.commands import FAILED, HELP, SUBCOMMANDS, CommandReply, Commands, Words, rest
from tests.conftest import PLAYBOOK

ADAPTERS = Path(__file__).resolve().parents[2] / "adapters"


@pytest.fixture
def commands(redis_url: str) -> Iterator[Commands]:
    settings = Settings(
        redis_url=redis_url, bridge_playbook=PLAYBOOK, bridge_key_prefix=f"cmd-{uuid.uuid4().hex}:"
    )
    rt = build_core(settings)
    yield rt.commands
    keys = list(rt.redis.scan_iter(match=settings.bridge_key_prefix + "*"))
    if keys:
        rt.redis.delete(*keys)


def test_names_are_sorted_and_include_registered_commands(commands: Commands) -> None:
    commands.register("zap", lambda user, args: CommandReply("zapped"))
    names = commands.names()
    assert names == sorted(names)
    assert {"assign", "help", "incident", "route", "zap"} <= set(names)


def test_help_and_the_unknown_command_answer_list_registered_commands(commands: Commands) -> None:
    commands.register("zap", lambda user, args: CommandReply("zapped"))
    assert commands.run("U1", "help").text.endswith("\n• `incident`\n• `zap`")
    unknown = commands.run("U1", "dance").text
    assert unknown == f"Unknown command 'dance'. Try one of: {', '.join(commands.names())}."
    assert "zap" in unknown and "incident" in unknown


@pytest.mark.parametrize(
    "person",
    [
        "<@U0ALICE>",  # Slack's mention
        "<@U0ALICE|alice>",  # Slack's older escaped form
        "@U0ALICE",  # a Slack id typed by hand
        "<@00000000-0000-4000-8000-00000000e001>",  # an Entra object id, as the Teams adapter writes it
        "<@29:1abcDEF-gh_ij.k>",  # a Teams account id of someone the bridge has not seen yet
    ],
)
def test_assign_accepts_every_neutral_person_token(commands: Commands, person: str) -> None:
    """The person is understood, so the answer is about the case (there is none)."""
    assert commands.run("U1", f"assign 999999 {person}").text == "There is no case #999999."


@pytest.mark.parametrize("person", ["alice", "@alice", "<@>", "<@a b>", "<#C0CHANNEL>", "<!channel>"])
def test_assign_explains_what_a_person_looks_like(commands: Commands, person: str) -> None:
    assert "is not a person; mention them like @alice." in commands.run("U1", f"assign 999999 {person}").text


@pytest.mark.parametrize("token", ["²", "١٠٠١", "۱۰۰۱", "𝟙𝟘𝟘𝟙", "1001²", "##1001", "#", "+1001", "1_001"])
def test_only_ascii_digits_make_a_case_number(commands: Commands, token: str) -> None:
    """``str.isdigit`` and ``int`` accept far more than 0-9 (and not the same things): only ASCII counts."""
    expected = f"{token!r} is not a case number; use one like 1042 or #1042."
    for command in ("status", "hide", "dm", "route", "ignore", "resolve", "retry", "assign"):
        assert commands.run("U0SOC1", f"{command} {token} <@U0EXP1>").text == expected


@pytest.mark.parametrize("token", ["1001", "#1001", "0001001"])
def test_ascii_case_numbers_are_understood(commands: Commands, token: str) -> None:
    assert commands.run("U1", f"status {token}").text == "There is no case #1001."


def test_free_text_is_the_rest_of_the_command_as_typed() -> None:
    words = Words('1042  it\'s "spam"  \tagain ')
    assert list(words) == ["1042", "it's", '"spam"', "again"]
    assert words.rest(1) == 'it\'s "spam"  \tagain'
    assert words.rest(4) == "" and words.rest(0) == words.text.strip()
    assert rest(["1042", "plain", "words"], 1) == "plain words"  # a plain list, as an extension may pass


def test_an_unexpected_error_is_logged_and_answered_plainly(commands: Commands) -> None:
    def broken(user: str, args: list[str]) -> CommandReply:
        raise ZeroDivisionError("a bug")

    commands.register("broken", broken)
    with capture_logs() as logs:
        assert commands.run("U1", "broken it's").text == FAILED
    assert [e["event"] for e in logs] == ["command_failed"] and logs[0]["exc_info"]
    assert (
        commands.run("U1", "route 999999 billing").text == "There is no case #999999."
    )  # refusals as before


def test_help_and_every_usage_error_come_from_the_one_command_table(commands: Commands) -> None:
    assert commands.run("U1", "help").text.startswith(HELP)
    for sub in SUBCOMMANDS:
        assert f"• `{sub.usage}` — {sub.help}" in HELP
        if sub.required:
            too_few = " ".join(["1001"] * (sub.required - 1))
            assert commands.run("U0SOC1", f"{sub.name} {too_few}").text == f"Usage: /bridge {sub.usage}"
    assert {sub.name for sub in SUBCOMMANDS} == set(commands.names()) - {"incident"}


def test_the_chat_platforms_manifests_list_commands_as_the_table_writes_them() -> None:
    """The Slack manifest's usage hint and the Teams manifest's command list are static files Slack and
    Teams read at install time; they must not drift from the table."""
    usages = {sub.name: sub.usage for sub in SUBCOMMANDS}
    slack = yaml.safe_load((ADAPTERS / "slack" / "manifest.yml").read_text())
    for hint in slack["features"]["slash_commands"][0]["usage_hint"].split(" | "):
        assert hint == usages[hint.split()[0]]
    teams = json.loads((ADAPTERS / "teams" / "app_package" / "manifest.json").read_text())
    for command in teams["bots"][0]["commandLists"][0]["commands"]:
        assert command["title"] in usages
        typed = command["description"].split(":")[0] if ":" in command["description"] else command["title"]
        assert usages[command["title"]].startswith(typed)  # optional arguments may be left out


@pytest.mark.parametrize(
    ("action", "target", "doing"),
    [("mute", "@spam_bot", "mute"), ("unmute", "@spam_bot", "unmute"), ("hide", "#", "hide replies")],
)
def test_confirmed_actions_ask_the_social_team_only(
    commands: Commands, action: str, target: str, doing: str
) -> None:
    refused = commands.run("U0EXP1", f"{action} {target}")
    assert refused.confirm is None and refused.text.startswith(f"Only the social team may {doing}: ")
    if target.startswith("@"):
        asked = commands.run("U0SOC1", f"{action} {target}")
        assert asked.text == "Confirm in the dialog." and asked.confirm is not None
        assert (asked.confirm.action, asked.confirm.target) == (action, "spam_bot")
        assert asked.confirm.prompt.startswith(f"{action.capitalize()} @spam_bot?")
