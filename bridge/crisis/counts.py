"""Rolling per-topic counts in Redis, and the baseline each topic is compared with.

Every mention lands in its topic's per-minute bucket (mentions, negative ones, followers reached) and
hourly bucket. Named topics learn a baseline per hour of the week: when an hour is over it is folded
into an exponentially weighted moving average for that slot (Monday 09:00 UTC learns only from past
Mondays 09:00), plus one over all hours for slots not seen yet. Hours in which the topic had an open
alert are not learned, so one fire does not teach the bridge that fires are normal. Clusters are too
young for weeks of history: their baseline is their own previous two hours, which tells a sudden
burst from a question people ask all day. Counting, folding and summing are one Lua script, so one
mention costs one round trip and several pollers count without racing. Buckets that no window reads
any more are deleted by the bridge's clock as mentions arrive, so the state is bounded by the
windows, not by the traffic (Redis' expiry stays as the backstop).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis
from redis.client import Pipeline
from redis.exceptions import NoScriptError

__all__ = [
    "HOURS_PER_WEEK",
    "HOUR_BUCKET_TTL_SECONDS",
    "MINUTE_BUCKET_TTL_SECONDS",
    "MONDAY_SHIFT_HOURS",
    "TRAILING_HOURS",
    "WEEKDAYS",
    "Baseline",
    "RollingCounts",
    "WindowStats",
    "describe_slot",
    "hour_of_week",
    "minute_of",
]

HOURS_PER_WEEK = 168
#: Hours since the epoch start on a Thursday; this shift makes hour-of-week slot 0 Monday 00:00 UTC.
MONDAY_SHIFT_HOURS = 72
MINUTE_BUCKET_TTL_SECONDS = 4 * 3600
HOUR_BUCKET_TTL_SECONDS = 8 * 24 * 3600
TRAILING_HOURS = 2  # a cluster's baseline: its own rate over the two hours before the window
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_OBSERVE = """
-- ARGV: 1 topic key prefix, 2 mention minute, 3 window end minute, 4 window minutes, 5 negative 0/1,
-- 6 reach, 7 learn 0/1 (hour-of-week baseline; 0: trailing baseline), 8 alpha, 9 minute ttl,
-- 10 hour ttl, 11 hours per week, 12 monday shift, 13 count 0/1 (0: only read the window),
-- 14 the topic's open-alert key, 15 trailing hours
local p = ARGV[1]
local at, now_m, window = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local learn, alpha = ARGV[7] == '1', tonumber(ARGV[8])
local week, shift, trailing = tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[15])
local hour = math.floor(now_m / 60)
if ARGV[13] == '1' then
  local mkey = p .. 'm:' .. at
  redis.call('HINCRBY', mkey, 'n', 1)
  if ARGV[5] == '1' then redis.call('HINCRBY', mkey, 'neg', 1) end
  redis.call('HINCRBY', mkey, 'reach', tonumber(ARGV[6]))
  redis.call('EXPIRE', mkey, tonumber(ARGV[9]))
  local hkey = p .. 'h:' .. math.floor(at / 60)
  redis.call('HINCRBY', hkey, 'n', 1)
  if ARGV[5] == '1' then redis.call('HINCRBY', hkey, 'neg', 1) end
  if redis.call('EXISTS', ARGV[14]) == 1 then redis.call('HSET', hkey, 'alert', 1) end
  redis.call('EXPIRE', hkey, tonumber(learn and ARGV[10] or ARGV[9]))
  -- buckets that fell out of every window go now, by our clock (a few per mention), not only
  -- when Redis' expiry comes: minutes older than the window and an hour; a cluster's hours older
  -- than its trailing hours
  local pruned = p .. 'pruned'
  local oldest_m, oldest_h = now_m - window - 60, hour - trailing - 1
  local marks = redis.call('HMGET', pruned, 'm', 'h')
  local from_m, from_h = tonumber(marks[1] or oldest_m), tonumber(marks[2] or oldest_h)
  local to_m = math.min(oldest_m, from_m + 50)
  for m = from_m, to_m - 1 do redis.call('DEL', p .. 'm:' .. m) end
  local to_h = from_h
  if not learn then
    to_h = math.min(oldest_h, from_h + 5)
    for h = from_h, to_h - 1 do redis.call('DEL', p .. 'h:' .. h) end
  end
  redis.call('HSET', pruned, 'm', math.max(from_m, to_m), 'h', math.max(from_h, to_h))
  redis.call('EXPIRE', pruned, tonumber(learn and ARGV[10] or ARGV[9]))
