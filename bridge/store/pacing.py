"""Send slots per channel, shared by every worker through Redis.

Chat platforms throttle bursts into one channel (Slack: about one message per second). Each sender
reserves the next free slot for its channel and waits until then, so many workers together still keep
the pace without talking to each other.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis

__all__ = ["DEFAULT_INTERVAL_MS", "ChannelPacer"]

_RESERVE = """
-- KEYS[1] next free slot (ms); ARGV[1] now (ms), ARGV[2] interval (ms)
local now = tonumber(ARGV[1])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], slot + tonumber(ARGV[2]), 'PX', tonumber(ARGV[2]) * 10 + 60000)
return slot - now
"""

DEFAULT_INTERVAL_MS = 1000


class ChannelPacer:
    def __init__(
        self,
        client: redis.Redis,
        prefix: str,
        interval_ms: int = DEFAULT_INTERVAL_MS,
        now_ms: Callable[[], int] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.prefix = prefix
        self.interval_ms = interval_ms
        self._reserve = client.register_script(_RESERVE)
        self._now_ms = now_ms or (lambda: int(time.time() * 1000))
        self._sleep = sleep

    def reserve(self, channel: str) -> float:
        """Reserve the channel's next slot; returns the seconds to wait before sending."""
        if self.interval_ms <= 0:
            return 0.0
        wait_ms = self._reserve(
            keys=[f"{self.prefix}pace:{channel}"], args=[self._now_ms(), self.interval_ms]
        )
        return max(0, int(wait_ms)) / 1000

    def wait_turn(self, channel: str) -> float:
        wait = self.reserve(channel)
        if wait > 0:
            self._sleep(wait)
        return wait
