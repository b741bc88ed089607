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
4. with ``audit: drop`` or ``export`` the audit stream loses entries older than ``audit_days`` (XTRIM
   MINID), exported first with ``export``.

A case reopened between the sweep's read and its removal is left alone: the removal script checks
that the case is still closed since the same moment.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bridge.domain.lifecycle import FINISHED_STATES
from bridge.store.cases import FIRST_CASE_NUMBER, Store
from bridge.store.closing import GRACE_SECONDS, CaseTracker, case_keys
from bridge.store.transitions import text as _s

SWEEP_BATCH = 1000
BACKFILL_BATCH = 5000
AUDIT_EXPORT_BATCH = 5000
DAY_SECONDS = 86_400

_REMOVE = """
-- KEYS[1] closed zset, KEYS[2] day counts, KEYS[3..] the case's keys and indexes;
-- ARGV[1] number, ARGV[2] closed at (as read), ARGV[3..] count field, increment, ...
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
for i = 3, #ARGV, 2 do redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1]) end
for i = 3, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
"""


@dataclass(frozen=True)
class Policy:
    """The playbook's ``retention:`` section in the store's terms."""

    closed_case_days: int
    audit: str = "keep"  # keep, drop or export
    audit_days: int = 0  # 0: closed_case_days
    export_dir: Path | None = None  # needed for audit: export

    @property
    def closed_seconds(self) -> int:
        return self.closed_case_days * DAY_SECONDS


@dataclass
class Swept:
    backfilled: int = 0
    removed: list[int] = field(default_factory=list)
    audit_trimmed: int = 0
    exported: list[Path] = field(default_factory=list)


class Retention:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.r = store.r
        self.tracker = CaseTracker(store.r, store.prefix)
        self._remove = store.r.register_script(_REMOVE)

    def publish(self, policy: Policy | None) -> None:
        """Tell the closing transition how long a closed case lives (nothing: it lives on). With
        ``export`` no expiry is set: only the sweep, which exports first, may remove a case."""
        if policy is None:
            self.r.delete(self.tracker.policy_key)
            return
        keep = 0 if policy.audit == "export" else policy.closed_seconds
        self.r.hset(self.tracker.policy_key, mapping={"closed_seconds": keep, "audit": policy.audit})

    def sweep(self, policy: Policy, now: datetime, limit: int = SWEEP_BATCH) -> Swept:
        self.publish(policy)
        swept = Swept(backfilled=self.backfill(policy))
        cutoff = (now - timedelta(days=policy.closed_case_days)).timestamp()
        due: list[tuple[bytes, float]] = self.r.zrangebyscore(
            self.tracker.closed_key, "-inf", cutoff, 0, limit, withscores=True
        )  # type: ignore[assignment]
        records = [(int(_s(n)), float(score)) for n, score in due]
        if policy.audit == "export" and records:
            path = self._export_dir(policy) / f"cases-{now:%Y-%m-%d}.jsonl"
            _append(path, (self._case_record(n) for n, _ in records))
            swept.exported.append(path)
        for number, closed_at in records:
            if self._remove_case(number, closed_at):
                swept.removed.append(number)
        if policy.audit in ("drop", "export"):
            swept.audit_trimmed = self._trim_audit(policy, now, swept)
        return swept

    # cases closed before the policy --------------------------------------------------------------------
    def backfill(self, policy: Policy, limit: int = BACKFILL_BATCH) -> int:
        """Note the closing time of closed cases nobody noted (closed before retention existed),
        a batch at a time from where the last sweep stopped; returns how many were noted."""
        marker = self.store.k("retention", "scanned")
        first = int(self.r.get(marker) or FIRST_CASE_NUMBER) + 1
        last = min(int(self.r.get(self.store.k("seq")) or FIRST_CASE_NUMBER), first + limit - 1)
        noted = 0
        for number in range(first, last + 1):
            state = self.r.hget(self.store.k("case", number), "state")
            if state is None or _s(state) not in FINISHED_STATES:
                continue
            if self.r.zscore(self.tracker.closed_key, number) is not None:
                continue
            newest = self.r.xrevrange(self.store.k("case", number, "audit"), count=1)
            closed_at = int(_s(newest[0][0]).split("-")[0]) / 1000 if newest else 0.0
            self.r.zadd(self.tracker.closed_key, {str(number): closed_at}, nx=True)
            if policy.audit != "export":
                ttl = int(closed_at + policy.closed_seconds + GRACE_SECONDS - datetime.now(UTC).timestamp())
                for key in case_keys(self.store.prefix, number):
                    self.r.expire(key, max(ttl, GRACE_SECONDS))
            noted += 1
        if last >= first:
            self.r.set(marker, last)
        return noted

    # one case ------------------------------------------------------------------------------------------
    def _remove_case(self, number: int, closed_at: float) -> bool:
        raw = {_s(k): _s(v) for k, v in self.r.hgetall(self.store.k("case", number)).items()}
        timeline = self._timeline(number)
        counts = day_counts(raw, timeline) if raw else {}
        day = (raw.get("ingested_at") or datetime.fromtimestamp(closed_at, UTC).isoformat())[:10]
        keys = [*case_keys(self.store.prefix, number), *self._indexes(raw, timeline)]
        args: list[Any] = [number, repr(closed_at)]
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


def _append(path: Path, records: Any) -> None:
    """Append JSON lines and make sure they are on disk before anything is deleted."""
    with path.open("a", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())
