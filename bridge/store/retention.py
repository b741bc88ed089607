"""Retention: closed cases leave Redis a set number of days after they closed; the figures stay.

Without this every mention stayed in Redis for good (about 10 KB each). The playbook's
``retention:`` section (:mod:`bridge.playbook.retention_rules`) sets the policy and the sweep applies
it, hourly from the workers (:mod:`bridge.app.workers`) or on demand with ``bridge retention``:

1. the policy is published in Redis, so a case that closes from now on gets its expiry at once
   (:mod:`bridge.store.closing`);
2. cases closed before there was a policy are found once and given their closing time;
3. every case closed longer ago than ``closed_case_days`` is removed with its timeline, drafts and
   indexes, after its anonymous figures are added to the day's counts (``stats:day:<date>``: cases
   by platform, verdict, department, priority, final state; answers and first-response seconds) and,
   with ``audit: export``, after it is written with its timeline to a JSON-lines file;
4. with ``compact_after_days``, closed cases the case history holds and that have been quiet that
   long keep only their post keys and a small stub in Redis (:mod:`bridge.store.compaction`);
5. with ``audit: drop`` or ``export`` the audit stream loses entries older than ``audit_days`` (XTRIM
   MINID), exported first with ``export``.

A case reopened between the sweep's read and its removal is left alone: the removal script checks
that the case is still closed since the same moment.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bridge.domain.lifecycle import FINISHED_STATES
from bridge.store.cases import FIRST_CASE_NUMBER, Store
from bridge.store.closing import GRACE_SECONDS, CaseTracker, case_keys, stub_key
from bridge.store.transitions import text as _s

__all__ = [
    "AUDIT_EXPORT_BATCH",
    "BACKFILL_BATCH",
    "DAY_SECONDS",
    "SWEEP_BATCH",
    "Policy",
    "Retention",
    "Swept",
    "day_counts",
]

SWEEP_BATCH = 500
BACKFILL_BATCH = 1000
AUDIT_EXPORT_BATCH = 5000
DAY_SECONDS = 86_400

_REMOVE = """
-- KEYS[1] closed zset, KEYS[2] day counts, KEYS[3] case hash, KEYS[4..] its other keys and indexes;
-- ARGV[1] number, ARGV[2] closed at (as read), ARGV[3] closed states, ARGV[4..] count field, increment
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[2]) then return 0 end
local state = redis.call('HGET', KEYS[3], 'state')
if state and not string.find(',' .. ARGV[3] .. ',', ',' .. state .. ',', 1, true) then
  redis.call('ZREM', KEYS[1], ARGV[1])  -- open again: not ours to remove
  return 0
end
redis.call('ZREM', KEYS[1], ARGV[1])
for i = 4, #ARGV, 2 do redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1]) end
for i = 3, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
"""

_BACKFILL = """
-- KEYS[1] closed zset, KEYS[2] case hash, KEYS[3] its timeline, KEYS[4..] its other keys;
-- ARGV[1] number, ARGV[2] closed states, ARGV[3] seconds to keep (0: no expiry), ARGV[4] grace,
-- ARGV[5] now (s). A closed case nobody noted is noted as closed at its last timeline entry.
local state = redis.call('HGET', KEYS[2], 'state')
if not state or not string.find(',' .. ARGV[2] .. ',', ',' .. state .. ',', 1, true) then return 0 end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local newest = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
local at = 0
if #newest > 0 then at = tonumber(string.match(newest[1][1], '^(%d+)')) / 1000 end
redis.call('ZADD', KEYS[1], at, ARGV[1])
local keep, grace = tonumber(ARGV[3]), tonumber(ARGV[4])
if keep > 0 then
  local ttl = math.max(math.floor(at + keep + grace - tonumber(ARGV[5])), grace)
  for i = 2, #KEYS do redis.call('EXPIRE', KEYS[i], ttl) end
