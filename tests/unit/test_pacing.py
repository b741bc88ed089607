"""Slots per channel: a burst is spread one per interval, and a job is put off to its slot rather
than sleeping for it (the slot held under the job's name until it runs again)."""

from __future__ import annotations

import pytest

from bridge.domain.errors import PaceDeferred
from bridge.store.cases import Store
from bridge.store.pacing import STALE_SLOT_SECONDS, ChannelPacer, deferrable, sending_at


def test_a_burst_into_one_channel_is_spread_one_slot_per_interval(store: Store) -> None:
    now = [1_000_000]
    pacer = ChannelPacer(store.r, store.prefix, interval_ms=1000, now_ms=lambda: now[0])
    waits = [pacer.reserve("C1") for _ in range(5)]
    assert waits == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert pacer.reserve("C2") == 0.0  # other channels are not held up
    now[0] += 10_000
    assert pacer.reserve("C1") == 0.0  # a quiet channel sends at once again


def test_wait_turn_sleeps_for_the_reserved_slot(store: Store) -> None:
    slept: list[float] = []
    pacer = ChannelPacer(store.r, store.prefix, interval_ms=500, now_ms=lambda: 5_000, sleep=slept.append)
    for _ in range(3):
        pacer.wait_turn("C9")
    assert slept == [0.5, 1.0]


def test_zero_interval_turns_pacing_off(store: Store) -> None:
    pacer = ChannelPacer(store.r, store.prefix, interval_ms=0)
    assert [pacer.reserve("C1") for _ in range(3)] == [0.0, 0.0, 0.0]


def test_a_jobs_first_send_to_a_busy_channel_is_put_off_to_a_slot_it_holds(store: Store) -> None:
    now = [1_000_000]
    slept: list[float] = []
    pacer = ChannelPacer(store.r, store.prefix, interval_ms=1000, now_ms=lambda: now[0], sleep=slept.append)
    with deferrable("job-a"):
        assert pacer.wait_turn("C1") == 0.0  # the channel is free: sends at once
    with deferrable("job-b"), pytest.raises(PaceDeferred) as busy:
        pacer.wait_turn("C1")
    assert busy.value.until == 1_001.0  # the next slot, one interval on
    with deferrable("job-c"):
        assert pacer.wait_turn("C2") == 0.0  # another channel is not held up by C1
    with deferrable("job-d"), pytest.raises(PaceDeferred) as later:
        pacer.wait_turn("C1")
    assert later.value.until == 1_002.0  # job-b's slot stays taken while it waits
    now[0] = 1_001_000
    with deferrable("job-b"):
        assert pacer.wait_turn("C1") == 0.0  # back at its slot: sends without taking another
        assert pacer.wait_turn("C1") == 2.0  # its second send waits in place, after job-d's slot
    assert slept == [2.0]


def test_outside_a_job_a_send_waits_in_place(store: Store) -> None:
    slept: list[float] = []
    pacer = ChannelPacer(store.r, store.prefix, interval_ms=1000, now_ms=lambda: 7_000, sleep=slept.append)
    pacer.wait_turn("C3")
    pacer.wait_turn("C3")
    assert slept == [1.0]


def test_a_first_attempt_holds_a_slot_without_looking_for_one(store: Store) -> None:
    """A batch's first attempt at a card (``first``) cannot hold a slot yet, so the pacer does not
    look for one (one Redis command less a card); it still holds the slot it is put off to."""
    now = [1_000_000]
    pacer = ChannelPacer(store.r, store.prefix, interval_ms=1000, now_ms=lambda: now[0])
    store.r.set(f"{store.prefix}pace-held:C1:card-7", now[0] + 5000)  # left over: not to be taken
    pacer.reserve("C1")  # the channel is busy for a second
    with deferrable("card-7", first=True), pytest.raises(PaceDeferred) as deferred:
        pacer.wait_turn("C1")
    assert deferred.value.until == (now[0] + 1000) / 1000, "its own slot, not the left-over one"
    assert int(store.r.get(f"{store.prefix}pace-held:C1:card-7") or 0) == now[0] + 1000


def test_a_batch_carries_its_cards_slots_and_holds_none_in_redis(store: Store) -> None:
    """A batch's card put off to its slot (an empty holder) holds nothing under a name; sent later
    with that slot (:func:`sending_at`), it neither reserves another nor asks Redis at all."""
    now = [1_000_000]
    slept: list[float] = []
    pacer = ChannelPacer(store.r, store.prefix, interval_ms=1000, now_ms=lambda: now[0], sleep=slept.append)
    pacer.reserve("C1")  # busy for a second
    with deferrable("", first=True), pytest.raises(PaceDeferred) as deferred:
        pacer.wait_turn("C1")
    slot = deferred.value.until
    assert slot == 1_001.0
    assert not list(store.r.scan_iter(match=f"{store.prefix}pace-held:*")), "nothing left to expire"
    next_free = store.r.get(f"{store.prefix}pace:C1")
    now[0] = 1_001_100  # the scheduler moved the job a tenth of a second after the slot
    with sending_at(slot):
        assert pacer.wait_turn("C1") == 0.0
        assert pacer.wait_turn("C1") == 0.9, "a second send takes the next slot and waits in place"
    assert slept == [0.9]
    assert int(store.r.get(f"{store.prefix}pace:C1") or 0) == int(next_free or 0) + 1000


def test_a_carried_slot_a_moment_ahead_is_waited_for_and_a_stale_one_is_not_used(store: Store) -> None:
    now = [2_000_000]
    slept: list[float] = []
    pacer = ChannelPacer(store.r, store.prefix, interval_ms=1000, now_ms=lambda: now[0], sleep=slept.append)
    with sending_at(2_000.2):  # the job came early (another host's clock, say): it waits the moment
        assert pacer.wait_turn("C2") == pytest.approx(0.2)
    pacer.reserve("C3")  # busy now
    with sending_at(now[0] / 1000 - STALE_SLOT_SECONDS - 1), pytest.raises(PaceDeferred) as again:
        pacer.wait_turn("C3")  # a slot long past (the job re-ran after a crash) is not the channel's now
    assert again.value.until == 2_001.0
