"""Closed cases go from Redis into the case history: noted when they close, archived once however
often the job runs, refreshed when a reopened case closes again, archived before retention removes
them from Redis, and found by the backfill when they closed before the history existed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bridge.app.retention import sweep
from bridge.domain.lifecycle import Action
from bridge.playbook.model import load_playbook
from bridge.playbook.retention_rules import RetentionRules
from bridge.reports.archive import Archiver
from bridge.store.cases import Store
from bridge.store.closing import CaseTracker
from bridge.store.history import History
from tests.conftest import PLAYBOOK
from tests.support.cases import routed_case
from tests.support.history import sqlite_history

PLAYBOOK_NOW = load_playbook(PLAYBOOK)


@pytest.fixture
def archiver(store: Store, tmp_path: Path) -> Archiver:
    history = sqlite_history(tmp_path)
    return Archiver(store, lambda: history, lambda: PLAYBOOK_NOW, scorer=lambda text: 0.5)


def closed(store: Store, post_id: str, handle: str = "maria") -> int:
    number, _ = store.create_case_once(routed_case(post_id, handle=handle, text="charged twice"))
    store.transition(number, Action.CLAIM, "U0EXP1", values={"claimant": "U0EXP1"})
    store.transition(number, Action.RESOLVE, "U0EXP1")
    return number


def noted(store: Store) -> list[int]:
    members: list[bytes] = store.r.zrange(CaseTracker(store.r, store.prefix).to_archive_key, 0, -1)  # type: ignore[assignment]
    return [int(n) for n in members]


def test_a_closing_case_is_noted_and_archived_once(store: Store, archiver: Archiver) -> None:
    number = closed(store, "700")
    assert noted(store) == [number]
    now = datetime.now(UTC)
    assert archiver.drain(now) == 1
    assert archiver.drain(now) == 0 and noted(store) == []
    assert archiver.archive_noted(number, now)  # the job again: still one row
    history: History = archiver.history
    assert history.count() == 1
    facts = history.get(number)
    assert facts is not None and (facts.state, facts.expert, facts.department) == (
        "resolved",
        "U0EXP1",
        "billing",
    )
    assert [e.kind for e in history.events(number)][-2:] == ["claim", "resolve"]


def test_a_reopened_case_that_closes_again_updates_its_row(store: Store, archiver: Archiver) -> None:
    number = closed(store, "701")
    archiver.drain(datetime.now(UTC))
    store.transition(number, Action.REOPEN, "bridge")
    assert archiver.archive(number, datetime.now(UTC)) is False  # open again: nothing written
    store.transition(number, Action.RESOLVE, "U0EXP1")
    archiver.drain(datetime.now(UTC))
    facts = archiver.history.get(number)
    assert facts is not None and facts.reopened == 1 and archiver.history.count() == 1


def test_the_store_tells_the_application_about_every_closing(store: Store) -> None:
    told: list[int] = []
    watched = Store(store.r, store.prefix, on_closed=told.append)
    number, _ = watched.create_case_once(routed_case("702"))
    watched.transition(number, Action.CLAIM, "U0EXP1")
    assert told == []
    watched.transition(number, Action.RESOLVE, "U0EXP1")
    assert told == [number]


def test_retention_archives_before_it_removes_and_trims_the_history(
    store: Store, archiver: Archiver, tmp_path: Path
) -> None:
    number = closed(store, "703")
    store.r.delete(CaseTracker(store.r, store.prefix).to_archive_key)  # as if its archiving job was lost
    later = datetime.now(UTC) + timedelta(days=91)
    rules = RetentionRules(closed_case_days=90, history_days=400)
    swept = sweep(store, rules, tmp_path, later, archiver=archiver)
    assert swept is not None and swept.removed == [number] and not store.exists(number)
    assert archiver.history.get(number) is not None  # written before it left Redis
    sweep(store, rules, tmp_path, later + timedelta(days=400), archiver=archiver)
    assert archiver.history.get(number) is None  # the history keeps it history_days


def test_the_backfill_finds_cases_closed_before_the_history_existed(store: Store, archiver: Archiver) -> None:
    numbers = [closed(store, str(800 + i)) for i in range(3)]
    open_one, _ = store.create_case_once(routed_case("899"))
    store.r.delete(CaseTracker(store.r, store.prefix).to_archive_key)
    written, next_case = archiver.backfill(datetime.now(UTC))
    assert written == 3 and next_case == open_one + 1
    assert sorted(c.number for c in archiver.history.stream()) == numbers
    assert archiver.backfill(datetime.now(UTC)) == (0, open_one + 1)  # goes on from where it stopped
