"""Alerts and incidents as Redis records whose state changes only through a table.

The same idea as the case lifecycle (:mod:`bridge.domain.lifecycle` and :class:`bridge.store.cases.Store`), on
the same script (:mod:`bridge.store.transitions`): each kind of record names its actions and the states
each is allowed from; the script checks the current state and any guards, writes, and appends the
entry to the episode's timeline and to the bridge's audit stream in the same step.
Two leaders clicking "Start incident" at once start one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bridge.domain.model import utcnow
from bridge.store.cases import AuditEntry, Store
from bridge.store.transitions import GLOBAL_AUDIT_MAXLEN, Change, TransitionScript
from bridge.store.transitions import text as _s

__all__ = ["Move", "Moved", "Records"]

_CREATE = """
-- KEYS[1] sequence, KEYS[2] global audit; ARGV[1] record key prefix, ARGV[2] fields json,
-- ARGV[3] audit json, ARGV[4] timeline key prefix or '' (own timeline), ARGV[5] maxlen, ARGV[6] kind
local id = tostring(redis.call('INCR', KEYS[1]))
local key = ARGV[1] .. id
local fields = cjson.decode(ARGV[2])
fields['id'] = id
if ARGV[4] == '' then fields['timeline'] = key .. ':timeline' end
for k, v in pairs(fields) do redis.call('HSET', key, k, v) end
local entry = {ARGV[6], id}
for k, v in pairs(cjson.decode(ARGV[3])) do table.insert(entry, k); table.insert(entry, v) end
redis.call('XADD', fields['timeline'], '*', unpack(entry))
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', unpack(entry))
return id
"""


@dataclass(frozen=True)
class Move:
    """From which states an action is allowed, and where it leads (None: recorded, state stays)."""

    allowed_from: frozenset[str]
    to: str | None


@dataclass(frozen=True)
class Moved:
    ok: bool
    state: str
    reason: str = ""  # "state" or "guard" when not ok
    guard: str = ""
    counter: int = 0


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


class Records:
    """Records of one ``kind`` (``alert``, ``incident``) moved by ``table``."""

    def __init__(
        self,
        store: Store,
        kind: str,
        table: Mapping[str, Move],
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.now = now
        self.r = store.r
        self.kind = kind
        self.table = table
        self._create = self.r.register_script(_CREATE)
        self._transition = TransitionScript(self.r)

    def key(self, record_id: int | str, *more: str) -> str:
        return self.store.k("crisis", self.kind, record_id, *more)

    def create(self, fields: Mapping[str, object], by: str, action: str, timeline: str = "") -> int:
        """A new record in its first state; ``timeline`` shares another record's (an alert's) timeline."""
        values = {k: _text(v) for k, v in fields.items()}
        if timeline:
            values["timeline"] = timeline
        audit = {"action": action, "by": by, "at": self.now().isoformat()}
        raw = self._create(
            keys=[self.store.k("crisis", self.kind, "seq"), self.store.k("audit")],
            args=[
                self.key(""),
                json.dumps(values),
                json.dumps(audit),
                timeline,
                GLOBAL_AUDIT_MAXLEN,
                self.kind,
            ],
        )
        return int(raw)

    def get(self, record_id: int | str) -> dict[str, str]:
        return {_s(k): _s(v) for k, v in self.r.hgetall(self.key(record_id)).items()}

    def set(self, record_id: int | str, values: Mapping[str, object]) -> None:
        """Fields outside the lifecycle (a card's location, a progress figure)."""
        self.r.hset(self.key(record_id), mapping={k: _text(v) for k, v in values.items()})

    def transition(
        self,
        record_id: int | str,
        action: str,
        by: str,
        *,
        guards: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        counter: str = "",
        side: str = "",
        side_value: str = "",
        detail: Mapping[str, object] | None = None,
    ) -> Moved:
        move = self.table[action]
        audit = {"action": action, "by": by, "at": self.now().isoformat()}
        audit.update({k: _text(v) for k, v in (detail or {}).items()})
        change = Change(
            allowed_from=sorted(move.allowed_from),
            to=move.to or "",
            audit=audit,
            guards=guards,
            values={k: _text(v) for k, v in (values or {}).items()},
            counter=counter,
            side_value=side_value,
            lead=(self.kind, str(record_id)),
        )
        result = self._transition.apply(
            self.key(record_id), "", self.store.k("audit"), self.key(record_id, side or "side"), change
        )
        status, state, extra = result.status, result.state, result.extra
        if status == "ok":
            return Moved(True, state, counter=int(extra) if extra else 0)
        return Moved(False, state, reason=status, guard=extra)

    def record(self, record_id: int | str, action: str, by: str, **detail: object) -> None:
        """A timeline entry that changes no state (a notice posted, a refusal, progress)."""
        timeline = _s(self.r.hget(self.key(record_id), "timeline"))
        entry = {self.kind: str(record_id), "action": action, "by": by, "at": self.now().isoformat()}
        entry.update({k: _text(v) for k, v in detail.items()})
        if timeline:
            self.r.xadd(timeline, entry)  # type: ignore[arg-type]
        self.r.xadd(self.store.k("audit"), entry, maxlen=GLOBAL_AUDIT_MAXLEN, approximate=True)  # type: ignore[arg-type]

    def side(self, record_id: int | str, side: str, version: int) -> str | None:
        raw = self.r.hget(self.key(record_id, side), str(version))
        return _s(raw) if raw else None

    def timeline(self, record_id: int | str) -> list[AuditEntry]:
        key = _s(self.r.hget(self.key(record_id), "timeline"))
        entries = []
        for _id, raw in (self.r.xrange(key) or []) if key else []:
            data = {_s(k): _s(v) for k, v in (raw or {}).items()}
            at = datetime.fromisoformat(data.pop("at"))
            entries.append(AuditEntry(at, data.pop("action", "?"), data.pop("by", "?"), data))
        return entries
