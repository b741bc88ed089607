from __future__ import annotations

import threading
from datetime import UTC, datetime

from bridge.domain.clock import ManualClock
from bridge.domain.lifecycle import Action, State
from bridge.domain.model import Case, MessageRef
from bridge.store.cases import FIRST_CASE_NUMBER, Store
from tests.support.cases import routed_case


def make_case(post_id: str = "111") -> Case:
    return routed_case(
        post_id,
        author_id="9",
        name="Maria",
        at=datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
        post_url="https://x.com/maria/status/1",
    )


def test_the_same_post_makes_one_case(store: Store) -> None:
    first = store.create_case_once(make_case("555"))
    again = store.create_case_once(make_case("555"))
    other = store.create_case_once(make_case("556"))
    assert first == (FIRST_CASE_NUMBER + 1, True)
    assert again == (FIRST_CASE_NUMBER + 1, False)
    assert other[1] and other[0] > first[0]  # a new number (the duplicate may have left a gap)
    assert store.get(first[0]).text == "help"


def test_case_round_trips_through_redis(store: Store) -> None:
    number, _ = store.create_case_once(make_case())
    case = store.get(number)
    assert case.number == number and case.state == State.ROUTED
    assert case.created_at == datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert case.ref == f"#{number}"


def test_fifty_simultaneous_claims_give_one_claimant(store: Store) -> None:
    number, _ = store.create_case_once(make_case())
    barrier = threading.Barrier(50)
    results: dict[str, bool] = {}

    def click(user: str) -> None:
        barrier.wait()
        outcome = store.transition(
            number, Action.CLAIM, user, guards={"claimant": ""}, values={"claimant": user}
        )
        results[user] = outcome.ok

    threads = [threading.Thread(target=click, args=(f"U{i:03d}",)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [user for user, ok in results.items() if ok]
    assert len(winners) == 1
    assert store.get(number).claimant == winners[0]
    claims = [e for e in store.audit(number) if e.action == "claim"]
    assert len(claims) == 1 and claims[0].by == winners[0]


def test_transition_refused_in_wrong_state_changes_nothing(store: Store) -> None:
    number, _ = store.create_case_once(make_case())
    outcome = store.transition(number, Action.APPROVE, "U1", values={"approver": "U1"})
    assert not outcome.ok and outcome.reason == "state" and outcome.state == State.ROUTED
    case = store.get(number)
    assert case.approver == "" and case.state == State.ROUTED
    assert [e.action for e in store.audit(number)] == ["ingested"]


def test_draft_versions_count_up_and_keep_their_text(store: Store) -> None:
    number, _ = store.create_case_once(make_case())
    store.transition(number, Action.CLAIM, "U1", guards={"claimant": ""}, values={"claimant": "U1"})
    versions = []
    for text in ("first", "second"):
        body = (
            f'{{"case": {number}, "version": 0, "text": "{text}", "author": "U1", "source": "thread", '
            '"created_at": "2026-11-26T12:00:00+00:00"}'
        )
        outcome = store.transition(number, Action.DRAFT, "U1", counter="draft_version", side_value=body)
        versions.append(outcome.counter)
    assert versions == [1, 2]
    second = store.draft(number, 2)
    assert second is not None and second.text == "second"
    assert store.get(number).draft_version == 2


def test_first_time_is_true_once(store: Store) -> None:
    assert store.first_time("event:Ev1")
    assert not store.first_time("event:Ev1")
    assert store.first_time("event:Ev2")


def test_the_audit_is_stamped_by_the_runtimes_clock(store: Store) -> None:
    """KPIs are measured from the timeline: it must tell the time the rest of the bridge decides by."""
    clock = ManualClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    timed = Store(store.r, store.prefix, clock=clock)
    number, _ = timed.create_case_once(routed_case("p-clock"))
    clock.advance(minutes=7)
    timed.transition(number, Action.CLAIM, "U0EXP1", values={"claimant": "U0EXP1"})
    stamps = [(entry.action, entry.at) for entry in timed.audit(number)]
    assert stamps == [
        ("ingested", datetime(2026, 11, 2, 9, 0, tzinfo=UTC)),
        ("claim", datetime(2026, 11, 2, 9, 7, tzinfo=UTC)),
    ]


def test_a_case_is_closed_once_posted_resolved_or_ignored(store: Store) -> None:
    number, _ = store.create_case_once(routed_case("p-closed"))
    assert not store.is_closed(number) and not store.is_closed(number + 999)
    store.transition(number, Action.IGNORE, "U0SOC1")
    assert store.is_closed(number)


def test_a_new_card_is_noted_in_one_step_and_starts_the_timers_only_the_first_time(store: Store) -> None:
    number, _ = store.create_case_once(make_case("777"))
    first = MessageRef("slack", "C0BILLING", "1700000000.000100")
    assert store.card_up(number, first) is True
    case = store.get(number)
    assert case.card == first and store.case_for_message(first) == number
    assert [e.action for e in store.audit(number)][-1] == "card_posted"
    moved = MessageRef("slack", "C0LOGIST", "1700000000.000200")  # a move: a new card, no new timers
    assert store.card_up(number, moved) is False
    assert not list(store.r.scan_iter(match=store.k("once", "*"))), "a mark on the case, no key of its own"
    assert store.timers_start(number) is False, "a refusal after the card starts nothing either"
    assert store.get(number).card == moved and store.case_for_message(first) == number
    assert [e.action for e in store.global_audit()].count("card_posted") == 2


def test_a_new_case_writes_its_first_entries_and_its_index_only_when_it_is_new(store: Store) -> None:
    then = [("triaged", "bridge", {"verdict": "respond"}), ("routed", "bridge", {"department": "billing"})]
    index = store.k("author", "x", "9")
    number, created = store.create_case_once(make_case("888"), then=then, index=(index, 60))
    assert created
    timeline = store.audit(number)
    assert [e.action for e in timeline] == ["ingested", "triaged", "routed"]
    assert timeline[1].fields == {"case": str(number), "verdict": "respond"}
    assert int(store.r.get(index) or 0) == number and 0 < store.r.ttl(index) <= 60
    store.r.delete(index)
    again, created = store.create_case_once(make_case("888"), then=then, index=(index, 60))
    assert (again, created) == (number, False)
    assert len(store.audit(number)) == 3 and store.r.get(index) is None


def test_the_global_audit_holds_who_did_what_when_and_the_case_its_details(store: Store) -> None:
    """The bridge's audit stream is the ledger of every step (capped); each entry's details, a
    draft's reasons or a customer's words, stay once, in the case's own timeline."""
    number, _ = store.create_case_once(make_case("999"), then=[("triaged", "bridge", {"reasons": "r" * 300})])
    store.record(number, "customer_follow_up", "maria", text="my words " * 30)
    store.transition(number, Action.CLAIM, "U1", guards={"claimant": ""}, values={"claimant": "U1"})
    ledger = [(e.action, e.by, e.fields) for e in store.global_audit()]
    assert ledger == [
        ("ingested", "bridge", {"case": str(number)}),
        ("triaged", "bridge", {"case": str(number)}),
        ("customer_follow_up", "maria", {"case": str(number)}),
        ("claim", "U1", {"case": str(number), "from": "routed", "to": "claimed"}),
    ]
    details = {e.action: e.fields for e in store.audit(number)}
    assert details["triaged"]["reasons"] == "r" * 300
    assert details["customer_follow_up"]["text"].startswith("my words")
    assert details["claim"]["to"] == "claimed" and details["ingested"]["post_id"] == "999"


def test_a_new_case_leaves_its_empty_fields_out_and_reads_back_whole(store: Store) -> None:
    case = make_case("1234")
    number, _ = store.create_case_once(case)
    raw = store.r.hgetall(store.k("case", number))
    assert b"claimant" not in raw and b"reply_id" not in raw and b"" not in raw.values()
    assert raw[b"draft_version"] == b"0", "numbers stay: a guard compares them with '0'"
    assert len(raw) < len(case.to_hash()) - 20
    case.number = number
    assert store.get(number) == case
    claimed = store.transition(number, Action.CLAIM, "U1", guards={"claimant": ""}, values={"claimant": "U1"})
    assert claimed.ok, "a missing field is empty to a guard"
