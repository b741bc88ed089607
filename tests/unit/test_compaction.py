"""Compaction: a closed case the history holds, harvested and quiet for a week, keeps under 1 KiB in
Redis (its post keys and a stub); a case the history lacks or holds in an older version, or whose
labels are not harvested yet, stays whole; retention later removes what is left, counted once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bridge.app.retention import sweep
from bridge.domain.errors import CaseCompacted
from bridge.domain.lifecycle import Action
from bridge.domain.model import MessageRef
from bridge.playbook.model import load_playbook
from bridge.playbook.retention_rules import RetentionRules
from bridge.reports.archive import Archiver
from bridge.store.cases import Store
from bridge.store.closing import case_keys, stub_key
from bridge.store.labels import LabelStore
from bridge.store.retention import Retention
from tests.conftest import PLAYBOOK
from tests.support.cases import routed_case
from tests.support.history import sqlite_history

PLAYBOOK_NOW = load_playbook(PLAYBOOK)
RULES = RetentionRules()  # the defaults: compact after 7 quiet days, remove after 90
TEXT = (
    "@AcmeHelp I was charged twice for order 55123 yesterday and your chat bot keeps sending me in "
    "circles, I need the second payment refunded today please, this is the third time I am asking"
)


@pytest.fixture
def archiver(store: Store, tmp_path: Path) -> Archiver:
    history = sqlite_history(tmp_path)
    return Archiver(store, lambda: history, lambda: PLAYBOOK_NOW, scorer=lambda text: 0.5)


def answered(store: Store, post_id: str) -> int:
    """A case as the desk leaves it: card, claim, draft, answer posted, a follow-up, resolved."""
    number, _ = store.create_case_once(routed_case(post_id, handle="maria_k", text=TEXT, name="Maria K."))
    store.set_fields(number, {"chat": "slack", "channel": "C0BILL", "card_ts": "1700000000.000100"})
    store.link_message(MessageRef("slack", "C0BILL", "1700000000.000100"), number)
    store.link_message(MessageRef("slack", "C0BILL", "1700000001.000200"), number)
    store.transition(number, Action.CLAIM, "U0EXP1", values={"claimant": "U0EXP1"})
    store.r.hset(store.k("case", number, "drafts"), "1", '{"text": "Hi @maria_k, it is refunded today."}')
    reply = f"9{post_id}"
    store.r.set(store.k("ours", "x", reply), number)
    store.record(number, "posted", "U0APP1", reply_id=reply, text="Hi @maria_k, it is refunded today.")
    store.r.set(store.k("post", "x", f"8{post_id}"), number)
    store.record(number, "customer_follow_up", "maria_k", post_id=f"8{post_id}", text="thanks, got it")
    store.r.set(store.k("author", "x", f"9{post_id}"), number)
    store.transition(number, Action.RESOLVE, "U0EXP1")
    return number


def harvested(store: Store, number: int) -> None:
    LabelStore(store).mark(number, "label1", int(store.r.xlen(store.k("case", number, "audit"))))


def bytes_of(store: Store, number: int, keys: list[str]) -> int:
    found = [*keys, stub_key(store.prefix, number)]
    return sum(int(store.r.memory_usage(k, samples=0) or 0) for k in found)


def case_key_names(store: Store, number: int) -> list[str]:
    """Every key a case of :func:`answered` made, shared structures aside."""
    post_id = store.get(number).post_id
    return [
        *case_keys(store.prefix, number),
        store.k("post", "x", post_id),
        store.k("post", "x", f"8{post_id}"),
        store.k("ours", "x", f"9{post_id}"),
        store.k("author", "x", f"9{post_id}"),
        store.k("msg", "slack", "C0BILL", "1700000000.000100"),
        store.k("msg", "slack", "C0BILL", "1700000001.000200"),
    ]


def compacted(store: Store, folder: Path, archiver: Archiver, now: datetime) -> list[int]:
    swept = sweep(store, RULES, folder, now, archiver=archiver)
    assert swept is not None
    return swept.compacted


def a_week_later() -> datetime:
    return datetime.now(UTC) + timedelta(days=8)


def test_a_closed_archived_harvested_quiet_case_keeps_under_1_kib(
    store: Store, archiver: Archiver, tmp_path: Path
) -> None:
    number = answered(store, "900")
    keys = case_key_names(store, number)
    whole = bytes_of(store, number, keys)
    archiver.drain(datetime.now(UTC))
    harvested(store, number)
    assert compacted(store, tmp_path, archiver, datetime.now(UTC) + timedelta(days=6)) == []
    swept = sweep(store, RULES, tmp_path, a_week_later(), archiver=archiver)
    assert swept is not None and swept.compacted == [number] and swept.removed == []
    left = bytes_of(store, number, keys)
    assert whole > 3000 and left < 1024, (whole, left)
    assert [k for k in keys if store.r.exists(k)] == keys[4:6]  # only its two post keys
    stub = repr(store.r.get(stub_key(store.prefix, number)))
    assert "maria" not in stub.lower() and "charged" not in stub  # nothing the customer said or is
    assert store.case_for_post("x", "900") == number  # its post is still recognised
    with pytest.raises(CaseCompacted, match=r"#\d+ \(closed \d{4}-\d\d-\d\d\) is archived"):
        store.get(number)
    assert not store.exists(number)  # so a reply to our old answer makes a new case
    assert Retention(store).counts(datetime.now(UTC).date().isoformat())["cases"] == 1
    assert compacted(store, tmp_path, archiver, a_week_later()) == []  # once


def test_retention_removes_what_compaction_left_and_counts_the_case_once(
    store: Store, archiver: Archiver, tmp_path: Path
) -> None:
    number = answered(store, "901")
    keys = case_key_names(store, number)
    archiver.drain(datetime.now(UTC))
    harvested(store, number)
    sweep(store, RULES, tmp_path, a_week_later(), archiver=archiver)
    swept = sweep(store, RULES, tmp_path, datetime.now(UTC) + timedelta(days=91), archiver=archiver)
    assert swept is not None and swept.removed == [number]
    assert [k for k in [*keys, stub_key(store.prefix, number)] if store.r.exists(k)] == []
    assert Retention(store).counts(datetime.now(UTC).date().isoformat())["cases"] == 1
    assert archiver.history.get(number) is not None


def test_a_case_the_history_does_not_hold_stays_whole(
    store: Store, archiver: Archiver, tmp_path: Path
) -> None:
    number = answered(store, "902")
    harvested(store, number)
    store.r.delete(archiver._tracker.to_archive_key)  # its archiving job was lost
    swept = sweep(store, RULES, tmp_path, a_week_later(), archiver=archiver)
    assert swept is not None and swept.compacted == []
    assert store.get(number).text == TEXT


def test_a_case_the_history_holds_in_an_older_version_stays_whole(
    store: Store, archiver: Archiver, tmp_path: Path
) -> None:
    number = answered(store, "903")
    archiver.drain(datetime.now(UTC))
    store.record(number, "survey_answer", "maria_k", csat="5")  # after archiving, never written again
    harvested(store, number)
    swept = sweep(store, RULES, tmp_path, a_week_later(), archiver=archiver)
    assert swept is not None and swept.compacted == []
    assert store.get(number).text == TEXT


def test_a_case_whose_labels_are_not_harvested_stays_whole(
    store: Store, archiver: Archiver, tmp_path: Path
) -> None:
    number = answered(store, "904")
    archiver.drain(datetime.now(UTC))
    swept = sweep(store, RULES, tmp_path, a_week_later(), archiver=archiver)
    assert swept is not None and swept.compacted == []
    harvested(store, number)
    swept = sweep(store, RULES, tmp_path, a_week_later(), archiver=archiver)
    assert swept is not None and swept.compacted == [number]


def test_compaction_can_be_turned_off(store: Store, archiver: Archiver, tmp_path: Path) -> None:
    number = answered(store, "905")
    archiver.drain(datetime.now(UTC))
    harvested(store, number)
    rules = RetentionRules(compact_after_days=None)
    swept = sweep(store, rules, tmp_path, a_week_later(), archiver=archiver)
    assert swept is not None and swept.compacted == []
    assert store.get(number).text == TEXT


def test_a_case_with_a_live_tracked_link_or_a_pending_survey_stays_whole(
    store: Store, archiver: Archiver, tmp_path: Path
) -> None:
    linked, surveyed = answered(store, "906"), answered(store, "907")
    store.r.hset(store.k("links", "case", linked), "https://acme.example/refunds", "tok123")
    store.r.set(store.k("survey", "pending", "x", "9907"), f'{{"case": {surveyed}, "kind": "csat"}}')
    archiver.drain(datetime.now(UTC))
    harvested(store, linked)
    harvested(store, surveyed)
    assert compacted(store, tmp_path, archiver, a_week_later()) == []
    store.r.delete(store.k("survey", "pending", "x", "9907"))  # answered, or its time ran out
    assert compacted(store, tmp_path, archiver, a_week_later()) == [surveyed]
