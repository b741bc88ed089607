"""SLA timers as scheduled RQ jobs, driven by a controllable clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.slack.cards import ACTION_IDS
from bridge.domain.clock import ManualClock
from standins.harness import LocalBridge
from tests.conftest import PLAYBOOK, running_bridge
from tests.e2e.test_concierge_loop import open_case

pytestmark = pytest.mark.e2e


@pytest.fixture
def timed(redis_url: str, tmp_path: Path) -> Iterator[tuple[LocalBridge, ManualClock]]:
    clock = ManualClock(datetime.now(UTC))
    with running_bridge(PLAYBOOK, redis_url, tmp_path, clock=clock) as bridge:
        yield bridge, clock


def thread_texts(bridge: LocalBridge, number: int) -> list[str]:
    case = bridge.rt.store.get(number)
    return [m.get("text", "") for m in bridge.slack.thread(case.channel, case.card_ts)]


def social_channel_texts(bridge: LocalBridge) -> list[str]:
    return [m.get("text", "") for m in bridge.slack.messages.get("C0SOCIAL", [])]


def test_unclaimed_case_gets_a_reminder_then_an_sla_alert(timed: tuple[LocalBridge, ManualClock]) -> None:
    bridge, clock = timed
    number = open_case(bridge)
    assert len(bridge.scheduled(timers=True)) == 2
    bridge.drain(include_timers=True)  # fired too early: they set themselves again, nobody is pinged
    assert not any("without a claim" in t for t in thread_texts(bridge, number))
    assert len(bridge.scheduled(timers=True)) == 2

    clock.advance(minutes=8)  # past half of the 15-minute first-response target on X
    bridge.drain(include_timers=True, rounds=1)
    reminders = [t for t in thread_texts(bridge, number) if "without a claim" in t]
    assert len(reminders) == 1 and "<@U0EXP1>" in reminders[0] and "<@U0EXP2>" in reminders[0]
    assert not any("SLA missed" in t for t in social_channel_texts(bridge))

    clock.advance(minutes=8)  # past the deadline
    bridge.drain(include_timers=True, rounds=1)
    alerts = [t for t in social_channel_texts(bridge) if "SLA missed" in t]
    assert len(alerts) == 1 and f"#{number}" in alerts[0] and "Open the case" in alerts[0]
    assert [e.action for e in bridge.rt.store.audit(number)].count("sla_missed") == 1
    assert bridge.scheduled(timers=True) == []


def test_claiming_in_time_cancels_the_reminder_and_answering_cancels_the_alert(
    timed: tuple[LocalBridge, ManualClock],
) -> None:
    bridge, clock = timed
    number = open_case(bridge)
    bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    bridge.reply_in_thread("U0EXP1", number, "Hi @maria_k, refunded today.")
    bridge.drain()
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1")
    bridge.drain()
    clock.advance(minutes=30)
    bridge.drain(include_timers=True)
    assert not any("without a claim" in t for t in thread_texts(bridge, number))
    assert not any("SLA missed" in t for t in social_channel_texts(bridge))
    assert "sla_missed" not in [e.action for e in bridge.rt.store.audit(number)]
