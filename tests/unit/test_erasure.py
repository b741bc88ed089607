"""Erasing one customer: their words and identity leave every record, case numbers, timelines and
counts stay, other customers and the team's words are untouched, and a second run changes nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from bridge.crisis.erasure import CrisisErasure
from bridge.domain.lifecycle import Action, State
from bridge.domain.model import Case, Draft, utcnow
from bridge.store.cases import Store
from bridge.store.erasure import Customer, Eraser
from bridge.store.retention import Policy, Retention
from bridge.store.scrub import Needles, Scrubber
from bridge.store.timeline import format_timeline
from tests.support.cases import routed_case
from tests.support.redis_dump import dump

DAY = date(2026, 12, 6)
MARK = "[erased on 2026-12-06]"
MARIA_POST = "My card was charged twice for order 7781, please help"
MARIA_DM = "My address is 12 Elm Street, Springfield"
OTHER_POST = "The billing page is down again, same as @maria said"


def make_case(post_id: str, handle: str, author_id: str, text: str) -> Case:
    name = "Maria Lopez" if handle == "maria" else f"{handle.title()} Smith"
    return routed_case(
        post_id, handle=handle, text=text, author_id=author_id, name=name, author_followers=1200
    )


def story(store: Store) -> tuple[int, int]:
    """Maria's case (a follow-up, a draft greeting her, a private message) and Bob's case."""
    maria, _ = store.create_case_once(make_case("1790000000000000001", "maria", "44001", MARIA_POST))
    bob, _ = store.create_case_once(make_case("1790000000000000002", "bob", "44002", OTHER_POST))
    store.r.set(store.k("author", "x", "44001"), maria)
    store.transition(maria, Action.CLAIM, "U1", values={"claimant": "U1"})
    store.record(maria, "customer_follow_up", "maria", post_id="1790000000000000003", text="Still waiting!!")
    draft = Draft(maria, 1, "Hi @maria, Maria Lopez: we refunded you.", "U1", "thread", utcnow())
    store.transition(maria, Action.DRAFT, "U1", counter="draft_version", side_value=draft.to_json())
    store.record(maria, "customer_dm", "maria", dm_id="DM998877", text=MARIA_DM)
    store.first_time("dm:x:DM998877")
    store.record_global("mute_done", "U2", handle="maria", outcome="done")
    example = {"handle": "maria", "followers": 1200, "text": MARIA_POST, "url": "u", "case": maria}
    store.r.lpush(store.k("crisis", "t", "billing", "recent"), json.dumps({**example, "at": 1.0}))
    store.r.set(
        store.k("crisis", "lsh", "label", "4"), "my card was charged twice for order 7781 please help"
    )
    return maria, bob


def forget(store: Store, customer: Customer) -> tuple[list[int], int]:
    eraser = Eraser(store, DAY, [CrisisErasure(store)])
    erased = eraser.erase(eraser.plan(customer), by="dpo")
    return list(erased.cases), erased.values


def test_forgetting_a_handle_leaves_none_of_their_words_or_identity(store: Store) -> None:
    maria, _bob = story(store)
    cases, _ = forget(store, Customer(handle="@Maria"))

    assert cases == [maria]
    everything = dump(store.r, store.prefix).replace(OTHER_POST, "")  # Bob's post is Bob's
    for trace in ("maria", "Lopez", "charged twice", "Still waiting", "Elm Street", "44001", "DM998877"):
        assert trace.casefold() not in everything.casefold(), trace
    assert store.get(maria).post_id == MARK


def test_the_case_keeps_its_number_state_and_timeline_with_tombstones(store: Store) -> None:
    maria, _ = story(store)
    before = [e.action for e in store.audit(maria)]
    forget(store, Customer(handle="maria"))

    case = store.get(maria)
    assert (case.number, case.state, case.department) == (maria, State.RESOLVED, "billing")
    assert case.text == MARK and case.author_handle == MARK and case.author_followers == 0
    entries = store.audit(maria)
    assert [e.action for e in entries] == [*before, "resolve", "customer_erased"]
    assert {e.by for e in entries} == {"bridge", "U1", MARK, "dpo"}
    follow_up = next(e for e in entries if e.action == "customer_follow_up")
    assert follow_up.fields["text"] == MARK and follow_up.by == MARK
    assert store.draft(maria, 1).text == f"Hi {MARK}, {MARK}: we refunded you."  # type: ignore[union-attr]
    assert MARK in format_timeline(case, entries)


def test_other_customers_and_the_team_keep_their_words(store: Store) -> None:
    maria, bob = story(store)
    forget(store, Customer(handle="maria"))

    other = store.get(bob)
    assert other.author_handle == "bob" and other.state == State.ROUTED
    assert other.text == OTHER_POST  # theirs, even where it names @maria
    assert store.get(maria).department == "billing" and store.get(maria).claimant == "U1"


def test_the_erasure_is_audited_without_the_personal_data(store: Store) -> None:
    maria, _ = story(store)
    forget(store, Customer(handle="maria"))
    last = store.global_audit(count=1)[0]
    assert (last.action, last.by, last.fields["cases"]) == ("customer_erased", "dpo", str(maria))
    assert "maria" not in json.dumps(last.fields)


def test_forgetting_twice_changes_nothing_more(store: Store) -> None:
    story(store)
    forget(store, Customer(handle="maria"))
    snapshot = dump(store.r, store.prefix)
    cases, values = forget(store, Customer(handle="maria"))
    assert (cases, values) == ([], 0)
    after = dump(store.r, store.prefix)
    assert after.count("customer_erased") == snapshot.count("customer_erased") + 1  # the request itself
    assert after.count(MARK) == snapshot.count(MARK)


def test_a_customer_found_by_user_id_after_changing_handle(store: Store) -> None:
    old, _ = store.create_case_once(make_case("1790000000000000011", "maria_old", "44001", "first post here"))
    new, _ = store.create_case_once(make_case("1790000000000000012", "maria", "44001", "second post here"))
    cases, _ = forget(store, Customer(handle="maria"))
    assert cases == [old, new]
    assert "first post here" not in dump(store.r, store.prefix)


def test_a_dry_run_plans_without_changing_anything(store: Store) -> None:
    maria, _ = story(store)
    before = dump(store.r, store.prefix)
    plan = Eraser(store, DAY).plan(Customer(handle="maria", platform="x"))
    assert plan.cases == [maria] and plan.open_cases == [maria]
    assert store.k("author", "x", "44001") in plan.index_keys
    assert dump(store.r, store.prefix) == before


def test_rewriting_a_stream_keeps_every_entry_id_and_its_place(store: Store) -> None:
    key = store.k("s")
    ids = [store.r.xadd(key, {"text": t}) for t in ("one", "Maria wrote this long sentence", "three")]
    needles = Needles(MARK, texts={"Maria wrote this long sentence"})
    assert Scrubber(store.r, needles).stream(key) == 1
    entries: list[tuple[bytes, dict[bytes, bytes]]] = store.r.xrange(key)  # type: ignore[assignment]
    assert [(i, e[b"text"]) for i, e in entries] == [
        (ids[0], b"one"),
        (ids[1], MARK.encode()),
        (ids[2], b"three"),
    ]
    store.r.xadd(key, {"text": "four"})  # new entries still go after
    assert store.r.xlen(key) == 4


def test_cases_already_exported_by_retention_are_erased_from_the_export_files(
    store: Store, tmp_path: Path
) -> None:
    maria, bob = story(store)
    for number in (maria, bob):
        store.transition(number, Action.RESOLVE, "U1")
    policy = Policy(closed_case_days=1, audit="export", audit_days=1, export_dir=tmp_path)
    swept = Retention(store).sweep(policy, utcnow() + timedelta(days=2))
    assert sorted(swept.removed) == [maria, bob] and swept.audit_trimmed > 0  # cases and audit exported
    exported = "".join(p.read_text(encoding="utf-8") for p in sorted(tmp_path.glob("*.jsonl")))
    assert "Elm Street" in exported and "maria" in exported

    eraser = Eraser(store, DAY, [CrisisErasure(store)])
    plan = eraser.plan(Customer(handle="@maria"), tmp_path)
    assert plan.cases == [] and plan.exported_cases == [maria]
    eraser.erase(plan, by="dpo")

    files = sorted(tmp_path.glob("*.jsonl"))
    rewritten = "".join(p.read_text(encoding="utf-8") for p in files)
    for trace in ("maria", "Lopez", "charged twice", "Still waiting", "Elm Street", "44001", "DM998877"):
        assert trace.casefold() not in rewritten.replace(OTHER_POST, "").casefold(), trace
    assert rewritten.count("\n") == exported.count("\n")  # every record is still there
    assert OTHER_POST in rewritten and MARK in rewritten


def test_a_very_short_name_is_erased_where_it_is_a_whole_value_not_inside_words(store: Store) -> None:
    needles = Needles(MARK, names={"Al"}, handles={"al"})
    scrub = Scrubber(store.r, needles)
    assert scrub.text("Al", own=True) == MARK
    assert scrub.text("Al said: all good, almost done", own=True) == "Al said: all good, almost done"


def test_queued_and_failed_jobs_quoting_the_customer_are_deleted(store: Store) -> None:
    from rq import Queue
    from rq.registry import FailedJobRegistry

    from bridge.app import jobs
    from bridge.app.job_erasure import erase_jobs

    maria, bob = story(store)
    queue = Queue(f"{store.prefix}q", connection=store.r)
    quoting = queue.enqueue(jobs.thread_notice, maria, "@maria wrote again:", MARIA_POST)
    failed = queue.enqueue(jobs.thread_notice, maria, "@maria wrote privately:", MARIA_DM)
    queue.remove(failed)
    FailedJobRegistry(queue=queue).add(failed, exc_string="Slack was down")
    theirs = queue.enqueue(jobs.thread_notice, bob, "@bob wrote again:", OTHER_POST)
    card = queue.enqueue(jobs.refresh_card, maria)
    plan = Eraser(store, DAY).plan(Customer(handle="maria"))

    assert erase_jobs(queue, Scrubber(store.r, plan.needles, plan.cases), plan.cases) == 2
    assert queue.get_job_ids() == [theirs.id, card.id]
    assert FailedJobRegistry(queue=queue).get_job_ids() == []
    assert not store.r.exists(quoting.key) and not store.r.exists(failed.key)
    for job in (theirs, card):
        job.delete()


def test_excerpts_quoted_in_the_reasons_of_their_own_cases_are_erased(store: Store) -> None:
    """Triage quotes what matched in a post ("problem ('charged twice')"): in the person's own
    records that excerpt is their words, however short; in others' records it stays."""
    scrub = Scrubber(store.r, Needles(MARK, texts={"I was charged twice for one order"}))
    reasons = "respond: problem ('charged twice'); tag billing ('charged'); language en"
    assert scrub.text(reasons, own=True) == (
        f"respond: problem ('{MARK}'); tag billing ('{MARK}'); language en"
    )
    assert scrub.text(reasons, own=False) == reasons
