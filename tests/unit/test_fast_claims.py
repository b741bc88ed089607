"""A Claim in one Redis round trip (:class:`bridge.desk.fast_desk.FastDesk`): it does what the desk
does when the claim plainly succeeds, and changes nothing otherwise, leaving the desk to decide."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from rq import Queue
from rq.job import Job

from bridge.app.dispatch import Dispatcher
from bridge.app.job_records import JobRecords
from bridge.desk.desk import Desk
from bridge.desk.fast_desk import FastDesk
from bridge.domain.clock import ManualClock
from bridge.domain.errors import NotAllowed
from bridge.domain.lifecycle import Action, State
from bridge.playbook.source import PlaybookSource
from bridge.store.cases import Store
from bridge.store.fast_transitions import FastTransitions
from bridge.store.pipelined import Command, PipelinedRedis
from bridge.store.transitions import Change, text
from tests.support.cases import routed_case

PLAYBOOK = Path(__file__).resolve().parents[2] / "playbooks" / "acme.yml"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


class Noted:
    """The pipelined client, and the name of every command it has sent."""

    def __init__(self, redis_url: str) -> None:
        self.client = PipelinedRedis(redis_url)
        self.sent: list[str] = []
        send: Callable[..., Awaitable[list[Any]]] = self.client.execute

        async def noted(*commands: Command) -> list[Any]:
            self.sent += [str(command[0]) for command in commands]
            return await send(*commands)

        self.client.execute = noted  # type: ignore[method-assign]


@pytest.fixture
def queue(store: Store) -> Iterator[Queue]:
    queue = Queue(store.prefix.rstrip(":"), connection=store.r)
    yield queue
    for job_id in queue.get_job_ids():
        store.r.delete(Job.key_for(job_id))
    store.r.delete(queue.key)
    store.r.srem(queue.redis_queues_keys, queue.key)


def desks(store: Store, queue: Queue, redis_url: str) -> tuple[Desk, FastDesk, Noted]:
    clock, playbooks = ManualClock(NOW), PlaybookSource(PLAYBOOK)
    store.clock = clock  # one clock for the store and the desks, as the runtime builds them
    client = Noted(redis_url)
    fast = FastDesk(FastTransitions(client.client, store.prefix), playbooks, JobRecords(queue), clock)
    return Desk(store, playbooks, Dispatcher(queue), clock), fast, client


def claim_fast(fast: FastDesk, client: Noted, number: int, user: str) -> bool:
    async def run() -> bool:
        try:
            return await fast.claim(number, user)
        finally:
            await client.client.aclose()

    return asyncio.run(run())


def queued(queue: Queue) -> list[tuple[str, tuple[Any, ...]]]:
    return [(str(job.func_name), tuple(job.args)) for job in queue.get_jobs()]


def without_identity(store: Store, number: int) -> dict[bytes | str, bytes | str]:
    """The case's hash but for the fields that name the case and its post (two cases are compared)."""
    different = {b"number", b"post_id", b"author_id", b"post_url", b"timeline"}
    return {k: v for k, v in store.r.hgetall(store.k("case", number)).items() if k not in different}


def last_entry(store: Store, number: int) -> tuple[str, str, datetime, dict[str, str]]:
    """The case's last audit entry, its case number checked and left out (two cases are compared)."""
    last = store.audit(number)[-1]
    fields = dict(last.fields)
    assert fields.pop("case") == str(number)
    return last.action, last.by, last.at, fields


def test_a_fast_claim_leaves_what_the_desks_claim_leaves(store: Store, queue: Queue, redis_url: str) -> None:
    desk, fast, client = desks(store, queue, redis_url)
    by_desk, _ = store.create_case_once(routed_case("1", at=NOW))
    by_fast, _ = store.create_case_once(routed_case("2", at=NOW))
    desk.claim(by_desk, "U0EXP1")
    assert claim_fast(fast, client, by_fast, "U0EXP1")
    assert without_identity(store, by_desk) == without_identity(store, by_fast)
    claimed = last_entry(store, by_fast)
    assert claimed == last_entry(store, by_desk)
    assert claimed[0] == "claim" and claimed[3]["to"] == "claimed"
    assert set(store.open_cases()) == {by_desk, by_fast}
    refresh = "bridge.app.jobs.refresh_card"
    assert queued(queue) == [(refresh, (by_desk,)), (refresh, (by_fast,))]


def test_a_claim_is_one_redis_round_trip(store: Store, queue: Queue, redis_url: str) -> None:
    _, fast, client = desks(store, queue, redis_url)
    first, _ = store.create_case_once(routed_case("1"))
    second, _ = store.create_case_once(routed_case("2"))

    async def run() -> list[str]:
        try:
            assert await fast.claim(first, "U0EXP1")  # the first run loads the script
            client.sent.clear()
            assert await fast.claim(second, "U0EXP1")
            return client.sent
        finally:
            await client.client.aclose()

    assert asyncio.run(run()) == ["EVALSHA"]
    assert store.get(second).claimant == "U0EXP1"


