"""``bridge demo`` is what a newcomer runs first: it must finish the loop and say what happened."""

from __future__ import annotations

import io

import pytest

from standins.demo import run_demo

pytestmark = pytest.mark.e2e


def test_demo_runs_the_whole_loop_and_exits_zero() -> None:
    out = io.StringIO()
    assert run_demo(out) == 0
    text = out.getvalue()
    assert "chat.postMessage C0BILLING: Case #1001" in text
    assert "&lt;!channel&gt;" in text and "<!channel> <@U0APP1>" not in text.split("== The bridge")[1]
    assert "only to U0EXP2: #1001 is already claimed by <@U0EXP1>" in text
    assert "Only billing approvers may approve #1001" in text
    assert "[bridge → X     ] reply to post" in text
    assert "posted           by bridge [posting → posted]" in text
    assert "Done: the answer is on X" in text
