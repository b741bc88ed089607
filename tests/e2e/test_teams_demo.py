"""``python -m standins.teams_demo`` runs the Teams loop in local mode and says what happened."""

from __future__ import annotations

import io

import pytest

from standins.teams_demo import run_teams_demo

pytestmark = pytest.mark.e2e


def test_the_teams_demo_runs_the_whole_loop_and_exits_zero() -> None:
    out = io.StringIO()
    assert run_teams_demo(out) == 0
    text = out.getvalue()
    assert "conversationUpdate (bot added) → HTTP 200" in text
    assert "buttons: Claim, Reassign, Ignore" in text
    assert "\\[click\\](https:" in text  # the customer's link is shown, not live
    assert "Erin Expert clicked Claim → You claimed" in text
    assert "Eddie Expert clicked Claim → \\#1001 is already claimed by **Erin Expert**" in text
    assert "Only billing approvers may approve #1001: **Ann Approver**" in text
    assert "[bridge → X      ] Hi @maria_k" in text
    assert "Done: the answer is on X and the card says so." in text


def test_bridge_demo_teams_is_the_teams_demo(capsys: pytest.CaptureFixture[str]) -> None:
    from bridge.cli import main

    assert main(["demo", "--teams"]) == 0
    text = capsys.readouterr().out
    assert "conversationUpdate (bot added) → HTTP 200" in text
    assert "Done: the answer is on X and the card says so." in text