@pytest.mark.parametrize(
    ("user", "claimed_by"),
    [("U0LOG1", ""), ("U0EXP2", "U0EXP1"), ("U0NOBODY", "")],
    ids=["another-department", "already-claimed", "in-no-department"],
)
def test_a_claim_the_desk_would_refuse_changes_nothing_and_is_left_to_the_desk(
    store: Store, queue: Queue, redis_url: str, user: str, claimed_by: str
) -> None:
    desk, fast, client = desks(store, queue, redis_url)
    number, _ = store.create_case_once(routed_case("1"))
    if claimed_by:
        desk.claim(number, claimed_by)
    before = (store.r.hgetall(store.k("case", number)), store.audit(number), queued(queue))
    assert not claim_fast(fast, client, number, user)
    assert (store.r.hgetall(store.k("case", number)), store.audit(number), queued(queue)) == before
    with pytest.raises(NotAllowed):
        desk.claim(number, user)


def test_an_unknown_case_is_left_to_the_desk(store: Store, queue: Queue, redis_url: str) -> None:
    _, fast, client = desks(store, queue, redis_url)
    assert not claim_fast(fast, client, 999_999, "U0EXP1")
    assert queued(queue) == []
    assert not store.exists(999_999)


def test_a_case_of_a_department_the_playbook_no_longer_has_is_left_to_the_desk(
    store: Store, queue: Queue, redis_url: str
) -> None:
    """The desk hands such a case to the social team; only the desk knows that rule."""
    _, fast, client = desks(store, queue, redis_url)
    number, _ = store.create_case_once(routed_case("1", department="closed-down"))
    assert not claim_fast(fast, client, number, "U0EXP1")
    assert store.get(number).state == State.ROUTED


def test_a_transition_that_closes_a_case_is_not_taken_in_one_trip(store: Store, redis_url: str) -> None:
    """Closing also archives the case, which the one-trip script does not do."""
    change = Change(allowed_from=["routed"], to="ignored", audit={"action": "ignore", "by": "U1"})

    async def run() -> None:
        client = PipelinedRedis(redis_url)
        try:
            await FastTransitions(client, store.prefix).apply(
                1, Action.IGNORE, change, allowed={}, jobs=[], at=0.0
            )
        finally:
            await client.aclose()

    with pytest.raises(ValueError, match="does not move a case to an open state"):
        asyncio.run(run())


def test_the_queued_refresh_is_the_job_rq_would_have_queued(store: Store, queue: Queue) -> None:
    from bridge.app import jobs
    from bridge.app.enqueue import enqueue, job_record

    record = job_record(queue, jobs.refresh_card, 1234)
    fields = {text(k): v for k, v in zip(record.fields[::2], record.fields[1::2], strict=True)}
    by_rq = Job.fetch(enqueue(queue, jobs.refresh_card, 1234).id, connection=store.r)
    stored = {text(k): v for k, v in store.r.hgetall(by_rq.key).items()}
    moments, data = {"created_at", "enqueued_at"}, "data"  # RQ compresses the data; it reads either
    assert set(fields) == set(stored)
    assert {k: v.encode() if isinstance(v, str) else v for k, v in fields.items() if k not in moments} == {
        k: zlib.decompress(cast(bytes, v)) if k == data else v for k, v in stored.items() if k not in moments
    }
    assert (record.queue_key, record.queues_key) == (queue.key, queue.redis_queues_keys)
    store.r.hset(record.key, items=list(record.fields))
    try:
        ours = Job.fetch(record.job_id, connection=store.r)
        assert (ours.func_name, ours.args, ours.kwargs) == (by_rq.func_name, by_rq.args, by_rq.kwargs)
        assert (ours.retries_left, ours.retry_intervals, ours.timeout) == (5, [5, 30, 120, 600, 1800], 120)
    finally:
        store.r.delete(record.key)


def test_only_the_fields_the_records_fill_in_differ_between_two_calls_as_rq_builds_them(queue: Queue) -> None:
    """The records are RQ's own but for :data:`PER_CALL_FIELDS`: an RQ release that adds a field that
    varies from call to call must fail here, not queue a stale value."""
    from bridge.app import jobs
    from bridge.app.enqueue import PER_CALL_FIELDS, job_record

    def by_rq(number: int) -> dict[str, Any]:
        job = Job.create(jobs.refresh_card, args=(number,), connection=queue.connection, origin=queue.name)
        job.enqueued_at = datetime.now(UTC)
        return job.to_dict()

    first, second = by_rq(1), by_rq(22)
    assert {k for k in first.keys() | second.keys() if first.get(k) != second.get(k)} <= set(PER_CALL_FIELDS)
    ids = {job_record(queue, jobs.refresh_card, 1).job_id for _ in range(600)}  # over two batches of ids
    assert len(ids) == 600


