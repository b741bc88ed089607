"""Replacing one person's words and identifiers in whatever Redis holds them, in place.

:class:`Needles` is what identifies the person: their posts' and messages' texts, their handle and
name, their ids. :class:`Scrubber` replaces each occurrence with a tombstone in a value of any Redis
type, keeping the key, its other contents and its time to live, so counts, case numbers and
timelines stay whole. JSON values (crisis examples, drafts) are parsed and walked, never edited as
text, so an escaped character cannot hide a needle or break the document.

Streams cannot be edited in place; :data:`_REWRITE_STREAM` deletes the entries from the first one
that changes and adds them back with their own ids in one script, so order, ids and entries
appended meanwhile are kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import redis

from bridge.store.transitions import text as _s

__all__ = [
    "MIN_ID_IN_TEXT_CHARS",
    "MIN_SUBSTRING_CHARS",
    "MIN_WORD_CHARS",
    "QUOTED_EXCERPT",
    "Needles",
    "Scrubber",
]

#: A text shorter than this is replaced only where it is a whole value: a post saying "help" must not
#: erase the word everywhere.
MIN_SUBSTRING_CHARS = 12
#: A handle or name shorter than this ("Al") is replaced only where it is a whole value.
MIN_WORD_CHARS = 3
#: An id shorter than this is replaced only where it is a whole value, never inside a sentence.
MIN_ID_IN_TEXT_CHARS = 8

_REWRITE_STREAM = """
-- KEYS[1] stream; ARGV[1] first id to rewrite; ARGV[2] json {id: [field, value, ...]} replacements
local tail = redis.call('XRANGE', KEYS[1], ARGV[1], '+')
if #tail == 0 then return 0 end
local new = cjson.decode(ARGV[2])
local prev = redis.call('XREVRANGE', KEYS[1], '(' .. ARGV[1], '-', 'COUNT', 1)
local last = '0-1'
if #prev > 0 then last = prev[1][1] end
local ttl = redis.call('PTTL', KEYS[1])
for _, e in ipairs(tail) do redis.call('XDEL', KEYS[1], e[1]) end
if not pcall(redis.call, 'XSETID', KEYS[1], last, 'MAXDELETEDID', last) then
  redis.call('XSETID', KEYS[1], last)  -- Redis 6 has no MAXDELETEDID and needs none
end
local changed = 0
for _, e in ipairs(tail) do
  local fields = e[2]
  if new[e[1]] then fields = new[e[1]]; changed = changed + 1 end
  redis.call('XADD', KEYS[1], e[1], unpack(fields))
end
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return changed
"""


#: How triage and routing quote what matched in a post, inside their reasons: ``('…')``. In the
#: person's own records these excerpts are their words too, however short.
QUOTED_EXCERPT = re.compile(r"\('(?:[^']|'(?!\)))*'\)")


@dataclass
class Needles:
    """Everything that identifies one person: ``texts`` (their words), ``handles`` and ``names``,
    ``ids`` (post, message and user ids, links to their posts)."""

    tombstone: str
    texts: set[str] = field(default_factory=set)
    handles: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)

    def add(self, kind: str, value: str) -> None:
        """Add a ``text``, ``handle``, ``name`` or ``id``; blank values are ignored."""
        if kind != "text":
            value = value.strip().lstrip("@") if kind == "handle" else value.strip()
        if value.strip() and self.tombstone not in value:
            getattr(self, kind + "s").add(value)

    def whole(self) -> set[str]:
        """Values that are the person's wherever they are a field's whole value."""
        return {v.casefold() for v in (*self.texts, *self.handles, *self.names, *self.ids)}

    def pattern(self, *, own: bool) -> re.Pattern[str] | None:
        """Occurrences inside longer text. In the person's own records (``own``) their handle and
        name count too; elsewhere only their texts and ids, so another customer's post that names
        them stays that customer's, and a handle like ``billing`` does not erase a department."""
        parts = [t for t in self.texts if len(t) >= MIN_SUBSTRING_CHARS]
        parts += [i for i in self.ids if len(i) >= MIN_ID_IN_TEXT_CHARS]
        if own:
            parts += [*self.handles, *("@" + h for h in self.handles)]
            parts += [n for n in self.names if not n.isdigit()]
            parts = [p for p in parts if len(p.lstrip("@")) >= MIN_WORD_CHARS]
        if not parts:
            return None
        alternatives = "|".join(re.escape(p) for p in sorted(parts, key=len, reverse=True))
        return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", re.IGNORECASE)


