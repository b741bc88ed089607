"""The case history: writing a closed case's facts and timeline, reading them back, forgetting them.

Writing is an upsert keyed by the case number in one transaction (facts replaced, timeline replaced),
so an archiving job that runs twice, or a reopened case that closes again, leaves exactly one row and
one timeline. Reading streams (``export``), looks a customer up (the card's history line), and
searches. Retention deletes rows by closing time; erasure replaces a customer's words and identity
with the same tombstone Redis gets (:mod:`bridge.store.erasure`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, Select, delete, func, insert, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from bridge.store.history.models import CaseEventRow, CaseRow
from bridge.store.history.records import CaseFacts, CustomerHistory, Event, aware, naive

__all__ = ["STREAM_BATCH", "CustomerAsk", "History", "Search"]

STREAM_BATCH = 1000
#: Timeline entries whose ``text`` is the customer's own words (erased with them).
CUSTOMER_EVENTS = frozenset({"customer_follow_up", "customer_dm", "ingested"})
#: Case columns that are the customer's: replaced by the tombstone on erasure.
PERSONAL_COLUMNS = (
    "author_handle",
    "author_handle_folded",
    "author_id",
    "text",
    "post_url",
    "survey_comment",
)


@dataclass(frozen=True)
class Search:
    """A case search: every given part must match (text and handle as substrings, case-insensitive)."""

    handle: str = ""
    text: str = ""
    department: str = ""
    state: str = ""
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50


class History:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # writing ---------------------------------------------------------------------------------------------
    def save(self, facts: CaseFacts, events: Sequence[Event]) -> None:
        """Write (or replace) one case's facts and timeline, atomically."""
        values = facts.columns()
        with self.engine.begin() as conn:
            conn.execute(self._upsert(values))
            conn.execute(delete(CaseEventRow).where(CaseEventRow.number == facts.number))
            if events:
                conn.execute(
                    insert(CaseEventRow),
                    [
                        {
                            "number": facts.number,
                            "seq": index,
                            "at": naive(e.at),
                            "kind": e.kind[:64],
                            "actor": e.actor[:200],
                            "detail": e.detail_json(),
                        }
                        for index, e in enumerate(events)
                    ],
                )

    def _upsert(self, values: dict[str, Any]) -> Any:
        dialect = self.engine.dialect.name
        changes = {k: v for k, v in values.items() if k != "number"}
        if dialect == "postgresql":
            return (
                postgresql.insert(CaseRow)
                .values(values)
                .on_conflict_do_update(index_elements=["number"], set_=changes)
            )
        if dialect == "sqlite":
            return (
                sqlite.insert(CaseRow)
                .values(values)
                .on_conflict_do_update(index_elements=["number"], set_=changes)
            )
        raise NotImplementedError(f"the case history runs on SQLite or PostgreSQL, not {dialect}")

    # reading ---------------------------------------------------------------------------------------------
    def get(self, number: int) -> CaseFacts | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(CaseRow.__table__).where(CaseRow.number == number)).first()
        return CaseFacts.from_row(row) if row is not None else None

    def events(self, number: int) -> list[Event]:
        query = select(CaseEventRow.__table__).where(CaseEventRow.number == number).order_by(CaseEventRow.seq)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [Event(aware(r.at) or r.at, r.kind, r.actor, json.loads(r.detail or "{}")) for r in rows]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(CaseRow)).scalar_one())

    def stream(self, since: datetime | None = None, until: datetime | None = None) -> Iterator[CaseFacts]:
        """Every case created in [since, until), oldest first, fetched in batches (never all at once)."""
        query: Select[Any] = select(CaseRow.__table__).order_by(CaseRow.created_at, CaseRow.number)
        if since is not None:
            query = query.where(CaseRow.created_at >= naive(since))
        if until is not None:
            query = query.where(CaseRow.created_at < naive(until))
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=STREAM_BATCH).execute(query)
            for row in result:
                yield CaseFacts.from_row(row)

    def customer(
        self, platform: str, author_id: str, handle: str, before: int | None = None
    ) -> CustomerHistory:
        """The customer's earlier closed cases: by their platform id, else by handle (case-insensitive)."""
        return self.customers([CustomerAsk(platform, author_id, handle, before)])[0]

    def customers(self, asks: Sequence[CustomerAsk]) -> list[CustomerHistory]:
        """Each new card's customer's earlier closed cases (a batch of first cards): one query for all
        their customers' earlier cases, each answered by :func:`_history_of` on its own."""
        handles = sorted({a.handle.lstrip("@").casefold() for a in asks if a.handle})
        ids = sorted({(a.platform, a.author_id) for a in asks if a.author_id})
        who = [CaseRow.author_handle_folded.in_(handles)] if handles else []
        if ids:
            who.append(tuple_(CaseRow.platform, CaseRow.author_id).in_(ids))
        if not who:
            return [CustomerHistory(0) for _ in asks]
        columns = (
            CaseRow.number,
            CaseRow.platform,
            CaseRow.author_id,
            CaseRow.author_handle_folded,
            CaseRow.outcome,
            CaseRow.polarity_end,
            CaseRow.sentiment_end,
            CaseRow.closed_at,
        )
        with self.engine.connect() as conn:
            rows = list(conn.execute(select(*columns).where(or_(*who))))
        return [_history_of(ask, rows) for ask in asks]

    def search(self, search: Search) -> list[CaseFacts]:
        query: Select[Any] = select(CaseRow.__table__).order_by(CaseRow.created_at.desc()).limit(search.limit)
        if search.handle:
            query = query.where(CaseRow.author_handle_folded.contains(search.handle.lstrip("@").casefold()))
        if search.text:
            query = query.where(CaseRow.text.ilike(f"%{_like(search.text)}%", escape="\\"))
        if search.department:
            query = query.where(CaseRow.department == search.department)
        if search.state:
            query = query.where(CaseRow.state == search.state)
        if search.since is not None:
            query = query.where(CaseRow.created_at >= naive(search.since))
        if search.until is not None:
            query = query.where(CaseRow.created_at < naive(search.until))
        with self.engine.connect() as conn:
            return [CaseFacts.from_row(r) for r in conn.execute(query)]

    # forgetting ------------------------------------------------------------------------------------------
    def remove_closed_before(self, cutoff: datetime) -> int:
        """Retention: delete every case (and its timeline) that closed before ``cutoff``."""
        with self.engine.begin() as conn:
            old = select(CaseRow.number).where(CaseRow.closed_at < naive(cutoff))
            conn.execute(delete(CaseEventRow).where(CaseEventRow.number.in_(old)))
            result = conn.execute(delete(CaseRow).where(CaseRow.closed_at < naive(cutoff)))
        return int(result.rowcount or 0)

    def find_customer(self, handle: str, author_id: str, platform: str = "") -> list[int]:
        """Every case of the customer: by handle, and by every platform id those cases name."""
        folded = handle.lstrip("@").casefold()
        with self.engine.connect() as conn:
            scope = [CaseRow.platform == platform] if platform else []
            ids = set()
            if folded:
                query = select(CaseRow.platform, CaseRow.author_id).where(
                    CaseRow.author_handle_folded == folded, *scope
                )
                ids = {(p, a) for p, a in conn.execute(query) if a}
            if author_id:
                query = select(CaseRow.platform, CaseRow.author_id).where(
                    CaseRow.author_id == author_id, *scope
                )
                ids |= {(p, a) for p, a in conn.execute(query)}
            who = [(CaseRow.platform == p) & (CaseRow.author_id == a) for p, a in ids]
            if folded:
                who.append(CaseRow.author_handle_folded == folded)
            if not who:
                return []
            numbers = select(CaseRow.number).where(or_(*who), *scope).order_by(CaseRow.number)
            return [int(n) for n in conn.execute(numbers).scalars()]

    def erase(
        self, numbers: Sequence[int], tombstone: str, day: str, pattern: re.Pattern[str] | None = None
    ) -> int:
        """Replace the customer's words and identity in these cases and their timelines; returns how
        many rows changed. Their own messages go whole; ``pattern`` (the erasure's needles) finds
        their words, handle and ids inside every other entry. Numbers, times, states and who on the
        team did what stay."""
        if not numbers:
            return 0
        personal: dict[str, str | None] = dict.fromkeys(PERSONAL_COLUMNS, tombstone)
        personal["survey_comment"] = None
        changed = 0
        with self.engine.begin() as conn:
            result = conn.execute(
                update(CaseRow).where(CaseRow.number.in_(numbers)).values(**personal, erased_on=day)
            )
            changed += int(result.rowcount or 0)
            rows = conn.execute(
                select(CaseEventRow.id, CaseEventRow.kind, CaseEventRow.detail).where(
                    CaseEventRow.number.in_(numbers)
                )
            ).all()
            for row in rows:
                detail = json.loads(row.detail or "{}")
                scrubbed = _scrub(row.kind, detail, tombstone, pattern)
                if scrubbed != detail:
                    conn.execute(
                        update(CaseEventRow)
                        .where(CaseEventRow.id == row.id)
                        .values(
                            detail=json.dumps(scrubbed, ensure_ascii=False, sort_keys=True),
                            actor=_actor(row.kind, tombstone),
                        )
                    )
                    changed += 1
        return changed


