"""Redis persistence: cases, drafts, atomic transitions, idempotency records and the audit stream.

Every change of a case's state is one Lua script that checks the current state (and any guards such as
"nobody has claimed it yet") before writing, and appends the audit entry in the same step. Fifty people
clicking Claim at once therefore give exactly one claimant, and a double-clicked Approve moves the case
once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis

from bridge.domain.clock import Clock, SystemClock
from bridge.domain.errors import CaseCompacted, UnknownCase
from bridge.domain.lifecycle import FINISHED_STATES, TRANSITIONS, Action, State
from bridge.domain.model import Case, Draft, MessageRef, utcnow
from bridge.store.closing import CaseTracker, stub_key
from bridge.store.transitions import (
    GLOBAL_AUDIT_MAXLEN,
    LEDGER_FIELDS,
    LEDGER_FIELDS_LUA,
    Change,
    TransitionScript,
)
from bridge.store.transitions import text as _s

#: The finished states as stored in a case's hash (posted, resolved, ignored).
CLOSED_STATE_VALUES = frozenset(state.value for state in FINISHED_STATES)

__all__ = ["CLOSED_STATE_VALUES", "FIRST_CASE_NUMBER", "AuditEntry", "Outcome", "Store"]

#: How long a once-key (:meth:`Store.first_time`) guards against a second time.
ONCE_TTL_SECONDS = 86_400

#: Case numbers start above this, so references look like ``#1001``.
FIRST_CASE_NUMBER = 1000

#: A field on the case hash once its SLA timers have started (:meth:`Store.timers_start`).
TIMERS_FIELD = "timers"

_CREATE_ONCE = """
-- KEYS[1] mention key, KEYS[2] sequence, KEYS[3] global audit, KEYS[4] open cases, KEYS[5] a key to
-- set to the new number ('': none); ARGV[1] case hash prefix, ARGV[2] case fields json, ARGV[3]
-- first number, ARGV[4] audit entries json (a list, in order), ARGV[5] audit maxlen, ARGV[6] the
-- case's ingest time (its score among the open cases), ARGV[7] KEYS[5]'s time to live in seconds
-- the number is drawn first, and a post that has a case already (a race: callers look first)
-- leaves a gap in the numbers; the usual case costs two commands, not three
local n = redis.call('INCR', KEYS[2])
if n <= tonumber(ARGV[3]) then n = redis.call('INCRBY', KEYS[2], ARGV[3]) end  -- the first case
if not redis.call('SET', KEYS[1], n, 'NX') then return {0, tonumber(redis.call('GET', KEYS[1]))} end
local case_key = ARGV[1] .. n
local fields = cjson.decode(ARGV[2])
fields['number'] = tostring(n)
local flat = {}
for k, v in pairs(fields) do table.insert(flat, k); table.insert(flat, v) end
redis.call('HSET', case_key, unpack(flat))
for _, audit in ipairs(cjson.decode(ARGV[4])) do
  local entry, brief = {'case', tostring(n)}, {'case', tostring(n)}
  for k, v in pairs(audit) do table.insert(entry, k); table.insert(entry, v) end
  for _, k in ipairs(LEDGER_FIELDS) do
    if audit[k] then table.insert(brief, k); table.insert(brief, audit[k]) end
  end
  redis.call('XADD', case_key .. ':audit', '*', unpack(entry))
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', unpack(brief))
end
redis.call('ZADD', KEYS[4], ARGV[6], n)
if KEYS[5] ~= '' then redis.call('SET', KEYS[5], n, 'EX', ARGV[7]) end
return {1, n}
""".replace("LEDGER_FIELDS", LEDGER_FIELDS_LUA)


@dataclass(frozen=True)
class Outcome:
    """What an attempted transition did. ``ok`` False says why: wrong state or a failed guard."""

    ok: bool
    state: State
    reason: str = ""  # "state" or "guard"
    guard: str = ""  # "field=current value" for a failed guard
    counter: int = 0


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    action: str
    by: str
    fields: dict[str, str]


class Store:
    """The bridge's state in one Redis database; ``prefix`` keeps tenants or tests apart."""

    def __init__(
        self,
        client: redis.Redis,
        prefix: str = "bridge:",
        on_closed: Callable[[int], None] | None = None,
        clock: Clock | None = None,
    ) -> None:
        """``on_closed`` is told the number of every case a transition closes (posted, resolved,
        ignored): the application archives it into the case history. ``clock`` stamps the audit:
        the runtime's, so the timeline and every measure taken from it (the KPIs) share the time
        the rest of the bridge decides by."""
        self.r = client
        self.prefix = prefix
        self.on_closed = on_closed
        self.clock: Clock = clock or SystemClock()
        self._create = client.register_script(_CREATE_ONCE)
        self._transition = TransitionScript(client)
        self._tracker = CaseTracker(client, prefix)

    def k(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)

    # cases -----------------------------------------------------------------------------------------
    def create_case_once(
        self,
        case: Case,
        by: str = "bridge",
        *,
        then: Sequence[tuple[str, str, Mapping[str, object]]] = (),
        index: tuple[str, int] | None = None,
    ) -> tuple[int, bool]:
        """Store a new case for a post unless that post already has one; returns (number, created).
        ``then``: audit entries (``action``, ``by``, details) after "ingested"; ``index``: a key set
        to the new number for so many seconds; both only when created, in the same step. A post
        that has a case already still draws a number, which is then never used: callers look the
        post up first (:meth:`case_for_post`), so only a race leaves a gap."""
        fields = {k: v for k, v in case.to_hash(compact=True).items() if k != "number"}
        at = self.clock.now().isoformat()
        entries = [
            {"action": "ingested", "by": by, "at": at, "platform": case.platform, "post_id": case.post_id}
        ]
        for action, who, detail in then:
            entries.append({"action": action, "by": who, "at": at, **{k: str(v) for k, v in detail.items()}})
        index_key, index_seconds = index if index is not None else ("", 0)
        created, number = self._create(
            keys=[
                self.k("post", case.platform, case.post_id),
                self.k("seq"),
                self.k("audit"),
                self.k("open"),
                index_key,
            ],
            args=[
                self.k("case", ""),
                json.dumps(fields),
                FIRST_CASE_NUMBER,
                json.dumps(entries),
                GLOBAL_AUDIT_MAXLEN,
                case.ingested_at.timestamp(),
                index_seconds,
            ],
        )
        return int(number), bool(created)

    def case_for_post(self, platform: str, post_id: str) -> int | None:
        raw = self.r.get(self.k("post", platform, post_id))
        return int(raw) if raw else None

    def cases_for_posts(
        self, posts: list[tuple[str, str]], authors: list[tuple[str, str]] | None = None
    ) -> tuple[list[int | None], list[int | None]]:
        """:meth:`case_for_post` for many ``(platform, post id)``, and the latest case of each
        ``(platform, author id)`` in ``authors`` (the follow-up index), at once: one command."""
        keys = [self.k("post", platform, post_id) for platform, post_id in posts]
        keys += [self.k("author", platform, author) for platform, author in authors or []]
        raws = self.r.mget(keys) if keys else []
        numbers = [int(raw) if raw else None for raw in raws]
        return numbers[: len(posts)], numbers[len(posts) :]

    def is_closed(self, number: int) -> bool:
        """Whether case ``number`` is posted, resolved or ignored (False when there is no such case),
        read from its state alone."""
        state = self.r.hget(self.k("case", number), "state")
        return state is not None and _s(state) in CLOSED_STATE_VALUES

    def get(self, number: int | str) -> Case:
        raw = self.r.hgetall(self.k("case", number))
        if not raw:
            stub = self.r.get(stub_key(self.prefix, number))
            if stub:  # compacted (bridge.store.compaction): the case history has it
                raise CaseCompacted(f"#{number}", json.loads(_s(stub)).get("closed", "")[:10])
            raise UnknownCase(f"#{number}")
        return Case.from_hash(_decode(raw))

    def get_many(self, numbers: Sequence[int]) -> dict[int, Case]:
        """The cases that exist among ``numbers``, read in one round trip (a batch of cards); an
        erased or compacted one is left out."""
        with self.r.pipeline(transaction=False) as pipe:
            for number in numbers:
                pipe.hgetall(self.k("case", number))
            raws = pipe.execute()
        return {
            number: Case.from_hash(_decode(raw)) for number, raw in zip(numbers, raws, strict=True) if raw
        }

    def exists(self, number: int | str) -> bool:
        return bool(self.r.exists(self.k("case", number)))

    def set_fields(self, number: int, values: Mapping[str, object]) -> None:
        """Write fields that are not part of the lifecycle (the card's location, a last error)."""
        self.r.hset(self.k("case", number), mapping={k: str(v) for k, v in values.items()})

    def transition(
        self,
        number: int,
        action: Action,
        by: str,
        *,
        guards: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        counter: str = "",
        side_value: str = "",
        detail: Mapping[str, object] | None = None,
    ) -> Outcome:
        """Apply ``action`` atomically if the lifecycle table and every guard allow it."""
        rule = TRANSITIONS[action]
        audit = {"action": action.value, "by": by, "at": self.clock.now().isoformat()}
        audit.update({k: str(v) for k, v in (detail or {}).items()})
        encoded = {k: (None if v is None else _to_str(v)) for k, v in (values or {}).items()}
        change = Change(
            allowed_from=[s.value for s in rule.allowed_from],
            to=rule.to.value if rule.to else "",
            audit=audit,
            guards=guards,
            values=encoded,
            counter=counter,
            side_value=side_value,
            lead=("case", str(number)),
        )
        result = self._transition.apply(
            self.k("case", number),
            self.k("case", number, "audit"),
            self.k("audit"),
            self.k("case", number, "drafts"),
            change,
        )
        status, state, extra = result.status, result.state, result.extra
        if status == "missing":
            raise UnknownCase(f"#{number}")
        if status == "ok":
            self._track_open(number, State(state))
            return Outcome(True, State(state), counter=int(extra) if extra else 0)
        return Outcome(False, State(state), reason=status, guard=extra)

    def _track_open(self, number: int, state: State) -> None:
        closed = state in FINISHED_STATES
        self._tracker.track(number, closed=closed, at=utcnow().timestamp())
        if closed and self.on_closed is not None:
            self.on_closed(number)

    def open_cases(self) -> list[int]:
        return [int(_s(n)) for n in self.r.zrange(self.k("open"), 0, -1)]

    # drafts ----------------------------------------------------------------------------------------
    def draft(self, number: int, version: int) -> Draft | None:
        raw = self.r.hget(self.k("case", number, "drafts"), str(version))
        return Draft.from_json(raw) if raw else None

    # message ↔ case --------------------------------------------------------------------------------
    def link_message(self, ref: MessageRef, number: int) -> None:
        """Remember that a chat message (a card or a preview) belongs to a case, for thread replies."""
        with self.r.pipeline(transaction=False) as pipe:
            self._link(pipe, ref, number)
            pipe.execute()

    def _link(
        self, pipe: redis.client.Pipeline, ref: MessageRef, number: int, *, listed: bool = True
    ) -> None:
        """``listed``: also in the case's set of messages, so retention can remove the link too; a card
        is not (its ``card_posted`` entry in the timeline names it, and retention reads that)."""
        pipe.set(self.k("msg", ref.key()), number)
        if listed:
            pipe.sadd(self.k("case", number, "msgs"), ref.key())

    def card_up(self, number: int, ref: MessageRef) -> bool:
        """Everything a case's new card changes, in one round trip: the card's place on the case, the
        message's link to it (:meth:`link_message`), the audit (:meth:`record`); True for the case's
        first card or refusal (:meth:`timers_start`), with which its SLA timers start."""
        with self.r.pipeline(transaction=False) as pipe:
            pipe.hset(
                self.k("case", number), mapping={"chat": ref.chat, "channel": ref.channel, "card_ts": ref.ts}
            )
            self._link(pipe, ref, number, listed=False)
            posted = {"chat": ref.chat, "channel": ref.channel, "ts": ref.ts}
            self._append_audit(pipe, number, [("card_posted", "bridge", posted)])
            self._mark_timers(pipe, number)
            return bool(pipe.execute()[-1])

    def timers_start(self, number: int) -> bool:
        """True once per case: its SLA timers start now (a mark on the case, not a key of its own)."""
        return bool(self._mark_timers(self.r, number))

    def _mark_timers(self, client: redis.Redis | redis.client.Pipeline, number: int) -> object:
        return client.hsetnx(self.k("case", number), TIMERS_FIELD, "1")

    def case_for_message(self, ref: MessageRef) -> int | None:
        raw = self.r.get(self.k("msg", ref.key()))
        return int(raw) if raw else None

    # idempotency -----------------------------------------------------------------------------------
    def first_time(self, key: str, ttl_seconds: int = ONCE_TTL_SECONDS) -> bool:
        """True exactly once per key within the ttl: the guard for retried events and jobs."""
        return bool(self.r.set(self.k("once", key), "1", nx=True, ex=ttl_seconds))

    # cursors ---------------------------------------------------------------------------------------
    def cursor(self, name: str) -> str | None:
        raw = self.r.get(self.k("cursor", name))
        return _s(raw) if raw else None

    def set_cursor(self, name: str, value: str) -> None:
        self.r.set(self.k("cursor", name), value)

    # audit -----------------------------------------------------------------------------------------
    def audit(self, number: int) -> list[AuditEntry]:
        entries = []
        for _id, raw in self.r.xrange(self.k("case", number, "audit")) or []:
            data = _decode(raw or {})
            at = datetime.fromisoformat(data.pop("at"))
            entries.append(AuditEntry(at, data.pop("action", "?"), data.pop("by", "?"), data))
        return entries

    def record(self, number: int, action: str, by: str, **detail: object) -> None:
        """Append an audit entry that changes no state (a message posted, a refusal shown)."""
        with self.r.pipeline(transaction=False) as pipe:  # one round trip for both streams
            self._append_audit(pipe, number, [(action, by, detail)])
            pipe.execute()

    def _append_audit(
        self,
        pipe: redis.client.Pipeline,
        number: int,
        entries: Sequence[tuple[str, str, Mapping[str, object]]],
    ) -> None:
        at = self.clock.now().isoformat()
        for action, by, detail in entries:
            head = {"action": action, "by": by, "at": at, "case": str(number)}
            entry = {**head, **{k: str(v) for k, v in detail.items()}}
            brief = {name: head[name] for name in ("case", *LEDGER_FIELDS)}
            pipe.xadd(self.k("case", number, "audit"), entry)  # type: ignore[arg-type]
            pipe.xadd(self.k("audit"), brief, maxlen=GLOBAL_AUDIT_MAXLEN, approximate=True)  # type: ignore[arg-type]

    def record_global(self, action: str, by: str, **detail: object) -> None:
        """Append an audit entry about no single case (a mute, a playbook reload)."""
        entry = {"action": action, "by": by, "at": self.clock.now().isoformat()}
        entry.update({k: str(v) for k, v in detail.items()})
        self.r.xadd(self.k("audit"), entry, maxlen=GLOBAL_AUDIT_MAXLEN, approximate=True)  # type: ignore[arg-type]

    def global_audit(self, count: int = 100) -> list[AuditEntry]:
        entries = []
        for _id, raw in reversed(self.r.xrevrange(self.k("audit"), count=count) or []):
            data = _decode(raw or {})
            at = datetime.fromisoformat(data.pop("at"))
            entries.append(AuditEntry(at, data.pop("action", "?"), data.pop("by", "?"), data))
        return entries


def _to_str(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def _decode(raw: Mapping[Any, Any]) -> dict[str, str]:
    return {_s(k): _s(v) for k, v in raw.items()}
