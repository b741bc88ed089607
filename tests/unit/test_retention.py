"""Retention: the playbook's policy, closed cases getting their expiry, the sweep that removes them
(keeping anonymous counts), cases closed before the policy existed, the audit trimmed or exported."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bridge.app.retention import policy_from, start_hourly, sweep
from bridge.domain.errors import PlaybookError
from bridge.domain.lifecycle import Action
from bridge.domain.model import Case, MessageRef, utcnow
from bridge.playbook.loader import load_model
from bridge.playbook.model import Playbook, load_playbook
from bridge.store.cases import Store
from bridge.store.closing import GRACE_SECONDS
from bridge.store.retention import Policy, Retention
from tests.conftest import ROOT
from tests.support.cases import routed_case

GOOD = """brand: {name: Acme}
default_department: social
departments:
  social: {slack_channel: C0SOCIAL, approvers: [U1]}
"""
DAY = 86_400


def problems(text: str) -> list[str]:
    with pytest.raises(PlaybookError) as caught:
        load_model(Path("desk.yml"), Playbook, text=text)
    return caught.value.problems


def make_case(post_id: str, handle: str = "maria", text: str = "my card was charged twice") -> Case:
    return routed_case(post_id, handle=handle, text=text, verdict="respond")


def closed_case(store: Store, post_id: str) -> int:
    number, _ = store.create_case_once(make_case(post_id))
    store.r.set(store.k("post", "x", post_id), number)
    store.transition(number, Action.RESOLVE, "U1")
    return number


# --- the playbook section ------------------------------------------------------------------------------


def test_a_playbook_without_retention_removes_nothing() -> None:
    assert load_model(Path("desk.yml"), Playbook, text=GOOD).retention is None


def test_retention_defaults_keep_closed_cases_ninety_days_and_the_audit() -> None:
    rules = load_model(Path("desk.yml"), Playbook, text=GOOD + "retention: {}\n").retention
    assert rules is not None and (rules.closed_case_days, rules.audit) == (90, "keep")
    policy = policy_from(rules, Path("/data"))
    assert policy is not None and policy.export_dir == Path("/data/exports")


def test_retention_mistakes_name_the_file_line_and_key() -> None:
    text = GOOD + "retention:\n  closed_case_days: 0\n  audit: archive\n"
    assert problems(text) == [
        "desk.yml:6: retention.closed_case_days: Input should be greater than or equal to 1",
        "desk.yml:7: retention.audit: Input should be 'keep', 'drop' or 'export'",
    ]


def test_retention_options_that_do_not_fit_the_audit_policy_are_refused_at_their_line() -> None:
    text = GOOD + "retention:\n  closed_case_days: 30\n  export_dir: /x\n  audit_days: 3\n"
    assert problems(text) == [
        (
            "desk.yml:8: retention.audit_days: applies to audit: drop or export "
            "(audit: keep leaves the audit stream as it is)"
        ),
        "desk.yml:7: retention.export_dir: applies to audit: export (this policy is audit: keep)",
    ]
    assert problems(GOOD + "retention:\n  keep_days: 3\n") == [
        (
            "desk.yml:6: retention.keep_days: unknown key "
            "(expected one of: audit, audit_days, closed_case_days, compact_after_days, export_dir, "
            "history_days)"
        )
    ]


def test_the_sample_playbook_still_loads_with_its_commented_retention_example() -> None:
    assert load_playbook(ROOT / "playbooks" / "acme.yml").retention is None
    assert "# retention:" in (ROOT / "playbooks" / "acme.yml").read_text(encoding="utf-8")


# --- expiry at the closing transition ----------------------------------------------------------------


def test_a_case_that_closes_under_a_policy_gets_its_expiry_and_loses_it_when_reopened(store: Store) -> None:
    Retention(store).publish(Policy(closed_case_days=30))
    number = closed_case(store, "501")
    ttl = store.r.ttl(store.k("case", number))
    assert 30 * DAY + GRACE_SECONDS - 60 < ttl <= 30 * DAY + GRACE_SECONDS
    assert store.r.ttl(store.k("case", number, "audit")) > 29 * DAY
    store.transition(number, Action.REOPEN, "U1")
    assert store.r.ttl(store.k("case", number)) == -1
    assert store.r.ttl(store.k("case", number, "audit")) == -1


def test_an_open_case_never_expires(store: Store) -> None:
    Retention(store).publish(Policy(closed_case_days=30))
    number, _ = store.create_case_once(make_case("502"))
    store.transition(number, Action.CLAIM, "U1", values={"claimant": "U1"})
    assert store.r.ttl(store.k("case", number)) == -1


def test_with_export_only_the_sweep_removes_so_nothing_expires_unexported(store: Store) -> None:
    Retention(store).publish(Policy(closed_case_days=30, audit="export", export_dir=Path("/tmp")))
    number = closed_case(store, "503")
    assert store.r.ttl(store.k("case", number)) == -1


# --- the sweep -----------------------------------------------------------------------------------------


def test_the_sweep_removes_every_card_a_case_had_though_no_set_lists_them(store: Store) -> None:
    """A card's link is found from its ``card_posted`` entry (the case keeps no set of its cards):
    the first card and the one a move put up both go with the case."""
    number, _ = store.create_case_once(make_case("611"))
    first, moved = MessageRef("slack", "C0BILLING", "1.0001"), MessageRef("slack", "C0LOGIST", "2.0001")
    store.card_up(number, first)
    store.card_up(number, moved)
    assert not store.r.exists(store.k("case", number, "msgs"))
    store.transition(number, Action.RESOLVE, "U1")
    swept = Retention(store).sweep(Policy(closed_case_days=90), utcnow() + timedelta(days=91))
    assert swept.removed == [number]
    assert store.case_for_message(first) is None and store.case_for_message(moved) is None


def test_the_sweep_removes_old_closed_cases_and_keeps_their_counts(store: Store) -> None:
    retention = Retention(store)
    old = closed_case(store, "601")
    store.link_message(MessageRef("slack", "C0BILLING", "1.0002"), old)  # a draft's preview
    store.transition(old, Action.NOTE, "U1", detail={"note": "done"})
    still_open, _ = store.create_case_once(make_case("602"))
    day = utcnow().date().isoformat()

    assert retention.sweep(Policy(closed_case_days=90), utcnow()).removed == []  # closed just now
    swept = retention.sweep(Policy(closed_case_days=90), utcnow() + timedelta(days=91))

    assert swept.removed == [old]
    assert not store.exists(old) and not store.r.exists(store.k("case", old, "audit"))
    assert store.case_for_post("x", "601") is None  # its indexes went with it
    assert store.case_for_message(MessageRef("slack", "C0BILLING", "1.0002")) is None
    assert store.exists(still_open)
    counts = retention.counts(day)
    assert counts["cases"] == 1 and counts["state:resolved"] == 1
    assert counts["department:billing"] == 1 and counts["verdict:respond"] == 1 and counts["platform:x"] == 1
    assert retention.sweep(Policy(closed_case_days=90), utcnow() + timedelta(days=91)).removed == []
    assert retention.counts(day)["cases"] == 1  # counted once


def test_a_case_reopened_after_closing_is_not_swept(store: Store) -> None:
    retention = Retention(store)
    number = closed_case(store, "611")
    store.transition(number, Action.REOPEN, "U1")
    assert retention.sweep(Policy(closed_case_days=1), utcnow() + timedelta(days=5)).removed == []
    assert store.exists(number)


def test_cases_closed_before_the_policy_existed_are_found_and_swept(store: Store) -> None:
    number = closed_case(store, "621")
    # as if it had closed before retention existed: no closing note, no expiry
    store.r.zrem(store.k("retention", "closed"), number)
    retention = Retention(store)

    swept = retention.sweep(Policy(closed_case_days=90), utcnow())
    assert swept.backfilled == 1 and swept.removed == []
    assert store.r.ttl(store.k("case", number)) > 89 * DAY  # it gets its expiry now
    swept = retention.sweep(Policy(closed_case_days=90), utcnow() + timedelta(days=91))
    assert swept.removed == [number] and not store.exists(number)


def test_export_writes_each_case_and_its_timeline_before_removing_it(store: Store, tmp_path: Path) -> None:
    number = closed_case(store, "631")
    policy = Policy(closed_case_days=10, audit="export", export_dir=tmp_path / "exports")
    swept = Retention(store).sweep(policy, utcnow() + timedelta(days=11))

    assert swept.removed == [number]
    lines = [json.loads(line) for line in swept.exported[0].read_text(encoding="utf-8").splitlines()]
    assert lines[0]["case"] == number
    assert lines[0]["facts"]["text"] == "my card was charged twice"
    assert [e["action"] for e in lines[0]["timeline"]][-1] == "resolve"


def test_audit_drop_trims_the_audit_stream_by_age(store: Store) -> None:
    old_ms = int((utcnow() - timedelta(days=40)).timestamp() * 1000)
    store.r.xadd(store.k("audit"), {"action": "ancient", "by": "U1", "at": "-"}, id=f"{old_ms}-0")
    closed_case(store, "641")
    swept = Retention(store).sweep(Policy(closed_case_days=90, audit="drop", audit_days=30), utcnow())
    assert swept.audit_trimmed == 1
    actions = [e.action for e in store.global_audit()]
    assert "ancient" not in actions and "resolve" in actions


def test_audit_export_writes_the_trimmed_entries_first(store: Store, tmp_path: Path) -> None:
    old_ms = int((utcnow() - timedelta(days=40)).timestamp() * 1000)
    store.r.xadd(store.k("audit"), {"action": "ancient", "by": "U1", "at": "-"}, id=f"{old_ms}-0")
    policy = Policy(closed_case_days=90, audit="export", audit_days=30, export_dir=tmp_path)
    swept = Retention(store).sweep(policy, utcnow())
    assert swept.audit_trimmed == 1
    exported = [json.loads(x) for x in (swept.exported[0]).read_text(encoding="utf-8").splitlines()]
    assert exported == [{"id": f"{old_ms}-0", "action": "ancient", "by": "U1", "at": "-"}]


def test_without_a_policy_the_sweep_clears_the_expiry_setting(store: Store) -> None:
    Retention(store).publish(Policy(closed_case_days=30))
    assert sweep(store, None, Path("/data"), utcnow()) is None
    number = closed_case(store, "651")
    assert store.r.ttl(store.k("case", number)) == -1


def test_one_worker_an_hour_queues_the_sweep(store: Store) -> None:
    from rq import Queue

    queue = Queue(f"{store.prefix}q", connection=store.r)
    at = datetime(2026, 12, 6, 3, 10, tzinfo=UTC)
    assert start_hourly(store, queue, at) is True
    assert start_hourly(store, queue, at + timedelta(minutes=10)) is False  # another worker, same hour
    assert start_hourly(store, queue, at + timedelta(hours=1)) is True
    assert [job.func_name for job in queue.jobs] == ["bridge.app.retention.sweep_job"] * 2
    queue.empty()


def test_a_case_open_again_is_never_removed_even_if_noted_as_closed(store: Store) -> None:
    number, _ = store.create_case_once(make_case("661"))
    long_ago = (utcnow() - timedelta(days=200)).timestamp()
    store.r.zadd(store.k("retention", "closed"), {str(number): long_ago})  # a stale note
    swept = Retention(store).sweep(Policy(closed_case_days=90), utcnow())
    assert swept.removed == [] and store.exists(number)
    assert store.r.zscore(store.k("retention", "closed"), number) is None
