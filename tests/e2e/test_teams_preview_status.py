"""A Teams draft preview tells everyone how its draft stands, not only the people Teams refreshes it for."""

from __future__ import annotations

import pytest

from standins.teams_harness import LocalTeamsBridge
from tests.e2e.test_teams_loop import drafted, previews, shown
from tests.support.adaptive_cards import texts, titles

pytestmark = pytest.mark.e2e


def test_the_posted_preview_says_approved_and_posted_to_everyone_after_sign_off(
    teams: LocalTeamsBridge,
) -> None:
    number = drafted(teams)
    assert "Waiting for sign-off by **Ann Approver**" in texts(previews(teams, number)[-1])
    shown(teams.execute("ann", number, "draft_approve", {"case": number, "version": 1}))
    teams.drain()
    seen_by_all = previews(teams, number)[
        -1
    ]  # the message itself: what someone outside the refresh list sees
    assert "Waiting for sign-off" not in texts(seen_by_all)
    assert "Approved by **Ann Approver** · posted" in texts(seen_by_all) and titles(seen_by_all) == []
    lous = shown(teams.execute("lou", number, "preview_refresh", {"case": number, "version": 1}))
    assert "Approved by **Ann Approver** · posted" in texts(lous)


def test_an_older_preview_says_it_was_superseded(teams: LocalTeamsBridge) -> None:
    number = drafted(teams)
    teams.reply("erin", number, "Hi @maria_k, sorry! Refunded today, it shows in 3 days.")
    teams.drain()
    first, second = previews(teams, number)[-2:]
    assert "Superseded by draft v2." in texts(first)
    assert "Waiting for sign-off by **Ann Approver**" in texts(second)