class Scrubber:
    """Applies :class:`Needles` to values and keys; every ``scrub_*`` returns what it changed.

    A stream entry or JSON object with a ``case`` field among ``own_cases`` is the person's own
    record and is scrubbed fully; anything else loses only what cannot be someone else's words.
    """

    def __init__(self, client: redis.Redis, needles: Needles, own_cases: Iterable[int] = ()) -> None:
        self.r = client
        self.needles = needles
        self.own_cases = {str(n) for n in own_cases}
        self._patterns = {True: needles.pattern(own=True), False: needles.pattern(own=False)}
        self._whole = needles.whole()
        self._rewrite = client.register_script(_REWRITE_STREAM)

    # values --------------------------------------------------------------------------------------------
    def text(self, value: str, *, own: bool = False) -> str:
        """``value`` with every needle replaced by the tombstone; JSON documents are walked."""
        if not value:
            return value
        stripped = value.strip()
        if stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]"):
            try:
                data = json.loads(value)
            except ValueError:
                pass
            else:
                walked = self._walk(data, own)
                return value if walked == data else json.dumps(walked)
        return self._plain(value, own)

    def _plain(self, value: str, own: bool) -> str:
        if value.strip().lstrip("@").casefold() in self._whole or value.casefold() in self._whole:
            return self.needles.tombstone
        if own:  # the bridge's reasons quote excerpts of the post: "problem ('charged twice')"
            value = QUOTED_EXCERPT.sub(f"('{self.needles.tombstone}')", value)
        pattern = self._patterns[own]
        return value if pattern is None else pattern.sub(self.needles.tombstone, value)

    def _walk(self, data: Any, own: bool) -> Any:
        if isinstance(data, str):
            return self._plain(data, own)
        if isinstance(data, list):
            return [self._walk(v, own) for v in data]
        if isinstance(data, dict):
            own = own or str(data.get("case", "")) in self.own_cases
            return {k: self._walk(v, own) for k, v in data.items()}
        return data

    def fields(self, data: dict[str, str], *, own: bool = False) -> dict[str, str]:
        """The fields whose value changes, with their new values."""
        own = own or data.get("case", "") in self.own_cases
        return {k: new for k, v in data.items() if (new := self.text(v, own=own)) != v}

    # keys ----------------------------------------------------------------------------------------------
    def key(self, key: str, *, own: bool = False) -> int:
        """Scrub one key of any type in place (``own``: one of the person's own records); returns how
        many values changed."""
        kind = _s(self.r.type(key))
        if kind == "string":
            old = _s(self.r.get(key))
            new = self.text(old, own=own)
            if new != old:
                self.r.set(key, new, keepttl=True)
                return 1
            return 0
        if kind == "hash":
            changed = self.fields({_s(k): _s(v) for k, v in self.r.hgetall(key).items()}, own=own)
            if changed:
                self.r.hset(key, mapping=changed)  # type: ignore[arg-type]
            return len(changed)
        if kind == "list":
            return self._list(key, own)
        if kind == "set":
            return self._members(key, [_s(m) for m in self.r.smembers(key)], None, own)
        if kind == "zset":
            pairs: list[tuple[bytes, float]] = self.r.zrange(key, 0, -1, withscores=True)  # type: ignore[assignment]
            scores = {_s(m): float(score) for m, score in pairs}
            return self._members(key, list(scores), scores, own)
        if kind == "stream":
            return self.stream(key, own=own)
        return 0

    def keys(self, keys: Iterable[str], *, own: bool = False) -> int:
        return sum(self.key(k, own=own) for k in keys)

    def _list(self, key: str, own: bool) -> int:
        with self.r.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated
                    old = [_s(v) for v in pipe.lrange(key, 0, -1)]
                    new = [self.text(v, own=own) for v in old]
                    if new == old:
                        pipe.unwatch()
                        return 0
                    ttl = pipe.pttl(key)
                    pipe.multi()
                    pipe.delete(key)
                    pipe.rpush(key, *new)
                    if isinstance(ttl, int) and ttl > 0:
                        pipe.pexpire(key, ttl)
                    pipe.execute()
                    return sum(a != b for a, b in zip(old, new, strict=True))
                except redis.WatchError:
                    continue

    def _members(self, key: str, members: list[str], scores: dict[str, float] | None, own: bool) -> int:
        changed = 0
        for member in members:
            new = self.text(member, own=own)
            if new == member:
                continue
            changed += 1
            if scores is None:
                self.r.srem(key, member)
                self.r.sadd(key, new)
            else:
                self.r.zrem(key, member)
                self.r.zadd(key, {new: scores[member]})
        return changed

    def stream(self, key: str, *, own: bool = False, batch: int = 1000) -> int:
        """Rewrite the stream entries that hold a needle, keeping every entry's id and place."""
        replacements: dict[str, list[str]] = {}
        first = ""
        start = "-"
        while True:
            chunk = self.r.xrange(key, start, "+", count=batch) or []
            for entry_id, raw in chunk:
                data = {_s(k): _s(v) for k, v in (raw or {}).items()}
                changed = self.fields(data, own=own)
                if changed:
                    eid = _s(entry_id)
                    first = first or eid
                    replacements[eid] = [x for k, v in {**data, **changed}.items() for x in (k, v)]
            if len(chunk) < batch:
                break
            start = "(" + _s(chunk[-1][0])
        if not replacements:
            return 0
        return int(self._rewrite(keys=[key], args=[first, json.dumps(replacements)]))
