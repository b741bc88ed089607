"""Which cases are open and which are closed, and since when: the retention clock.

Every transition tells :class:`CaseTracker` the case's new state in one round trip. A closed case
(posted, resolved or ignored) is noted with the time it closed, and when a retention policy is
published (:mod:`bridge.store.retention` writes it from the playbook) its keys get a Redis expiry
right away, so they go even if no sweep ever runs; a case reopened loses the note and the expiry.
A closing case is also noted as waiting to be archived into the case history, in the same step, so
no closed case is missed by the history even when the job that archives it is lost.
"""

from __future__ import annotations

import redis

__all__ = ["GRACE_SECONDS", "TRACK_LUA", "CaseTracker", "case_keys", "stub_key", "track_keys"]

#: Redis expires a closed case this long after the sweep would have removed it: the sweep goes first,
#: counting and exporting; the expiry is only the safety net.
GRACE_SECONDS = 86_400

#: The script, also run as a function inside :mod:`bridge.store.fast_transitions`' one-trip script.
TRACK_LUA = """
-- KEYS[1] open zset, KEYS[2] closed zset, KEYS[3] policy hash, KEYS[4] history's to-archive zset,
-- KEYS[5..] the case's keys; ARGV[1] number, ARGV[2] now (s), ARGV[3] '1' closed / '0' open,
-- ARGV[4] grace (s)
if ARGV[3] == '1' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
  redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
  local keep = tonumber(redis.call('HGET', KEYS[3], 'closed_seconds') or '0')
  if keep > 0 then
    for i = 5, #KEYS do redis.call('EXPIRE', KEYS[i], keep + tonumber(ARGV[4])) end
  end
else
  redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
  if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 then
    for i = 5, #KEYS do redis.call('PERSIST', KEYS[i]) end
  end
end
return 1
"""


def case_keys(prefix: str, number: int | str) -> list[str]:
    """The keys that grow with a case: its hash, its timeline, its drafts, its chat messages."""
    return [f"{prefix}case:{number}{part}" for part in ("", ":audit", ":drafts", ":msgs")]


#: The tracker's own keys under the bridge's prefix: open cases, closed cases, the retention policy,
#: cases waiting for the history.
_OPEN, _CLOSED, _POLICY, _TO_ARCHIVE = "open", "retention:closed", "retention:policy", "history:to-archive"


def track_keys(prefix: str, number: int | str) -> list[str]:
    """The ``KEYS`` of :data:`TRACK_LUA` for case ``number``."""
    own = [prefix + name for name in (_OPEN, _CLOSED, _POLICY, _TO_ARCHIVE)]
    return own + case_keys(prefix, number)


def stub_key(prefix: str, number: int | str) -> str:
    """What is left of a compacted case (:mod:`bridge.store.compaction`): its state, when it closed and
    the post keys kept to recognise its posts, without a word of the customer's."""
    return f"{prefix}case:{number}:compacted"


class CaseTracker:
    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.prefix = prefix
        self._track = client.register_script(TRACK_LUA)

    @property
    def open_key(self) -> str:
        return self.prefix + _OPEN

    @property
    def closed_key(self) -> str:
        return self.prefix + _CLOSED

    @property
    def to_archive_key(self) -> str:
        """Cases closed and not yet written to the case history (:mod:`bridge.reports.archive`)."""
        return self.prefix + _TO_ARCHIVE

    @property
    def policy_key(self) -> str:
        return self.prefix + _POLICY

    def track(self, number: int, *, closed: bool, at: float) -> None:
        self._track(
            keys=track_keys(self.prefix, number),
            args=[number, at, "1" if closed else "0", GRACE_SECONDS],
        )