def _actor(kind: str, tombstone: str) -> Any:
    """The customer is the actor of their own messages: that name goes too."""
    return tombstone if kind in ("customer_follow_up", "customer_dm") else CaseEventRow.actor


def _scrub(
    kind: str, detail: dict[str, str], tombstone: str, pattern: re.Pattern[str] | None
) -> dict[str, str]:
    out = dict(detail)
    if kind in CUSTOMER_EVENTS:
        for key in ("text", "post_id", "dm_id"):
            if out.get(key):
                out[key] = tombstone
    if pattern is not None:
        out = {k: pattern.sub(tombstone, v) if isinstance(v, str) else v for k, v in out.items()}
    return out


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class CustomerAsk:
    """Whose earlier cases a new card asks about: as :meth:`History.customer` takes them."""

    platform: str
    author_id: str
    handle: str
    before: int | None = None


def _history_of(ask: CustomerAsk, rows: Sequence[Row[Any]]) -> CustomerHistory:
    """The earlier cases among ``rows`` that are the asking customer's: by platform id or by handle
    (case-insensitive), numbered before ``ask.before``; the last by when it closed, then number."""
    handle = ask.handle.lstrip("@").casefold()
    theirs = [
        row
        for row in rows
        if (
            (handle and row.author_handle_folded == handle)
            or (ask.author_id and row.platform == ask.platform and row.author_id == ask.author_id)
        )
        and (ask.before is None or row.number < ask.before)
    ]
    if not theirs:
        return CustomerHistory(0)
    closed = [row for row in theirs if row.closed_at is not None]
    last = (
        max(closed, key=lambda r: (r.closed_at, r.number)) if closed else max(theirs, key=lambda r: r.number)
    )
    return CustomerHistory(
        len(theirs), last.number, last.outcome, last.polarity_end, last.sentiment_end, aware(last.closed_at)
    )