def drafted(
    store: Store, desk: Desk, post_id: str, author: str = "U0EXP1", text: str = "Refunded today."
) -> int:
    number, _ = store.create_case_once(routed_case(post_id, at=NOW))
    desk.claim(number, author)
    desk.draft(number, author, text)
    return number


def approve_fast(fast: FastDesk, client: Noted, number: int, version: int, user: str) -> bool:
    async def run() -> bool:
        try:
            return await fast.approve(number, version, user)
        finally:
            await client.client.aclose()

    return asyncio.run(run())


def test_a_fast_approval_leaves_what_the_desks_approval_leaves(
    store: Store, queue: Queue, redis_url: str
) -> None:
    desk, fast, client = desks(store, queue, redis_url)
    by_desk, by_fast = drafted(store, desk, "1"), drafted(store, desk, "2")
    for job_id in queue.get_job_ids():  # the claims' and drafts' own jobs
        queue.remove(job_id)
    desk.approve(by_desk, 1, "U0APP1")
    assert approve_fast(fast, client, by_fast, 1, "U0APP1")
    assert without_identity(store, by_desk) == without_identity(store, by_fast)
    approved = last_entry(store, by_fast)
    assert approved == last_entry(store, by_desk)
    assert approved[0] == "approve" and approved[3]["version"] == "1"
    notice = "Draft v1 approved by <@U0APP1>; posting it now."
    assert queued(queue) == [
        step
        for n in (by_desk, by_fast)
        for step in [
            ("bridge.app.jobs.publish", (n,)),
            ("bridge.app.jobs.refresh_card", (n,)),
            ("bridge.app.jobs.thread_notice", (n, notice, "")),
        ]
    ]
    callbacks = [store.r.hget(Job.key_for(job_id), "failure_callback_name") for job_id in queue.get_job_ids()]
    assert callbacks == [b"bridge.app.jobs.publish_gave_up", b"", b""] * 2


@pytest.mark.parametrize(
    ("user", "version", "author", "text"),
    [
        ("U0EXP2", 1, "U0EXP1", "Refunded today."),
        ("U0APP1", 2, "U0EXP1", "Refunded today."),
        ("U0APP1", 1, "U0APP1", "Refunded today."),
        ("U0APP1", 1, "U0EXP1", "x" * 400),
    ],
    ids=["not-an-approver", "no-such-version", "own-draft-four-eyes", "too-long-for-x"],
)
def test_an_approval_the_desk_would_refuse_changes_nothing_and_is_left_to_the_desk(
    store: Store, queue: Queue, redis_url: str, user: str, version: int, author: str, text: str
) -> None:
    desk, fast, client = desks(store, queue, redis_url)
    number = drafted(store, desk, "1", author, text)
    before = (store.r.hgetall(store.k("case", number)), store.audit(number), queued(queue))
    assert not approve_fast(fast, client, number, version, user)
    assert (store.r.hgetall(store.k("case", number)), store.audit(number), queued(queue)) == before
    with pytest.raises(NotAllowed):
        desk.approve(number, version, user)


def test_the_fast_path_asks_for_the_playbook_at_most_twice_a_second_and_then_sees_an_edit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Asking costs a ``stat`` of the file per click; an edit still arrives within half a second."""
    from bridge.desk import fast_desk
    from bridge.playbook.model import load_playbook

    before = load_playbook(PLAYBOOK)
    others = {name: d for name, d in before.departments.items() if name != "billing"}
    after = before.model_copy(update={"departments": others})  # billing closed down
    served = [before]
    asked: list[int] = []

    def source() -> Any:
        asked.append(1)
        return served[-1]

    now = [1000.0]
    monkeypatch.setattr("bridge.desk.fast_desk.time.monotonic", lambda: now[0])
    fast = FastDesk(cast(FastTransitions, None), source, cast(JobRecords, None), ManualClock(NOW))
    assert fast.claimable_departments("U0EXP1") == ["billing"]
    served.append(after)  # the file is edited
    now[0] += fast_desk.PLAYBOOK_CHECK_SECONDS / 2
    assert fast.claimable_departments("U0EXP1") == ["billing"] and len(asked) == 1
    now[0] += fast_desk.PLAYBOOK_CHECK_SECONDS
    assert fast.claimable_departments("U0EXP1") == [] and len(asked) == 2
