"""Compaction: a closed case that the case history holds and that has been quiet for a while leaves
Redis except for what still recognises its posts.

A closed case kept its whole hash (about 1.6 KB), its timeline stream (about 1.7 KB), its drafts and
chat-message keys in Redis until retention removed it, 90 days later by default. Once the history
(:mod:`bridge.store.history`) holds it, Redis need not: after ``compact_after_days`` days without a
timeline entry (the playbook's ``retention: compact_after_days``), the sweep keeps only

- the ``post:<platform>:<id>`` keys of the case's posts, so a post delivered or polled again is still
  never taken in twice, and
- a stub (:func:`bridge.store.closing.stub_key`): its state, when it closed, the kept keys' names,

and adds the case's anonymous figures to the day's counts, as removal would. Everything else goes:
hash, timeline, drafts, chat-message and reply indexes, the author's latest-case pointer. The case
then reads as :class:`~bridge.domain.errors.CaseCompacted` (an unknown case to everything live), so a
reply to our old answer opens a new case, whose card shows the customer's history.

A case is compacted only when, at that moment (one script):

- it is still closed since the same time and no write to the history is pending for it;
- its timeline has not grown since it was read, and triage's harvest has taken its labels
  (``learned`` is the timeline's length), so learning loses nothing;
- no tracked link of its answers is live and no survey waits for its customer's answer;
- the history confirms it holds the case as read: ``confirm`` is given the hash and timeline and
  answers from the database. A history that is down or behind confirms nothing: nothing is lost.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bridge.store.closing import stub_key
from bridge.store.retention import SWEEP_BATCH, _append, day_counts
from bridge.store.transitions import text as _s

if TYPE_CHECKING:
    from bridge.store.retention import Policy, Retention

__all__ = ["Compaction", "Confirm", "Stub", "read_stub"]

#: Told a case's hash and timeline: True when the case history holds that very version.
Confirm = Callable[[int, dict[str, str], list[dict[str, str]]], bool]
ERASED = "[erased"

_COMPACT = """
-- KEYS[1] closed zset, KEYS[2] to-archive zset, KEYS[3] day counts, KEYS[4] stub, KEYS[5] case hash,
-- KEYS[6] timeline, KEYS[7] author's latest case, KEYS[8..] other keys to delete;
-- ARGV[1] number, ARGV[2] closed at (as read), ARGV[3] state (as read), ARGV[4] timeline length,
-- ARGV[5] stub json, ARGV[6..] count field, increment
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[2]) then return 0 end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
if redis.call('HGET', KEYS[5], 'state') ~= ARGV[3] then return 0 end
if redis.call('XLEN', KEYS[6]) ~= tonumber(ARGV[4]) then return 0 end
local ttl = redis.call('PTTL', KEYS[5])
for i = 6, #ARGV, 2 do redis.call('HINCRBY', KEYS[3], ARGV[i], ARGV[i + 1]) end
if redis.call('GET', KEYS[7]) == ARGV[1] then redis.call('DEL', KEYS[7]) end
redis.call('DEL', KEYS[5], KEYS[6])
for i = 8, #KEYS do redis.call('DEL', KEYS[i]) end
redis.call('SET', KEYS[4], ARGV[5])
if ttl > 0 then redis.call('PEXPIRE', KEYS[4], ttl) end
return 1
"""


class Stub(dict[str, Any]):
    """``state``, ``closed`` (ISO day and time) and ``keep`` (the post keys' names, without prefix)."""


def read_stub(client: Any, prefix: str, number: int | str) -> Stub | None:
    raw = client.get(stub_key(prefix, number))
    return Stub(json.loads(_s(raw))) if raw else None


class Compaction:
    def __init__(self, retention: Retention, confirm: Confirm) -> None:
        self.retention = retention
        self.store = retention.store
        self.r = retention.r
        self.confirm = confirm
        self._compact = self.r.register_script(_COMPACT)

    def run(self, policy: Policy, now: datetime, deadline: Callable[[], bool]) -> list[int]:
        """Compact every closed case quiet since ``compact_after_days``; returns their numbers."""
        if not policy.compact_after_days:
            return []
        cutoff = (now - timedelta(days=policy.compact_after_days)).timestamp()
        done: list[int] = []
        start = 0
        while not deadline():
            due: list[tuple[bytes, float]] = self.r.zrangebyscore(
                self.retention.tracker.closed_key, "-inf", cutoff, start, SWEEP_BATCH, withscores=True
            )  # type: ignore[assignment]
            pipe = self.r.pipeline(transaction=False)
            for member, _ in due:
                pipe.exists(self.store.k("case", _s(member)))
            present = pipe.execute()
            for (member, closed_at), here in zip(due, present, strict=True):
                if here and self.compact(int(_s(member)), closed_at, cutoff, policy, now):
                    done.append(int(_s(member)))
            if len(due) < SWEEP_BATCH:
                break
            start += SWEEP_BATCH  # compacted cases stay listed as closed until retention removes them
        return done

    def compact(self, number: int, closed_at: float, cutoff: float, policy: Policy, now: datetime) -> bool:
        raw = {_s(k): _s(v) for k, v in self.r.hgetall(self.store.k("case", number)).items()}
        timeline = self.retention._timeline(number)
        if not raw or not timeline or not _quiet(timeline, cutoff) or not _harvested(raw, timeline):
            return False
        if self._may_still_hear(number, raw):
            return False
        if not self.confirm(number, raw, timeline):
            return False
        if policy.audit == "export":
            _append(
                self.retention._export_dir(policy) / f"cases-{now:%Y-%m-%d}.jsonl",
                [self.retention._case_record(number)],
            )
        indexes = self.retention._indexes(raw, timeline)
        post = self.store.k("post", "")
        kept = [k for k in indexes if k.startswith(post)]
        dropped = [k for k in indexes if not k.startswith(post)]
        closed = datetime.fromtimestamp(closed_at, UTC).isoformat(timespec="seconds")
        stub = {"state": raw["state"], "closed": closed, "keep": [k[len(self.store.prefix) :] for k in kept]}
        day = (raw.get("ingested_at") or closed)[:10]
        args: list[Any] = [number, repr(closed_at), raw["state"], len(timeline), json.dumps(stub)]
        for name, value in day_counts(raw, timeline).items():
            args += [name, value]
        author = self.store.k("author", raw.get("platform", ""), raw.get("author_id", ""))
        keys = [
            self.retention.tracker.closed_key,
            self.retention.tracker.to_archive_key,
            self.retention.counts_key(day),
            stub_key(self.store.prefix, number),
            self.store.k("case", number),
            self.store.k("case", number, "audit"),
            author,
            self.store.k("case", number, "drafts"),
            self.store.k("case", number, "msgs"),
            *dropped,
        ]
        return bool(self._compact(keys=keys, args=args))

    def _may_still_hear(self, number: int, raw: dict[str, str]) -> bool:
        """A tracked link of its answer (kept ``measure.link_days``) or a survey its customer may still
        answer would add to the case: it stays whole, so its clicks, conversions and answer still
        reach the history (removal at ``closed_case_days`` ends that, as before)."""
        if self.r.exists(self.store.k("links", "case", number)):
            return True
        pending = self.r.get(
            self.store.k("survey", "pending", raw.get("platform", ""), raw.get("author_id", ""))
        )
        return bool(pending) and json.loads(_s(pending)).get("case") == number


def _quiet(timeline: list[dict[str, str]], cutoff: float) -> bool:
    """Nothing happened to the case (a survey answer, a click, a read-back) since ``cutoff``."""
    newest_ms = int(timeline[-1]["id"].split("-")[0])
    return newest_ms / 1000 <= cutoff


def _harvested(raw: dict[str, str], timeline: list[dict[str, str]]) -> bool:
    """Triage's harvest has read the whole timeline (an erased case is never harvested: nothing to learn)."""
    return raw.get("learned") == str(len(timeline)) or raw.get("text", "").startswith(ERASED)
