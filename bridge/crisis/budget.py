"""A posting budget shared by every worker: at most ``capacity`` posts per sliding window.

X lets one user post 100 times per 15 minutes. Bulk replies and the statement take a slot here before
each post; when the window is full the caller learns how long to wait and schedules itself for then,
instead of being refused by X. The slots live in Redis, so a restart does not reset the count.
"""

from __future__ import annotations

import uuid

import redis

from bridge.domain.clock import Clock

__all__ = ["PostingBudget"]

_TAKE = """
-- KEYS[1] sorted set of post times; ARGV[1] now (s), ARGV[2] window (s), ARGV[3] capacity, ARGV[4] member
local now, window, capacity = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < capacity then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('EXPIRE', KEYS[1], math.ceil(window) * 2)
  return '0'
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""


class PostingBudget:
    def __init__(self, client: redis.Redis, key: str, clock: Clock) -> None:
        self.r = client
        self.key = key
        self.clock = clock
        self._take = client.register_script(_TAKE)

    def take(self, capacity: int, window_seconds: float) -> float:
        """Take one slot; returns 0 when granted, else the seconds until a slot frees up."""
        now = self.clock.now().timestamp()
        raw = self._take(keys=[self.key], args=[now, window_seconds, capacity, uuid.uuid4().hex])
        return max(0.0, float(raw.decode() if isinstance(raw, bytes) else raw))

    def used(self, window_seconds: float) -> int:
        now = self.clock.now().timestamp()
        return int(self.r.zcount(self.key, now - window_seconds, "+inf"))
