"""What the core says in Teams besides cards: customers' words quoted inert in a thread, and the SLA
alert in the social team's channel with a link that opens the case's card."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bridge.domain.clock import ManualClock
from standins.teams_harness import LocalTeamsBridge
from tests.e2e.conftest import TEAMS_PLAYBOOK, running_teams
from tests.e2e.test_concierge_loop import open_case
from tests.support.adaptive_cards import errors, texts, validator

pytestmark = pytest.mark.e2e


@pytest.fixture
def timed(redis_url: str, tmp_path: Path) -> Iterator[tuple[LocalTeamsBridge, ManualClock]]:
    clock = ManualClock(datetime.now(UTC))
    with running_teams(TEAMS_PLAYBOOK, redis_url, tmp_path, clock=clock) as bridge:
        yield bridge, clock


def test_a_customers_words_in_the_thread_are_quoted_inert(
    timed: tuple[LocalTeamsBridge, ManualClock],
) -> None:
    bridge, _ = timed
    number = open_case(bridge)
    hostile = "[refund here](https://evil.example) <at>CEO</at> **now**"
    bridge.rt.dispatch.thread_notice(number, "@maria_k wrote again:", quote=hostile)
    bridge.drain()
    card = bridge.connector.card_of(bridge.thread(number)[-1])
    assert card is not None and not errors(validator(), card)
    shown = texts(card)
    assert "wrote again" in shown and "](https://evil" not in shown and "<at>" not in shown
    assert "**now**" not in shown


def test_a_missed_first_response_alerts_the_social_channel_with_a_link_to_the_card(
    timed: tuple[LocalTeamsBridge, ManualClock],
) -> None:
    bridge, clock = timed
    number = open_case(bridge)
    clock.advance(minutes=16)  # past X's 15-minute first-response target
    bridge.drain(include_timers=True, rounds=3)
    alerts = [
        p for p in bridge.connector.posts("19:social-desk@thread.tacv2") if "SLA missed" in p.get("text", "")
    ]
    assert len(alerts) == 1 and f"#{number}" in alerts[0]["text"]
    card_ts = bridge.rt.store.get(number).card_ts
    assert (
        f"[Open the case](https://teams.microsoft.com/l/message/19%3Abilling%40thread.tacv2/{card_ts}"
        in (alerts[0]["text"])
    )
