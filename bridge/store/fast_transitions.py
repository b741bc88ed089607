"""A case transition, its open/closed bookkeeping and the jobs that follow it, in one Redis round trip
on the web process's pipelined client (:mod:`bridge.store.pipelined`): its path for a click that
plainly succeeds.

:meth:`Store.transition <bridge.store.cases.Store.transition>` and the enqueue after it make four
round trips on the synchronous client (the transition script, the tracker's script, RQ's two
pipelines); a web process that did that on its event loop would block it, and on a thread pool each
click pays the hop. Here
the same two scripts run as functions inside one script (:data:`~bridge.store.transitions.TRANSITION_LUA`
and :data:`~bridge.store.closing.TRACK_LUA`, unchanged), followed by pushing the job records the caller
built, so a click costs one ``EVALSHA`` and the record, its timeline, the audit and the queue never
disagree.

A transition is attempted only when the fields named in ``allowed`` hold one of the listed values;
otherwise the script changes nothing and answers ``defer``: the caller then takes the exact,
synchronous path, which decides and explains. Transitions that close a case are not taken here:
closing also archives (``Store.on_closed``), which this script does not do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bridge.domain.lifecycle import FINISHED_STATES, TRANSITIONS, Action
from bridge.store.closing import GRACE_SECONDS, TRACK_LUA, track_keys
from bridge.store.pipelined import LuaScript, PipelinedRedis
from bridge.store.refresh_inbox import QUEUED_MARK_SECONDS
from bridge.store.transitions import TRANSITION_LUA, Change, Result, script_args, text

__all__ = ["DEFER", "FastTransitions", "QueuedJob"]

#: The script's status when a field named in ``allowed`` holds another value: nothing was changed.
DEFER = "defer"

_FAST = f"""
local function transition(KEYS, ARGV)
{TRANSITION_LUA}
end
local function track(KEYS, ARGV)
{TRACK_LUA}
end
-- KEYS[1..4] as the transition's, KEYS[5..12] as the tracker's, then five per job: the job's hash,
-- its queue, the set of queues, and for a gathered job (an inbox) the inbox's set and its "queued"
-- mark ('' and '' otherwise). ARGV[1..9] as the transition's, ARGV[10..13] as the tracker's,
-- ARGV[14] json {{field: [allowed values]}}, then per job: its id, its member of the inbox, how many
-- fields and values its hash has, and those. A gathered job adds its member to the inbox and is
-- queued only when the mark was not set (a job queued earlier takes the member).
for name, values in pairs(cjson.decode(ARGV[14])) do
  local current = redis.call('HGET', KEYS[1], name) or ''
  local allowed = false
  for _, v in ipairs(values) do if v == current then allowed = true end end
  if not allowed then return {{'{DEFER}', '', name .. '=' .. current}} end
end
local result = transition({{KEYS[1], KEYS[2], KEYS[3], KEYS[4]}}, {{unpack(ARGV, 1, 9)}})
if result[1] ~= 'ok' then return result end
track({{unpack(KEYS, 5, 12)}}, {{unpack(ARGV, 10, 13)}})
local k, a = 13, 15
while a <= #ARGV do
  local size = tonumber(ARGV[a + 2])
  local push = true
  if KEYS[k + 3] ~= '' then
    redis.call('SADD', KEYS[k + 3], ARGV[a + 1])
    push = redis.call('SET', KEYS[k + 4], '1', 'NX', 'EX', {QUEUED_MARK_SECONDS})
  end
  if push then
    redis.call('HSET', KEYS[k], unpack(ARGV, a + 3, a + 2 + size))
    redis.call('RPUSH', KEYS[k + 1], ARGV[a])
    redis.call('SADD', KEYS[k + 2], KEYS[k + 1])
  end
  k, a = k + 5, a + 3 + size
end
return result
"""

_SCRIPT = LuaScript(_FAST)


@dataclass(frozen=True)
class QueuedJob:
    """An RQ job as :meth:`rq.Queue.enqueue` would store and queue it, built by the application
    (:func:`bridge.app.enqueue.job_record`) and pushed by the script."""

    job_id: str
    key: str  # the job's hash
    queue_key: str  # the list its id is pushed to
    queues_key: str  # the set of every queue's key
    fields: Sequence[str | bytes] = field(default=())  # field, value, field, value …
    inbox: str = ""  # a gathered job's inbox (:mod:`bridge.store.refresh_inbox`): its set …
    mark: str = ""  # … and its "queued" mark
    member: str = ""  # what this job adds to the inbox


class FastTransitions:
    """The one-trip script on the web process's pipelined client, for the cases under ``prefix``."""

    def __init__(self, client: PipelinedRedis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def _k(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)

    async def case_and_draft(self, number: int, version: int) -> tuple[dict[str, str], str]:
        """Case ``number``'s hash ({} when there is none) and its draft ``version`` ('' when there is
        none), in one round trip."""
        flat, draft = await self.client.execute(
            ("HGETALL", self._k("case", number)), ("HGET", self._k("case", number, "drafts"), str(version))
        )
        return {text(k): text(v) for k, v in zip(flat[::2], flat[1::2], strict=True)}, text(draft)

    async def apply(
        self,
        number: int,
        action: Action,
        change: Change,
        *,
        allowed: Mapping[str, Sequence[str]],
        jobs: Sequence[QueuedJob],
        at: float,
    ) -> Result:
        """Apply ``change`` (``action`` on case ``number``) if every field in ``allowed`` holds one of
        its values, then push ``jobs`` in order; ``at`` (epoch seconds) dates the case's open entry.
        The result's status is ``ok``, ``defer``, or the transition's own refusal."""
        rule = TRANSITIONS[action]
        if rule.to is None or rule.to in FINISHED_STATES:
            raise ValueError(f"{action.value} does not move a case to an open state; use Store.transition")
        keys = [
            self._k("case", number),
            self._k("case", number, "audit"),
            self._k("audit"),
            self._k("case", number, "drafts"),
            *track_keys(self.prefix, number),
        ]
        args: list[Any] = [*script_args(change), number, at, "0", GRACE_SECONDS]
        args.append(json.dumps({name: list(values) for name, values in allowed.items()}))
        for job in jobs:
            keys += [job.key, job.queue_key, job.queues_key, job.inbox, job.mark]
            args += [job.job_id, job.member, len(job.fields), *job.fields]
        status, state, extra = await self.client.run(_SCRIPT, keys, args)
        return Result(text(status), text(state), text(extra))