end
if learn then
  local last = tonumber(redis.call('GET', p .. 'last_hour') or '-1')
  if last < 0 then
    redis.call('SET', p .. 'last_hour', hour)
  elseif hour > last then
    local base = p .. 'base'
    local function ewma(field, value)
      local seen = tonumber(redis.call('HGET', base, field .. ':n') or '0')
      local old = tonumber(redis.call('HGET', base, field) or '0')
      local new = value
      if seen > 0 then new = alpha * value + (1 - alpha) * old end
      redis.call('HSET', base, field, tostring(new))
      redis.call('HSET', base, field .. ':n', seen + 1)
    end
    for h = math.max(last, hour - week), hour - 1 do
      local v = redis.call('HMGET', p .. 'h:' .. h, 'n', 'neg', 'alert')
      local n, neg = tonumber(v[1] or '0'), tonumber(v[2] or '0')
      if not v[3] then
        ewma('slot' .. ((h + shift) % week), n)
        ewma('all', n)
        if n > 0 then ewma('negshare', neg / n) end
      end
    end
    redis.call('SET', p .. 'last_hour', hour)
  end
end
local n, neg, reach, overlap, overlap_minutes = 0, 0, 0, 0, 0
for m = now_m - window + 1, now_m do
  local v = redis.call('HMGET', p .. 'm:' .. m, 'n', 'neg', 'reach')
  local c = tonumber(v[1] or '0')
  n = n + c; neg = neg + tonumber(v[2] or '0'); reach = reach + tonumber(v[3] or '0')
  local mh = math.floor(m / 60)
  if mh < hour and mh >= hour - trailing then
    overlap = overlap + c; overlap_minutes = overlap_minutes + 1
  end
end
if learn then
  local slot = 'slot' .. ((hour + shift) % week)
  local b = redis.call('HMGET', p .. 'base', slot, slot .. ':n', 'all', 'all:n', 'negshare', 'negshare:n')
  return {n, neg, reach, b[1] or '', b[2] or '0', b[3] or '', b[4] or '0', b[5] or '', b[6] or '0'}
end
-- the trailing hours before the current one, less the part of them inside the window
local before = -overlap
for h = hour - trailing, hour - 1 do
  before = before + tonumber(redis.call('HGET', p .. 'h:' .. h, 'n') or '0')
end
return {n, neg, reach, tostring(math.max(0, before)), tostring(trailing * 60 - overlap_minutes)}
"""


def minute_of(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def hour_of_week(moment: datetime) -> int:
    """0 is Monday 00:00–01:00 UTC, 167 is Sunday 23:00–24:00 UTC."""
    return (int(moment.timestamp() // 3600) + MONDAY_SHIFT_HOURS) % HOURS_PER_WEEK


def describe_slot(slot: int) -> str:
    return f"{WEEKDAYS[slot // 24]} {slot % 24:02d}:00–{(slot % 24 + 1) % 24:02d}:00 UTC"


@dataclass(frozen=True)
class Baseline:
    """What a topic usually sees, per hour; ``source`` says where the figure comes from."""

    hourly: float
    source: str  # "same hour of week", "all hours", "not learned yet"
    weeks: int = 0
    negative_share: float | None = None

    def expected(self, window_minutes: int) -> float:
        return self.hourly * window_minutes / 60


@dataclass(frozen=True)
class WindowStats:
    """A topic's last ``window_minutes`` as of ``minute``."""

    topic: str
    minute: int
    window_minutes: int
    count: int
    negative: int
    reach: int
    baseline: Baseline

    @property
    def negative_share(self) -> float:
        return self.negative / self.count if self.count else 0.0


def _float(raw: object) -> float | None:
    text = raw.decode() if isinstance(raw, bytes) else str(raw)
    return float(text) if text else None


