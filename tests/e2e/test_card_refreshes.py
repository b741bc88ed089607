"""Card redraws are gathered (:mod:`bridge.store.refresh_inbox`): a desk claiming at once queues one
redrawing job, not one job a claim; two changes to a card make one redraw; a redraw that fails is
retried alone; a job cut off half-way leaves the rest for its rerun."""

from __future__ import annotations

import pytest

from adapters.slack.cards import ACTION_IDS
from bridge.app import jobs
from bridge.store.refresh_inbox import RefreshInbox
from standins.harness import LocalBridge
from tests.e2e.test_hot_buttons import open_case

pytestmark = pytest.mark.e2e


def queued_functions(bridge: LocalBridge) -> list[str]:
    return [str(job.func_name).rsplit(".", 1)[-1] for job in bridge.rt.queue.jobs]


def cases(bridge: LocalBridge, count: int) -> list[int]:
    numbers = [open_case(bridge, order) for order in range(count)]
    assert bridge.rt.queue.count == 0
    return numbers


def test_a_desk_claiming_at_once_queues_one_redrawing_job_and_every_card_shows_its_claim(
    local_bridge: LocalBridge,
) -> None:
    bridge = local_bridge
    numbers = cases(bridge, 6)
    for number in numbers:
        assert bridge.click("U0EXP1", number, ACTION_IDS["claim"]).status == 200
    assert queued_functions(bridge) == ["refresh_cards"], "one job for the six redraws"
    assert bridge.rt.refreshes.waiting() == numbers
    bridge.drain()
    assert bridge.rt.refreshes.waiting() == []
    for number in numbers:
        assert "Claimed by <@U0EXP1>" in repr(bridge.card_of(number)["blocks"])


def test_two_changes_to_a_card_before_its_redraw_make_one_update(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    (number,) = cases(bridge, 1)
    updates = len(bridge.slack.calls_to("chat.update"))
    bridge.rt.dispatch.refresh_card(number)
    bridge.rt.dispatch.refresh_card(number)
    assert queued_functions(bridge) == ["refresh_cards"]
    bridge.drain()
    assert len(bridge.slack.calls_to("chat.update")) == updates + 1


def test_a_redraw_that_fails_is_retried_alone_and_the_others_are_drawn(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    numbers = cases(bridge, 3)
    for number in numbers:
        bridge.rt.dispatch.refresh_card(number)
    bridge.slack.fail_next("chat.update", status=503)
    outcome = bridge.rt.queue.jobs[0].perform()
    assert outcome == "2 redrawn, 1 retried alone"
    assert queued_functions(bridge) == ["refresh_cards", "refresh_card"]  # perform() left the first
    assert bridge.rt.refreshes.waiting() == []
    bridge.drain()
    assert len(bridge.rt.queue.failed_job_registry) == 0


def test_a_job_cut_off_half_way_leaves_the_rest_for_its_rerun(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    numbers = cases(bridge, 3)
    for number in numbers:
        bridge.rt.dispatch.refresh_card(number)
    inbox: RefreshInbox = bridge.rt.refreshes
    assert inbox.start() == numbers  # the job began, and its worker died before it finished
    assert inbox.waiting() == numbers
    updates = len(bridge.slack.calls_to("chat.update"))
    assert jobs.refresh_cards.__name__ in queued_functions(bridge)  # RQ runs it again
    bridge.drain()
    assert len(bridge.slack.calls_to("chat.update")) == updates + 3
    assert inbox.waiting() == []


def test_more_than_one_job_takes_queues_the_next(local_bridge: LocalBridge) -> None:
    inbox: RefreshInbox = local_bridge.rt.refreshes
    assert [inbox.add(n) for n in (1, 2, 3)] == [True, False, False]
    first = inbox.start(limit=2)
    assert len(first) == 2
    assert inbox.add(4) is True, "the job has started: a new redraw queues the next job"
    assert inbox.done(first) is False, "that next job takes the rest"
    assert sorted(inbox.start(limit=10)) == sorted({1, 2, 3, 4} - set(first))
    assert inbox.done([1, 2, 3, 4]) is False
    assert [inbox.add(5), inbox.start(limit=1), inbox.done([])] == [True, [5], True]


def test_a_batch_of_redraws_reads_its_cases_in_one_round_trip(
    local_bridge: LocalBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    bridge = local_bridge
    numbers = cases(bridge, 4)
    for number in numbers:
        bridge.rt.dispatch.refresh_card(number)
    one_by_one: list[int] = []
    read = bridge.rt.store.get

    def noted(number: int | str) -> object:
        one_by_one.append(int(number))
        return read(number)

    monkeypatch.setattr(bridge.rt.store, "get", noted)
    assert bridge.rt.queue.jobs[0].perform() == "4 redrawn"
    assert one_by_one == []
