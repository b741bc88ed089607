"""Writing closed cases from Redis into the case history.

A closing transition notes the case in ``history:to-archive`` atomically (:mod:`bridge.store.closing`);
:meth:`Archiver.drain` writes each noted case (facts and timeline) and takes the note off only if the
case did not close again meanwhile, so a job that dies half-way, runs twice or races a reopen leaves
one correct row. ``archive`` is an upsert by case number, so a reopened case that closes again
replaces its row. :meth:`Archiver.backfill` walks every case in Redis for those closed before the
history existed (``bridge history backfill``, and one batch per hourly retention sweep).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import structlog

from bridge.playbook.model import Playbook
from bridge.reports.facts import CLOSING_ACTIONS, Scorer, build_facts, events_from
from bridge.store.cases import CLOSED_STATE_VALUES, FIRST_CASE_NUMBER, Store
from bridge.store.closing import CaseTracker
from bridge.store.transitions import text as _s
from bridge.triage.triager import Triager

if TYPE_CHECKING:
    from bridge.store.history import History

__all__ = ["ARCHIVE_BATCH", "Archiver", "triage_scorer"]

log = structlog.get_logger(__name__)
ARCHIVE_BATCH = 200

_REMOVE_IF_SAME = """
-- KEYS[1] to-archive zset; ARGV[1] number, ARGV[2] score as read
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) return 1 end
return 0
"""


def triage_scorer(playbook: Playbook) -> Scorer:
    """Sentiment as triage scores it (VADER compound on the cleaned text)."""
    triager = Triager(playbook.triage)
    return lambda text: triager.sentiment(triager.clean(text))


class Archiver:
    def __init__(
        self,
        store: Store,
        history: Callable[[], History],
        playbook: Callable[[], Playbook],
        scorer: Scorer | None = None,
    ) -> None:
        """``history`` opens the case history when a case is first written: a worker whose hourly
        sweep finds nothing to archive never connects to (or migrates) the database."""
        self.store = store
        self._history = history
        self._playbook = playbook
        self._scorer = scorer
        self._tracker = CaseTracker(store.r, store.prefix)
        self._remove_if_same = store.r.register_script(_REMOVE_IF_SAME)

    @property
    def history(self) -> History:
        return self._history()

    def _score(self) -> Scorer:
        if self._scorer is None:
            self._scorer = triage_scorer(self._playbook())
        return self._scorer

    def archive(self, number: int, now: datetime) -> bool:
        """Write case ``number`` to the history if it is closed; False when it is open or gone."""
        raw = {_s(k): _s(v) for k, v in self.store.r.hgetall(self.store.k("case", number)).items()}
        if raw.get("state") not in CLOSED_STATE_VALUES or not raw.get("created_at"):
            return False
        timeline = [
            {_s(k): _s(v) for k, v in (entry or {}).items()}
            for _id, entry in self.store.r.xrange(self.store.k("case", number, "audit")) or []
        ]
        events = events_from(timeline)
        facts = build_facts(raw, events, self._playbook(), self._score(), now)
        self.history.save(facts, events)
        return True

    def holds(self, number: int, raw: Mapping[str, str], timeline: Sequence[Mapping[str, str]]) -> bool:
        """Whether the history holds case ``number`` as Redis has it (``raw`` its hash, ``timeline``
        its audit entries): same state, same timeline, same closing time. The check before Redis lets
        the case go (:mod:`bridge.store.compaction`); a history that cannot be read holds nothing."""
        from sqlalchemy.exc import SQLAlchemyError  # loaded with the history, not with every worker

        try:
            facts = self.history.get(number)
            stored = self.history.events(number) if facts is not None else []
        except (SQLAlchemyError, OSError):  # the database is down: keep the case whole in Redis
            log.warning("history_unreadable", case=number, exc_info=True)
            return False
        events = events_from(timeline)
        if facts is None or facts.state != raw.get("state") or len(stored) != len(events):
            return False
        if events and (not _near(stored[-1].at, events[-1].at) or stored[-1].kind != events[-1].kind):
            return False
        closing = [e for e in events if e.kind in CLOSING_ACTIONS]
        return not closing or _near(facts.closed_at, closing[-1].at)

    def archive_noted(self, number: int, now: datetime) -> bool:
        """Archive one case and take its to-archive note off unless it closed again meanwhile."""
        score = self.store.r.zscore(self._tracker.to_archive_key, str(number))
        written = self.archive(number, now)
        if score is not None:
            self._remove_if_same(keys=[self._tracker.to_archive_key], args=[number, repr(score)])
        return written

    def archive_many(self, numbers: Iterable[int], now: datetime) -> int:
        return sum(self.archive(n, now) for n in numbers)

    def drain(self, now: datetime, limit: int | None = None) -> int:
        """Archive every case noted as closed since the last drain; returns how many were written."""
        written = 0
        while limit is None or written < limit:
            noted: list[tuple[bytes, float]] = self.store.r.zrange(
                self._tracker.to_archive_key, 0, ARCHIVE_BATCH - 1, withscores=True
            )  # type: ignore[assignment]
            if not noted:
                break
            taken = 0
            for member, score in noted:
                number = int(_s(member))
                if self.archive(number, now):
                    written += 1
                if self._remove_if_same(keys=[self._tracker.to_archive_key], args=[number, repr(score)]):
                    taken += 1
            if not taken:  # every one closed again while we wrote it: the next drain takes them
                break
        if written:
            log.info("history_archived", cases=written)
        return written

    def backfill(self, now: datetime, start: int | None = None, count: int | None = None) -> tuple[int, int]:
        """Archive closed cases found in Redis from case ``start`` (default: where the last backfill
        stopped); returns (written, the next case to look at)."""
        marker = self.store.k("history", "backfilled")
        first = start if start is not None else int(self.store.r.get(marker) or FIRST_CASE_NUMBER + 1)
        newest = int(self.store.r.get(self.store.k("seq")) or FIRST_CASE_NUMBER)
        last = newest if count is None else min(newest, first + count - 1)
        written = 0
        for begin in range(first, last + 1, ARCHIVE_BATCH):
            numbers = range(begin, min(begin + ARCHIVE_BATCH, last + 1))
            pipe = self.store.r.pipeline(transaction=False)
            for n in numbers:
                pipe.hget(self.store.k("case", n), "state")
            states = pipe.execute()
            closed = [
                n
                for n, state in zip(numbers, states, strict=True)
                if state and _s(state) in CLOSED_STATE_VALUES
            ]
            written += self.archive_many(closed, now)
        self.store.r.set(marker, last + 1)
        return written, last + 1


def _near(a: datetime, b: datetime) -> bool:
    """The same moment, give or take what a database's time column may round away."""
    return abs(a - b) < timedelta(seconds=1)
