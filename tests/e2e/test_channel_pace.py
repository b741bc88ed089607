"""One busy channel does not hold up the others: a card whose channel is busy (Slack takes about one
message a second per channel) is scheduled for its slot, and the worker posts other channels' cards
meanwhile. Before, the job slept in the worker until its slot, and every card behind it waited."""

from __future__ import annotations

from pathlib import Path

import pytest
from rq.registry import ScheduledJobRegistry

from tests.conftest import PLAYBOOK, running_bridge

pytestmark = pytest.mark.e2e

INTERVAL_MS = 5_000
"""Long enough that no slot comes due while the test runs."""


def test_cards_for_a_busy_channel_wait_for_their_slots_off_the_worker(redis_url: str, tmp_path: Path) -> None:
    with running_bridge(PLAYBOOK, redis_url, tmp_path, channel_interval_ms=INTERVAL_MS) as bridge:
        texts = ["my refund", "charged twice", "no invoice", "parcel lost"]  # billing ×3, then logistics
        for i, text in enumerate(texts):
            bridge.x.add_mention(f"@AcmeHelp {text}", author_handle=f"user{i}", author_name=f"User {i}")
        bridge.poll()
        queued = [bridge.rt.store.get(job.args[0]).department for job in bridge.rt.queue.jobs]
        assert queued[-1] == "logistics", queued  # the logistics card is queued behind the billing ones
        bridge.drain()

        posted = [call.params["channel"] for call in bridge.slack.calls_to("chat.postMessage")]
        assert posted == ["C0BILLING", "C0LOGIST"]  # the second billing card did not stall the queue
        registry = ScheduledJobRegistry(queue=bridge.rt.queue)
        cards = [
            registry.get_scheduled_time(job.id)
            for job in bridge.scheduled()
            if job.func_name == "bridge.app.jobs.post_card"
        ]
        first, second = sorted(cards)
        assert (second - first).total_seconds() >= INTERVAL_MS / 1000 - 1  # one slot apart: the pace holds
