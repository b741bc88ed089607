"""Where a department's cases live when a playbook names channels in chat platforms a deployment may
not run, and what start-up says about the channels it cannot use."""

from __future__ import annotations

from typing import Any

import pytest
from structlog.testing import capture_logs

from bridge.playbook.coverage import missing_chats, warn_missing_chats
from bridge.playbook.homes import home
from bridge.playbook.model import Department, Playbook

BOTH = {"slack_channel": "C0LOGIST", "teams_channel": "Acme Care/Logistics"}


def department(**channels: str) -> Department:
    return Department.model_validate(channels)


def playbook(**departments: dict[str, Any]) -> Playbook:
    departments["social"] = {**departments["social"], "approvers": ["U0SOC2"]}
    return Playbook.model_validate(
        {"brand": {"name": "Acme"}, "default_department": "social", "departments": departments}
    )


@pytest.mark.parametrize(
    ("configured", "current", "expected"),
    [
        ({"teams"}, "", ("teams", "Acme Care/Logistics")),  # Teams only: never the Slack channel
        ({"teams"}, "slack", ("teams", "Acme Care/Logistics")),  # ingest's first guess was Slack
        ({"slack"}, "", ("slack", "C0LOGIST")),  # Slack only
        ({"slack"}, "teams", ("slack", "C0LOGIST")),
        ({"slack", "teams"}, "", ("slack", "C0LOGIST")),  # both: Slack first, as before
        ({"slack", "teams"}, "teams", ("teams", "Acme Care/Logistics")),  # both: a case stays in its chat
        (None, "", ("slack", "C0LOGIST")),  # platforms unknown: the playbook's own preference
    ],
)
def test_a_department_with_both_channels_lives_in_a_configured_chat(
    configured: set[str] | None, current: str, expected: tuple[str, str]
) -> None:
    assert home(department(**BOTH), configured, current=current) == expected


def test_a_department_whose_only_channel_is_in_a_missing_chat_has_no_home() -> None:
    assert home(department(slack_channel="C0BILLING"), {"teams"}) is None
    assert home(department(teams_channel="Billing"), {"slack"}) is None
    assert home(department(teams_channel="Billing"), set()) is None


def test_start_up_names_each_missing_chat_its_departments_and_those_left_without_a_channel() -> None:
    book = playbook(
        social={"teams_channel": "Social desk"},
        logistics=BOTH,
        warehouse={"slack_channel": "C0WARE"},
    )
    with capture_logs() as logs:
        found = warn_missing_chats(book, {"slack": object()})
    assert [(m.chat, m.departments, m.stranded) for m in found] == [
        ("teams", ("logistics", "social"), ("social",))
    ]
    assert logs == [
        {
            "event": "playbook_channels_in_unconfigured_chat",
            "log_level": "warning",
            "chat": "teams",
            "departments": ["logistics", "social"],
            "stranded": ["social"],
            "effect": "cards of social cannot be posted anywhere; the others' cards go to their channel "
            "in the chat platform that is configured",
            "fix": "set TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID (or TEAMS_LOCAL=1 for local "
            "development), or remove the teams_channel entries",
        }
    ]


def test_a_teams_only_deployment_is_told_which_slack_channels_go_unused() -> None:
    book = playbook(social={"teams_channel": "Social desk"}, logistics=BOTH)
    [missing] = missing_chats(book, {"teams"})
    assert (missing.chat, missing.departments, missing.stranded) == ("slack", ("logistics",), ())
    assert "SLACK_BOT_TOKEN" in missing.settings
    assert missing.effect == "their cards go to their channel in the chat platform that is configured"


def test_nothing_is_said_when_every_named_chat_runs() -> None:
    book = playbook(social={"teams_channel": "Social desk"}, logistics=BOTH)
    with capture_logs() as logs:
        assert warn_missing_chats(book, {"slack": object(), "teams": object()}) == []
    assert logs == []


def test_crisis_leadership_is_a_place_too_it_alerts_where_the_bridge_runs() -> None:
    book = Playbook.model_validate(
        {
            "brand": {"name": "Acme"},
            "default_department": "social",
            "departments": {"social": {**BOTH, "approvers": ["U1"]}},
            "crisis": {"leadership": {"slack_channel": "C0LEADERS", "approvers": ["U1", "U2"]}},
        }
    )
    [missing] = missing_chats(book, {"teams"})
    assert missing.chat == "slack" and missing.stranded == ("crisis.leadership",)
    assert "crisis.leadership cannot be posted anywhere" in missing.effect
    assert book.crisis is not None
    both = book.crisis.leadership.model_copy(update={"teams_channel": "Leadership"})
    assert both.home({"teams"}) == ("teams", "Leadership")
    assert both.home({"slack", "teams"}) == ("slack", "C0LEADERS")
