"""Send slots per channel, shared by every worker through Redis.

Chat platforms throttle bursts into one channel (Slack: about one message per second). Each sender
reserves the next free slot for its channel, so many workers together keep the pace without talking
to each other.

A job never sleeps for its slot when it can be put off instead: inside :func:`deferrable`, a job whose
first send finds its channel busy keeps the slot it was given, under the job's own name, and raises
:class:`~bridge.domain.errors.PaceDeferred`; the worker schedules the job for that slot and takes other
work meanwhile, so one busy channel no longer holds up every other channel on that worker. When the
job runs again it finds its slot held and sends at once. Only the job's first send is put off, before
it has changed anything; later sends of the same job (a card and then a note in its thread) wait in
place, as every send outside a job does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import redis

from bridge.domain.errors import PaceDeferred

__all__ = ["DEFAULT_INTERVAL_MS", "STALE_SLOT_SECONDS", "ChannelPacer", "Turn", "deferrable", "sending_at"]

_RESERVE = """
-- KEYS[1] next free slot (ms), KEYS[2] a slot held for one job (or a key never set)
-- ARGV[1] now (ms), ARGV[2] interval (ms), ARGV[3] '1': take the slot held under KEYS[2], else hold
-- a future slot there; '2': only hold (a first attempt, which holds nothing yet); '0': neither
-- returns {ms until the slot, 1 when it was held already}
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
if ARGV[3] == '1' then
  local held = redis.call('GET', KEYS[2])
  if held then
    redis.call('DEL', KEYS[2])
    return {tonumber(held) - now, 1}
  end
end
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], slot + interval, 'PX', slot + interval - now + 60000)
if slot > now and ARGV[3] ~= '0' then
  redis.call('SET', KEYS[2], slot, 'PX', slot - now + 600000)
end
return {slot - now, 0}
"""

DEFAULT_INTERVAL_MS = 1000

#: A carried slot further in the past than this is not used: the job ran again long after it (a
#: worker died mid-job, say), and that moment may by now be close to the channel's later slots.
STALE_SLOT_SECONDS = 5.0


@dataclass
class Turn:
    """One run of one job: ``holder`` names its held slots; ``committed`` once it may have sent;
    ``first`` when nothing can be held under ``holder`` yet (the slot need not be looked up);
    ``slot`` (epoch seconds) when the job carries the slot its first send was given already."""

    holder: str
    committed: bool = False
    first: bool = False
    slot: float | None = None


_turn: ContextVar[Turn | None] = ContextVar("pace_turn", default=None)


@contextmanager
def deferrable(holder: str, *, first: bool = False) -> Iterator[Turn]:
    """Within this block, the first send to a busy channel raises ``PaceDeferred`` instead of sleeping;
    ``holder`` (the job's id) must be the same when the job runs again for its slot; an empty one
    holds nothing, for a caller that carries the slot itself (:func:`sending_at`). ``first``: no
    slot can be held under ``holder`` yet, so none is looked for (one Redis command less a send)."""
    with _taking(Turn(holder, first=first)) as turn:
        yield turn


@contextmanager
def sending_at(slot: float) -> Iterator[Turn]:
    """Within this block, the first send goes at ``slot`` (epoch seconds), a slot the channel gave
    this send earlier (a batch put the card off with it, :func:`bridge.app.jobs.post_cards`): no
    Redis command, and no slot held under a name for the job to find. One long past is not used: the
    send takes a new slot, and is put off to it when that is later."""
    with _taking(Turn("", slot=slot)) as turn:
        yield turn


@contextmanager
def _taking(turn: Turn) -> Iterator[Turn]:
    """``turn`` is the one the sends in this block take (:meth:`ChannelPacer.wait_turn` reads it)."""
    token = _turn.set(turn)
    try:
        yield turn
    finally:
        _turn.reset(token)


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

    def _take(self, channel: str, holder: str, *, first: bool = False) -> tuple[int, bool, int]:
        """(ms to wait, whether the slot was held for ``holder`` already, now in ms)."""
        now = self._now_ms()
        keys = [f"{self.prefix}pace:{channel}", f"{self.prefix}pace-held:{channel}:{holder}"]
        mode = (2 if first else 1) if holder else 0
        wait_ms, held = self._reserve(keys=keys, args=[now, self.interval_ms, mode])
        return max(0, int(wait_ms)), bool(held), now

    def reserve(self, channel: str) -> float:
        """Reserve the channel's next slot; returns the seconds to wait before sending."""
        if self.interval_ms <= 0:
            return 0.0
        return self._take(channel, "")[0] / 1000

    def wait_turn(self, channel: str) -> float:
        """Wait for the channel's slot, or, for a job's first send, raise ``PaceDeferred`` with it."""
        if self.interval_ms <= 0:
            return 0.0
        turn = _turn.get()
        if turn is not None and not turn.committed and turn.slot is not None:
            wait = self._carried(turn, turn.slot)
            if wait is not None:
                return wait
        if turn is None or turn.committed:
            wait = self.reserve(channel)
        else:
            wait_ms, held, now = self._take(channel, turn.holder, first=turn.first)
            if wait_ms > 0 and not held:
                raise PaceDeferred(channel, (now + wait_ms) / 1000)
            wait = wait_ms / 1000  # a held slot due a moment later than the scheduler's whole second
            turn.committed = True
        if wait > 0:
            self._sleep(wait)
        return wait

    def _carried(self, turn: Turn, slot: float) -> float | None:
        """Send at the slot ``turn`` carries (waiting the moment left, if the job came early); None
        when that slot is stale, and the send must take a new one."""
        now = self._now_ms() / 1000
        if now - slot > STALE_SLOT_SECONDS:
            return None
        turn.committed = True
        wait = max(0.0, slot - now)
        if wait > 0:
            self._sleep(wait)
        return wait
