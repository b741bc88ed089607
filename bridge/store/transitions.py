"""One atomic state change for any Redis record with a ``state`` field: cases, alerts, incidents.

Checking the state and the guards, writing, and appending to the record's timeline and to the
bridge's audit stream happen in one Lua script, so two people clicking at once change the record
once and the audit never disagrees with the record. Cases and crisis records differ only in where
their timeline lives and in the fields that lead each audit entry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import redis

__all__ = [
    "GLOBAL_AUDIT_MAXLEN",
    "LEDGER_FIELDS",
    "LEDGER_FIELDS_LUA",
    "TRANSITION_LUA",
    "Change",
    "Result",
    "TransitionScript",
    "script_args",
    "text",
]

GLOBAL_AUDIT_MAXLEN = 100_000

#: What the bridge's audit ledger keeps of each entry, beside the fields that lead it (the case) and a
#: state change's from and to; the entry's details stay in the record's own timeline.
LEDGER_FIELDS = ("action", "by", "at")

#: :data:`LEDGER_FIELDS` as a Lua table, for the scripts that write the ledger (``LEDGER_FIELDS`` in
#: their text stands for it).
LEDGER_FIELDS_LUA = "{" + ", ".join(f"'{name}'" for name in LEDGER_FIELDS) + "}"

#: The script, also run as a function inside :mod:`bridge.store.fast_transitions`' one-trip script.
TRANSITION_LUA = """
-- KEYS[1] record hash, KEYS[2] record timeline ('' : the stream named by the hash's 'timeline'),
-- KEYS[3] global audit, KEYS[4] side hash (versions); ARGV[1] allowed states (comma separated),
-- ARGV[2] new state or '', ARGV[3] guards json, ARGV[4] fields to set json (json null deletes),
-- ARGV[5] counter field or '', ARGV[6] audit json, ARGV[7] side value stored under the new
-- counter value, ARGV[8] audit maxlen, ARGV[9] json list leading each audit entry; the timeline
-- takes the whole entry, the global audit its brief (the lead, from, to, action, by, at)
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing', '', ''} end
local ok = false
for s in string.gmatch(ARGV[1], '[^,]+') do if s == state then ok = true end end
if not ok then return {'state', state, ''} end
for k, v in pairs(cjson.decode(ARGV[3])) do
  local cur = redis.call('HGET', KEYS[1], k) or ''
  if cur ~= v then return {'guard', state, k .. '=' .. cur} end
end
local counter = ''
if ARGV[5] ~= '' then
  counter = tostring(redis.call('HINCRBY', KEYS[1], ARGV[5], 1))
  if ARGV[7] ~= '' then redis.call('HSET', KEYS[4], counter, ARGV[7]) end
end
local sets, dels = {}, {}
for k, v in pairs(cjson.decode(ARGV[4])) do
  if v == cjson.null then table.insert(dels, k) else table.insert(sets, k); table.insert(sets, v) end
end
local new_state = state
if ARGV[2] ~= '' then new_state = ARGV[2]; table.insert(sets, 'state'); table.insert(sets, new_state) end
if #dels > 0 then redis.call('HDEL', KEYS[1], unpack(dels)) end
if #sets > 0 then redis.call('HSET', KEYS[1], unpack(sets)) end
local entry = cjson.decode(ARGV[9])
local brief = cjson.decode(ARGV[9])
for _, v in ipairs({'from', state, 'to', new_state}) do table.insert(entry, v); table.insert(brief, v) end
if counter ~= '' then table.insert(entry, 'version'); table.insert(entry, counter) end
local audit = cjson.decode(ARGV[6])
for k, v in pairs(audit) do table.insert(entry, k); table.insert(entry, v) end
for _, k in ipairs(LEDGER_FIELDS) do
  if audit[k] then table.insert(brief, k); table.insert(brief, audit[k]) end
end
local timeline = KEYS[2]
if timeline == '' then timeline = redis.call('HGET', KEYS[1], 'timeline') end
redis.call('XADD', timeline, '*', unpack(entry))
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[8], '*', unpack(brief))
return {'ok', new_state, counter}
""".replace("LEDGER_FIELDS", LEDGER_FIELDS_LUA)


@dataclass(frozen=True)
class Change:
    """What one record's state change asks for; the script applies all of it or none."""

    allowed_from: Sequence[str]
    to: str  # '' records the action without changing the state
    audit: Mapping[str, str]  # action, by, at and details
    guards: Mapping[str, str] | None = None
    values: Mapping[str, str | None] | None = None  # None deletes the field
    counter: str = ""  # a field to increment, e.g. the draft version
    side_value: str = ""  # stored in the side hash under the new counter value
    lead: Sequence[str] = ()  # fields that open the audit entry, e.g. ("alert", "3")


@dataclass(frozen=True)
class Result:
    status: str  # "ok", "state", "guard" or "missing"
    state: str
    extra: str  # the new counter value, or "field=current value" for a failed guard


class TransitionScript:
    """The registered script; ``timeline`` '' means the record's hash names its timeline stream."""

    def __init__(self, client: redis.Redis) -> None:
        self._script = client.register_script(TRANSITION_LUA)

    def apply(self, record: str, timeline: str, audit: str, side: str, change: Change) -> Result:
        status, state, extra = self._script(keys=[record, timeline, audit, side], args=script_args(change))
        return Result(text(status), text(state), text(extra))


def script_args(change: Change) -> list[str | int]:
    """The script's ARGV for ``change``."""
    return [
        ",".join(change.allowed_from),
        change.to,
        json.dumps(dict(change.guards or {})),
        json.dumps(dict(change.values or {})),
        change.counter,
        json.dumps(dict(change.audit)),
        change.side_value,
        GLOBAL_AUDIT_MAXLEN,
        json.dumps(list(change.lead)),
    ]


def text(value: object) -> str:
    """Redis replies as str: bytes decoded, None as ''."""
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)
