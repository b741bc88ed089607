"""Engagement with our public answers, end to end through the real Slack and X clients: a posted
answer schedules one read of its likes, replies and reposts a day later, the read lands on the case
and the closed case is written to the history again; a private answer schedules no read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq.registry import ScheduledJobRegistry

from bridge.app.workers import InlineWorker
from standins.harness import LocalBridge
from tests.e2e.test_concierge_loop import open_case, x_posts
from tests.e2e.test_private_messages import approve_latest
from tests.e2e.test_surveys_and_links import case_fields
from tests.support.desk_steps import draft_and_approve

pytestmark = pytest.mark.e2e

READ_JOB = "bridge.app.jobs.read_engagement"


def engagement_reads(bridge: LocalBridge) -> list[tuple[object, ...]]:
    return [tuple(job.args) for job in bridge.scheduled() if job.func_name == READ_JOB]


def test_a_public_answer_has_its_reactions_read_a_day_later_and_the_closed_case_rearchived(
    local_bridge: LocalBridge,
) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    draft_and_approve(bridge, number, "Hi @maria_k, the second charge is refunded today.")
    reply_id = bridge.rt.store.get(number).reply_id
    assert engagement_reads(bridge) == [(number, reply_id)]
    (job,) = [j for j in bridge.scheduled() if j.func_name == READ_JOB]
    due = ScheduledJobRegistry(queue=bridge.rt.queue).get_scheduled_time(job) - bridge.rt.clock.now()
    assert timedelta(hours=23, minutes=59) < due <= timedelta(hours=24)  # the playbook's default
    assert not any(name.startswith("engagement_") for name in case_fields(bridge, number))

    bridge.x.set_engagement(reply_id, likes=12, replies=3, reposts=2, quotes=1)
    bridge.release_scheduled()
    InlineWorker(bridge.rt.dispatch.queues, connection=bridge.rt.redis).work(
        burst=True, max_jobs=1, with_scheduler=False, logging_level="WARNING"
    )
    fields = case_fields(bridge, number)
    assert (fields["engagement_likes"], fields["engagement_replies"], fields["engagement_reposts"]) == (
        "12",
        "3",
        "3",
    )
    assert fields["engagement_read_at"].startswith(bridge.rt.clock.now().date().isoformat())
    queued = [(j.func_name, tuple(j.args)) for j in bridge.rt.queue.jobs]
    assert queued == [("bridge.app.jobs.archive_case", (number,))]  # posted is closed: archived again
    bridge.drain()
    assert bridge.scheduled() == []


def test_a_private_answer_schedules_no_read_but_the_public_hand_off_does(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    bridge.slash("U0EXP1", "C0BILLING", f"dm {number}")
    bridge.drain()
    approve_latest(bridge, number)  # on X the hand-off ("send us a direct message") is public
    handoff = bridge.rt.store.get(number).reply_id
    assert x_posts(bridge) and engagement_reads(bridge) == [(number, handoff)]
    bridge.reply_in_thread("U0EXP1", number, "Order 88231 is refunded; details by email.")
    bridge.drain()
    approve_latest(bridge, number)
    assert bridge.rt.store.get(number).reply_id != handoff  # the private answer went out
    assert engagement_reads(bridge) == [(number, handoff)]  # and scheduled nothing

    bridge.x.store.delete_post(handoff)  # the hand-off was deleted meanwhile: no count beats a false 0
    bridge.drain(include_scheduled=True)
    assert not any(name.startswith("engagement_") for name in case_fields(bridge, number))
