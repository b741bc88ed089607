"""Microsoft's signing keys may be fetched again at once after boot, then at most every five minutes."""

from __future__ import annotations

from adapters.teams.http import KEY_REFRESH_SECONDS, KeyRefreshGate


class FakeMonotonic:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_first_refresh_is_allowed_on_a_machine_booted_seconds_ago() -> None:
    clock = FakeMonotonic(12.0)  # a container's monotonic clock starts near zero
    assert KeyRefreshGate(clock).allow()


def test_refreshes_are_spaced_by_the_refresh_interval() -> None:
    clock = FakeMonotonic(12.0)
    gate = KeyRefreshGate(clock)
    assert gate.allow()
    clock.now += KEY_REFRESH_SECONDS - 1
    assert not gate.allow(), "made-up key ids must not make the bot fetch keys on every request"
    clock.now += 1
    assert gate.allow()
