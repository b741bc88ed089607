"""Who is posting a case's answer right now, and which cases are in ``posting`` at all.

A publishing attempt holds a short lease, refreshed by a thread while the attempt runs, so a second
attempt (an RQ retry, ``/bridge retry``, a recovery) never checks and posts beside a live one. When
the process holding it dies, the lease lapses within :data:`LEASE_SECONDS`: that is how the recovery
sweep tells a post in flight from an orphaned one without waiting for RQ's abandoned-job sweep.

The index is a Redis set of the cases the publisher moved to ``posting``, written *before* the
transition, so a crash between the two leaves an entry to tidy rather than a case nobody finds.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from bridge.store.cases import Store

__all__ = ["LEASE_SECONDS", "PostingLeases"]

LEASE_SECONDS = 10
"""How long a lease outlives the last sign of its holder: the longest a crash delays recovery."""
REFRESH_SECONDS = LEASE_SECONDS / 4

# Refresh or release only a lease that is still ours: a lapsed one may belong to another attempt.
_REFRESH = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class PostingLeases:
    """Leases on publishing attempts, and the index of cases the publisher left in ``posting``."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._refresh = store.r.register_script(_REFRESH)
        self._release = store.r.register_script(_RELEASE)

    def _lease_key(self, number: int) -> str:
        return self.store.k("posting", number, "lease")

    @property
    def index_key(self) -> str:
        return self.store.k("posting", "index")

    # the lease -------------------------------------------------------------------------------------
    @contextmanager
    def hold(self, number: int) -> Iterator[bool]:
        """Hold case ``number``'s lease for the block; yields False (and holds nothing) when another
        live attempt has it."""
        token = uuid.uuid4().hex
        key = self._lease_key(number)
        if not self.store.r.set(key, token, nx=True, px=LEASE_SECONDS * 1000):
            yield False
            return
        stop = threading.Event()
        keeper = threading.Thread(
            target=self._keep, args=(key, token, stop), name=f"posting-lease-{number}", daemon=True
        )
        keeper.start()
        try:
            yield True
        finally:
            stop.set()
            keeper.join(timeout=REFRESH_SECONDS)
            self._release(keys=[key], args=[token])

    def _keep(self, key: str, token: str, stop: threading.Event) -> None:
        while not stop.wait(REFRESH_SECONDS):
            try:
                self._refresh(keys=[key], args=[token, LEASE_SECONDS * 1000])
            except Exception:  # noqa: BLE001, S112  # Redis away for a moment: the next refresh tries again
                continue

    def held(self, numbers: list[int]) -> dict[int, bool]:
        """Which of ``numbers`` have a live attempt now (one round trip)."""
        with self.store.r.pipeline(transaction=False) as pipe:
            for number in numbers:
                pipe.exists(self._lease_key(number))
            return {number: bool(found) for number, found in zip(numbers, pipe.execute(), strict=True)}

    # the index -------------------------------------------------------------------------------------
    def mark(self, number: int) -> None:
        self.store.r.sadd(self.index_key, str(number))

    def unmark(self, number: int) -> None:
        self.store.r.srem(self.index_key, str(number))

    def marked(self) -> list[int]:
        return sorted(int(raw) for raw in self.store.r.smembers(self.index_key))