end
return 1
"""


@dataclass(frozen=True)
class Policy:
    """The playbook's ``retention:`` section in the store's terms."""

    closed_case_days: int
    audit: str = "keep"  # keep, drop or export
    audit_days: int = 0  # 0: closed_case_days
    export_dir: Path | None = None  # needed for audit: export
    compact_after_days: int | None = None  # None: closed cases keep everything until removed

    @property
    def closed_seconds(self) -> int:
        return self.closed_case_days * DAY_SECONDS


@dataclass
class Swept:
    backfilled: int = 0
    removed: list[int] = field(default_factory=list)
    compacted: list[int] = field(default_factory=list)
    audit_trimmed: int = 0
    exported: list[Path] = field(default_factory=list)


class Retention:
    def __init__(
        self,
        store: Store,
        before_removal: Callable[[list[int]], object] | None = None,
        confirm: Callable[[int, dict[str, str], list[dict[str, str]]], bool] | None = None,
    ) -> None:
        """``before_removal`` is given each batch of cases about to leave Redis, first: the
        application writes them to the case history (an upsert, so cases already there are only
        refreshed). ``confirm`` says whether the case history holds a case as Redis has it: without
        it no case is compacted (:mod:`bridge.store.compaction`)."""
        self.store = store
        self.before_removal = before_removal
        self.confirm = confirm
        self.r = store.r
        self.tracker = CaseTracker(store.r, store.prefix)
        self._remove = store.r.register_script(_REMOVE)
        self._backfill = store.r.register_script(_BACKFILL)

    def publish(self, policy: Policy | None) -> None:
        """Tell the closing transition how long a closed case lives (nothing: it lives on). With
        ``export`` no expiry is set: only the sweep, which exports first, may remove a case."""
        if policy is None:
            self.r.delete(self.tracker.policy_key)
            return
        keep = 0 if policy.audit == "export" else policy.closed_seconds
        self.r.hset(self.tracker.policy_key, mapping={"closed_seconds": keep, "audit": policy.audit})

    def sweep(self, policy: Policy, now: datetime, budget_seconds: float | None = None) -> Swept:
        """Apply ``policy`` as of ``now``; with a budget, stop starting new batches once it is spent
        (the next sweep goes on from there)."""
        deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
        self.publish(policy)
        swept = Swept()
        while True:
            noted, more = self.backfill(policy)
            swept.backfilled += noted
            if not more or _spent(deadline):
                break
        cutoff = (now - timedelta(days=policy.closed_case_days)).timestamp()
        while not _spent(deadline):
            due: list[tuple[bytes, float]] = self.r.zrangebyscore(
                self.tracker.closed_key, "-inf", cutoff, 0, SWEEP_BATCH, withscores=True
            )  # type: ignore[assignment]
            records = [(int(_s(n)), float(score)) for n, score in due]
            if self.before_removal is not None and records:
                self.before_removal([n for n, _ in records])
            if policy.audit == "export" and records:
                path = self._export_dir(policy) / f"cases-{now:%Y-%m-%d}.jsonl"
                # a compacted case was written to the export when it was compacted
                _append(path, (c for c in (self._case_record(n) for n, _ in records) if c["facts"]))
                if path not in swept.exported:
                    swept.exported.append(path)
            removed = [n for n, closed_at in records if self._remove_case(n, closed_at)]
            swept.removed += removed
            if len(records) < SWEEP_BATCH or not removed:  # the last batch, or none would go
                break
        if self.confirm is not None and policy.compact_after_days:
            from bridge.store.compaction import Compaction  # it builds on this module

            swept.compacted = Compaction(self, self.confirm).run(policy, now, lambda: _spent(deadline))
        if policy.audit in ("drop", "export"):
            swept.audit_trimmed = self._trim_audit(policy, now, swept)
        return swept

    # cases closed before the policy --------------------------------------------------------------------
    def backfill(self, policy: Policy) -> tuple[int, bool]:
        """Note the closing time of closed cases nobody noted (closed before retention existed), one
        batch from where the last call stopped; returns how many were noted and whether more wait."""
        marker = self.store.k("retention", "scanned")
        first = int(self.r.get(marker) or FIRST_CASE_NUMBER) + 1
        newest = int(self.r.get(self.store.k("seq")) or FIRST_CASE_NUMBER)
        last = min(newest, first + BACKFILL_BATCH - 1)
        if last < first:
            return 0, False
        keep = 0 if policy.audit == "export" else policy.closed_seconds
        closed = ",".join(sorted(FINISHED_STATES))
        pipe = self.r.pipeline(transaction=False)
        for number in range(first, last + 1):
            self._backfill(
                keys=[self.tracker.closed_key, *case_keys(self.store.prefix, number)],
                args=[number, closed, keep, GRACE_SECONDS, time.time()],
                client=pipe,
            )
        noted = sum(int(x) for x in pipe.execute())
        self.r.set(marker, last)
        return noted, last < newest

    # one case ------------------------------------------------------------------------------------------
    def _remove_case(self, number: int, closed_at: float) -> bool:
        raw = {_s(k): _s(v) for k, v in self.r.hgetall(self.store.k("case", number)).items()}
        timeline = self._timeline(number)
        counts = day_counts(raw, timeline) if raw else {}
        day = (raw.get("ingested_at") or datetime.fromtimestamp(closed_at, UTC).isoformat())[:10]
        keys = [*case_keys(self.store.prefix, number), *self._indexes(raw, timeline)]
        if not raw:  # compacted: its figures were counted then, only its stub and post keys are left
            stub = self.r.get(stub_key(self.store.prefix, number))
            kept = json.loads(_s(stub)).get("keep", []) if stub else []
            keys += [stub_key(self.store.prefix, number), *(self.store.prefix + k for k in kept)]
        args: list[Any] = [number, repr(closed_at), ",".join(sorted(FINISHED_STATES))]
        for name, value in counts.items():
            args += [name, value]
        return bool(self._remove(keys=[self.tracker.closed_key, self.counts_key(day), *keys], args=args))

    def counts_key(self, day: str) -> str:
        return self.store.k("stats", "day", day)

    def counts(self, day: str) -> dict[str, int]:
        """The anonymous figures of cases ingested on ``day`` (YYYY-MM-DD) that have been removed."""
        return {_s(k): int(v) for k, v in self.r.hgetall(self.counts_key(day)).items()}

    def _timeline(self, number: int) -> list[dict[str, str]]:
        entries = []
        for entry_id, raw in self.r.xrange(self.store.k("case", number, "audit")) or []:
            entries.append({"id": _s(entry_id), **{_s(k): _s(v) for k, v in (raw or {}).items()}})
        return entries

    def _indexes(self, raw: dict[str, str], timeline: list[dict[str, str]]) -> list[str]:
        """The small keys that point at the case: its posts, our replies, its chat messages."""
        platform = raw.get("platform", "")
        keys = [self.store.k("post", platform, raw["post_id"])] if raw.get("post_id") else []
        for entry in timeline:
            if entry.get("action") == "customer_follow_up" and entry.get("post_id"):
                keys.append(self.store.k("post", platform, entry["post_id"]))
            if entry.get("reply_id"):
                keys.append(self.store.k("ours", platform, entry["reply_id"]))
            if entry.get("ts") and entry.get("chat") and entry.get("channel"):
                keys.append(self.store.k("msg", entry["chat"], entry["channel"], entry["ts"]))
        if raw.get("chat") and raw.get("channel") and raw.get("card_ts"):
            keys.append(self.store.k("msg", raw["chat"], raw["channel"], raw["card_ts"]))
        number = raw.get("number", "")
        keys += [self.store.k("msg", _s(m)) for m in self.r.smembers(self.store.k("case", number, "msgs"))]
        return sorted(set(keys))

    def _case_record(self, number: int) -> dict[str, Any]:
        raw = {_s(k): _s(v) for k, v in self.r.hgetall(self.store.k("case", number)).items()}
        drafts = {_s(k): _s(v) for k, v in self.r.hgetall(self.store.k("case", number, "drafts")).items()}
        return {"case": number, "facts": raw, "timeline": self._timeline(number), "drafts": drafts}

    # the audit stream ----------------------------------------------------------------------------------
    def _trim_audit(self, policy: Policy, now: datetime, swept: Swept) -> int:
        days = policy.audit_days or policy.closed_case_days
        min_id = f"{int((now - timedelta(days=days)).timestamp() * 1000)}-0"
        key = self.store.k("audit")
        if policy.audit == "export":
            path = self._export_dir(policy) / f"audit-{now:%Y-%m-%d}.jsonl"
            start, written = "-", 0
            while True:
                chunk = self.r.xrange(key, start, f"({min_id}", count=AUDIT_EXPORT_BATCH) or []
                lines = [{"id": _s(i), **{_s(k): _s(v) for k, v in (d or {}).items()}} for i, d in chunk]
                if lines:
                    _append(path, lines)
                    written += len(lines)
                if len(chunk) < AUDIT_EXPORT_BATCH:
                    break
                start = "(" + _s(chunk[-1][0])
            if written:
                swept.exported.append(path)
        return int(self.r.xtrim(key, minid=min_id, approximate=False))

    def _export_dir(self, policy: Policy) -> Path:
        if policy.export_dir is None:
            raise ValueError("audit: export needs an export directory")
        policy.export_dir.mkdir(parents=True, exist_ok=True)
        return policy.export_dir


def day_counts(raw: dict[str, str], timeline: list[dict[str, str]]) -> dict[str, int]:
    """What a removed case leaves behind: nothing about the customer, only what it adds to figures."""
    counts = {"cases": 1}
    for name in ("platform", "verdict", "department", "priority", "kind", "state"):
        if raw.get(name):
            counts[f"{name}:{raw[name]}"] = 1
    answered = [e for e in timeline if e.get("action") == "posted"]
    if answered and raw.get("created_at"):
        first = datetime.fromisoformat(answered[0]["at"]) - datetime.fromisoformat(raw["created_at"])
        counts["answered"] = 1
        counts["first_response_seconds"] = max(0, int(first.total_seconds()))
    return counts


def _spent(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def _append(path: Path, records: Any) -> None:
    """Append JSON lines and make sure they are on disk before anything is deleted."""
    with path.open("a", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())
