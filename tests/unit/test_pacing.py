from __future__ import annotations

from bridge.store.cases import Store
from bridge.store.pacing import ChannelPacer


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
