"""A case's SLA timers (the claim reminder and the deadline alert) as members of one sorted set.

Each used to be a scheduled RQ job: two job records per case, held for the length of the SLA, and two
job runs of some forty Redis commands each. Here a timer is one member (``number:kind``) scored by
when it is due; the workers' liveness pass claims the due ones and checks them in place. A claim is
a lease: the timer is pushed :data:`LEASE_SECONDS` ahead and removed only when its check is done, so
a worker killed mid-check leaves it to fire again (at least once, as a job would), and a check that
sets its timer again (not due yet) keeps the new time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime

import redis

from bridge.store.transitions import text

__all__ = ["CLAIM_BATCH", "LEASE_SECONDS", "CaseTimers"]

LEASE_SECONDS = 60
"""How long a claimed timer waits for its check before another worker may fire it again."""
CLAIM_BATCH = 200
"""At most this many timers are claimed in one pass."""

_CLAIM = """
-- KEYS[1] timers; ARGV[1] now (s), ARGV[2] lease until (s), ARGV[3] limit
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], member) end
return due
"""

_DONE = """
-- KEYS[1] timers; ARGV[1] member, ARGV[2] the lease it was claimed with
if tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]) or '-1') == tonumber(ARGV[2]) then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
"""


class CaseTimers:
    """The timers of every case, in ``key``."""

    def __init__(self, client: redis.Redis, key: str) -> None:
        self.r = client
        self.key = key
        self._claim = client.register_script(_CLAIM)
        self._done = client.register_script(_DONE)

    def set(self, number: int, kind: str, at: datetime) -> None:
        """Due at ``at``; setting a timer again moves it."""
        self.set_many(number, {kind: at})

    def set_many(self, number: int, due: Mapping[str, datetime]) -> None:
        """Several of one case's timers (``kind`` → due) in one command."""
        if due:
            self.r.zadd(self.key, {f"{number}:{kind}": at.timestamp() for kind, at in due.items()})

    def forget(self, numbers: list[int], kind: str) -> None:
        """The ``kind`` timers of these cases go (one command for them all)."""
        if numbers:
            self.r.zrem(self.key, *(f"{number}:{kind}" for number in numbers))

    def claim_due(self, now: float, limit: int = CLAIM_BATCH) -> tuple[list[tuple[int, str]], int]:
        """The timers due at ``now`` (every timer for ``math.inf``), leased; and the lease to end them."""
        lease = int(now if math.isfinite(now) else self._now()) + LEASE_SECONDS
        members = self._claim(keys=[self.key], args=[now if math.isfinite(now) else "+inf", lease, limit])
        due = []
        for member in members:
            number, _, kind = text(member).partition(":")
            due.append((int(number), kind))
        return due, lease

    def done(self, number: int, kind: str, lease: int) -> None:
        """The check of a claimed timer is over: it goes, unless the check set it again."""
        self._done(keys=[self.key], args=[f"{number}:{kind}", lease])

    def pending(self) -> list[tuple[int, str, float]]:
        """Every timer with its due time, soonest first."""
        out = []
        pairs: list[tuple[bytes, float]] = self.r.zrange(self.key, 0, -1, withscores=True)  # type: ignore[assignment]
        for member, score in pairs:
            number, _, kind = text(member).partition(":")
            out.append((int(number), kind, float(score)))
        return out

    def _now(self) -> float:
        seconds, micros = self.r.time()
        return float(seconds) + int(micros) / 1e6
