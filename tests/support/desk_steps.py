"""What the desk does to answer a case in the e2e tests: claim, draft in the thread, approve twice."""

from __future__ import annotations

from adapters.slack.cards import ACTION_IDS
from standins.harness import LocalBridge


def draft_and_approve(bridge: LocalBridge, number: int, text: str) -> None:
    """An expert claims and drafts ``text``; the approver clicks Approve twice (a double click posts once)."""
    assert bridge.click("U0EXP1", number, ACTION_IDS["claim"]).status == 200
    assert bridge.reply_in_thread("U0EXP1", number, text)[0].status == 200
    bridge.drain()
    version = bridge.rt.store.get(number).draft_version
    assert bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:{version}").status == 200
    assert bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:{version}").status == 200
    bridge.drain()


def drafted_preview(bridge: LocalBridge, number: int, text: str) -> str:
    """An expert claims and drafts ``text``; the preview the bridge posted in the thread, as text."""
    bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    bridge.reply_in_thread("U0EXP1", number, text)
    bridge.drain()
    case = bridge.rt.store.get(number)
    return repr(bridge.slack.thread(case.channel, case.card_ts)[-1]["blocks"])