def _baseline(raw: list[object]) -> Baseline:
    if len(raw) == 2:  # a cluster: its own rate over the trailing hours before the window
        before, minutes = (_float(v) or 0.0 for v in raw)
        return Baseline(before * 60 / minutes if minutes > 0 else 0.0, f"previous {TRAILING_HOURS} hours")
    slot, slot_n, overall, overall_n, neg, neg_n = raw
    negative_share = _float(neg) if int(_float(neg_n) or 0) else None
    if int(_float(slot_n) or 0) > 0:
        return Baseline(_float(slot) or 0.0, "same hour of week", int(_float(slot_n) or 0), negative_share)
    if int(_float(overall_n) or 0) > 0:
        return Baseline(_float(overall) or 0.0, "all hours", int(_float(overall_n) or 0), negative_share)
    return Baseline(0.0, "not learned yet", 0, negative_share)


class RollingCounts:
    """Per-topic minute buckets and hour-of-week baselines under ``prefix`` (e.g. ``bridge:crisis:``)."""

    def __init__(self, client: redis.Redis, prefix: str, alpha: float = 0.3) -> None:
        self.r = client
        self.prefix = prefix
        self.alpha = alpha
        self._script = client.register_script(_OBSERVE)

    def _topic_prefix(self, topic: str) -> str:
        return f"{self.prefix}t:{topic}:"

    def _args(
        self,
        topic: str,
        *,
        at: datetime,
        now: datetime,
        window_minutes: int,
        negative: bool,
        reach: int,
        learn: bool,
        count: bool,
        alert_key: str = "",
    ) -> list[str | int | float]:
        now_minute = minute_of(now)
        minute = min(minute_of(at), now_minute)  # a clock ahead of ours must not count in the future
        return [
            self._topic_prefix(topic),
            minute,
            now_minute,
            window_minutes,
            int(negative),
            max(0, int(reach)),
            int(learn),
            self.alpha,
            MINUTE_BUCKET_TTL_SECONDS,
            HOUR_BUCKET_TTL_SECONDS,
            HOURS_PER_WEEK,
            MONDAY_SHIFT_HOURS,
            int(count),
            alert_key,
            TRAILING_HOURS,
        ]

    @staticmethod
    def _stats(topic: str, args: list[str | int | float], raw: list[object]) -> WindowStats:
        n, neg, total_reach = (int(str(v)) for v in raw[:3])
        return WindowStats(
            topic, int(str(args[2])), int(str(args[3])), n, neg, total_reach, _baseline(raw[3:])
        )

    def _run(self, topic: str, **kwargs: Any) -> WindowStats:
        args = self._args(topic, **kwargs)
        return self._stats(topic, args, self._script(args=args))

    def observe_in(self, pipe: Pipeline, topic: str, **kwargs: Any) -> Callable[[object], WindowStats]:
        """Queue :meth:`observe` on the caller's pipeline, so counting shares its round trip; call the
        returned function with the pipeline's result for this command."""
        args = self._args(topic, count=True, **kwargs)
        # EVALSHA directly: a registered script would add a SCRIPT EXISTS round trip to every pipeline
        pipe.execute_command("EVALSHA", self._script.sha, 0, *args)  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated

        def parse(raw: object) -> WindowStats:
            if isinstance(raw, NoScriptError):  # Redis restarted and forgot it: run it the long way
                raw = self._script(args=args)
            elif isinstance(raw, Exception):
                raise raw
            return self._stats(topic, args, raw)  # type: ignore[arg-type]

        return parse

    def observe(
        self,
        topic: str,
        *,
        at: datetime,
        now: datetime,
        window_minutes: int,
        negative: bool = False,
        reach: int = 0,
        learn: bool = True,
        alert_key: str = "",
    ) -> WindowStats:
        """Count one mention posted at ``at`` and return the window ending ``now``; ``alert_key``
        names the topic's open-alert key, whose existence keeps this hour out of the baseline."""
        return self._run(
            topic,
            at=at,
            now=now,
            window_minutes=window_minutes,
            negative=negative,
            reach=reach,
            learn=learn,
            count=True,
            alert_key=alert_key,
        )

    def window(self, topic: str, *, now: datetime, window_minutes: int, learn: bool = True) -> WindowStats:
        """The window ending ``now`` without counting anything (the calm-down check)."""
        return self._run(
            topic,
            at=now,
            now=now,
            window_minutes=window_minutes,
            negative=False,
            reach=0,
            learn=learn,
            count=False,
        )
