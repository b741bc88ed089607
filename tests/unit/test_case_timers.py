"""SLA timers in one sorted set: due ones are claimed once, a check that sets its timer again keeps
it, and a timer whose check never finished (a killed worker) fires again when its lease ends."""

from __future__ import annotations

from datetime import UTC, datetime

from bridge.store.cases import Store
from bridge.store.timers import LEASE_SECONDS, CaseTimers

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_a_due_timer_is_claimed_once_and_goes_when_its_check_is_done(store: Store) -> None:
    timers = CaseTimers(store.r, store.k("timers"))
    timers.set(1001, "claim", T0)
    timers.set(1001, "deadline", T0.replace(minute=15))
    assert timers.claim_due(T0.timestamp() - 1)[0] == []
    due, lease = timers.claim_due(T0.timestamp())
    assert due == [(1001, "claim")]
    assert timers.claim_due(T0.timestamp() + 1)[0] == [], "another worker must not fire it too"
    timers.done(1001, "claim", lease)
    assert [(n, kind) for n, kind, _ in timers.pending()] == [(1001, "deadline")]


def test_a_check_that_sets_its_timer_again_keeps_it(store: Store) -> None:
    timers = CaseTimers(store.r, store.k("timers"))
    timers.set(1002, "claim", T0)
    _, lease = timers.claim_due(T0.timestamp())
    timers.set(1002, "claim", T0.replace(minute=30))  # the check found it not due yet
    timers.done(1002, "claim", lease)
    assert timers.pending() == [(1002, "claim", T0.replace(minute=30).timestamp())]


def test_a_timer_whose_check_never_ended_fires_again_after_its_lease(store: Store) -> None:
    timers = CaseTimers(store.r, store.k("timers"))
    timers.set(1003, "deadline", T0)
    due, _ = timers.claim_due(T0.timestamp())  # the worker dies here
    assert due == [(1003, "deadline")]
    assert timers.claim_due(T0.timestamp() + LEASE_SECONDS + 1)[0] == [(1003, "deadline")]
