"""A poll's page of new cases gets its cards from a few ``post_cards`` jobs, not one job per card: RQ's
own bookkeeping (some sixty Redis commands a job) is then paid once for many cards. Nothing is lost on
the way: a card held back by a process that dies before queueing it is posted when its safety-net
timer comes due, a card whose channel is busy waits for its slot in a job of its own, a card that
fails is retried alone, and a second post of the same customer in the same page is noted in the
thread of the card it joins."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from rq.registry import ScheduledJobRegistry

from bridge.app.dispatch import CARD_BATCH, CARD_BATCH_SPREAD, Dispatcher
from bridge.app.poller import _ingest_all
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from tests.conftest import PLAYBOOK, running_bridge

pytestmark = pytest.mark.e2e

PAGE = CARD_BATCH * 4 + 3  # five jobs: more than the spread's four


def cards_for(bridge: LocalBridge) -> dict[str, int]:
    """Each ``ref mN`` token in a card the Slack stand-in holds (not a thread reply), with how many
    cards carried it."""
    seen: dict[str, int] = {}
    for messages in bridge.slack.messages.values():
        for message in messages:
            if message.get("thread_ts"):
                continue
            for word in str(message.get("text", "")).split():
                if word.startswith("m") and word[1:].isdigit():
                    seen[word] = seen.get(word, 0) + 1
    return seen


def add_page(bridge: LocalBridge, size: int) -> None:
    for i in range(size):
        bridge.x.add_mention(
            f"@AcmeHelp my parcel never arrived, ref m{i}", author_handle=f"buyer{i}", author_name=f"B {i}"
        )


def die_inside_a_page(bridge: LocalBridge, monkeypatch: pytest.MonkeyPatch) -> None:
    """A poll killed inside its page: its cases are made, its batch of cards never queued."""
    dying = Dispatcher(bridge.rt.queue, bridge.rt.timers, bridge.rt.clock)
    with monkeypatch.context() as patched:
        patched.setattr(bridge.rt.ingestor, "dispatch", dying)
        batch = dying.batched_cards()
        batch.__enter__()
        _ingest_all(bridge.rt, bridge.rt.socials["x"].fetch_mentions(None).mentions)
    dying._cards = None  # the process is gone, and what it held with it: nothing is queued, ever
    assert bridge.rt.queue.count == 0


def test_a_page_of_new_cases_gets_its_cards_from_a_few_jobs_each_card_once(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    add_page(bridge, PAGE)
    bridge.poll()
    queued = [job.args[0] if isinstance(job.args[0], list) else [job.args[0]] for job in bridge.rt.queue.jobs]
    assert [len(numbers) for numbers in queued] == [CARD_BATCH] * 4 + [1] * 3  # full ones as they filled
    assert sorted(n for numbers in queued for n in numbers) == sorted(bridge.rt.store.open_cases())
    assert bridge.rt.timers.pending() == [], "the safety-net timers go once the jobs are queued"
    bridge.drain()
    assert cards_for(bridge) == {f"m{i}": 1 for i in range(PAGE)}
    assert all(bridge.rt.store.get(n).card is not None for n in bridge.rt.store.open_cases())
    timers = {kind for _n, kind, _at in bridge.rt.timers.pending()}
    assert timers == {"claim", "deadline"}, "each card starts its SLA timers"


def test_a_small_page_spreads_over_the_workers(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    add_page(bridge, CARD_BATCH_SPREAD * 2)
    bridge.poll()
    assert [len(job.args[0]) for job in bridge.rt.queue.jobs] == [2] * CARD_BATCH_SPREAD


def test_a_job_run_again_after_a_crash_posts_no_card_twice(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    add_page(bridge, 6)
    bridge.poll()
    jobs = bridge.rt.queue.jobs
    bridge.drain()
    for job in jobs:  # RQ runs a job cut off by a crash again, from the start
        bridge.rt.queue.enqueue_job(job)
    bridge.drain()
    assert cards_for(bridge) == {f"m{i}": 1 for i in range(6)}


def test_a_card_held_back_by_a_process_that_died_is_posted_when_its_timer_comes_due(
    local_bridge: LocalBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    bridge = local_bridge
    add_page(bridge, 3)
    die_inside_a_page(bridge, monkeypatch)
    assert sorted(kind for _n, kind, _at in bridge.rt.timers.pending()) == ["card"] * 3
    bridge.drain(include_timers=True)
    assert cards_for(bridge) == {"m0": 1, "m1": 1, "m2": 1}
    assert [kind for _n, kind, _at in bridge.rt.timers.pending()].count("card") == 0


def test_a_case_closed_before_its_timer_came_due_gets_no_card(
    local_bridge: LocalBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    bridge = local_bridge
    add_page(bridge, 1)
    die_inside_a_page(bridge, monkeypatch)
    [number] = bridge.rt.store.open_cases()
    assert bridge.slash("U0SOC1", "C0SOCIAL", f"resolve {number}").status == 200
    bridge.drain(include_timers=True)
    assert bridge.rt.store.get(number).state == State.RESOLVED
    assert cards_for(bridge) == {}


def test_cards_for_busy_channels_are_put_off_to_their_slots_together_not_one_job_each(
    redis_url: str, tmp_path: Path
) -> None:
    with running_bridge(PLAYBOOK, redis_url, tmp_path, channel_interval_ms=2_000) as bridge:
        for i in range(CARD_BATCH_SPREAD):  # two channels, four cards each, in turn
            for j, words in enumerate(("my refund never came", "my parcel never arrived")):
                bridge.x.add_mention(f"@AcmeHelp {words}, ref m{2 * i + j}", author_handle=f"b{i}{j}")
        bridge.poll()
        bridge.drain()
        assert len(cards_for(bridge)) == 2, "each channel takes one card a slot"
        deferred = [j for j in bridge.scheduled() if j.func_name == "bridge.app.jobs.post_cards"]
        assert sorted(len(j.args[0]) for j in deferred) == [2, 2, 2], "one job per slot, both channels"
        registry = ScheduledJobRegistry(queue=bridge.rt.queue)
        for job in deferred:  # each carries its cards' slots, and is due at the last of them
            assert bridge.rt.redis.zscore(registry.key, job.id) == max(job.args[1])
        assert not list(bridge.rt.redis.scan_iter(match="*pace-held*")), "no slot held under a name"
        slots = sorted(max(j.args[1]) for j in deferred)
        assert all(b - a >= 1.9 for a, b in itertools.pairwise(slots)), "the channels' two-second pace"
        bridge.drain(include_scheduled=True)  # their slots come: each posts, once
        assert cards_for(bridge) == {f"m{i}": 1 for i in range(CARD_BATCH_SPREAD * 2)}
        assert not bridge.scheduled()


def test_a_card_that_fails_in_a_batch_is_retried_alone(local_bridge: LocalBridge) -> None:
    """The failed card gets a job of its own at once; the batch neither fails as a whole (its other
    cards would wait for the batch's retry) nor posts again what is up."""
    bridge = local_bridge
    add_page(bridge, CARD_BATCH_SPREAD * 2)
    bridge.slack.fail_next("chat.postMessage", status=503, times=1)  # Slack down for a moment
    bridge.poll()
    assert {job.func_name for job in bridge.rt.queue.jobs} == {"bridge.app.jobs.post_cards"}
    bridge.drain()  # the batches, then the failed card's own job
    assert cards_for(bridge) == {f"m{i}": 1 for i in range(CARD_BATCH_SPREAD * 2)}
    assert not [j for j in bridge.scheduled() if "post_card" in (j.func_name or "")], "no retry left waiting"
    assert len(bridge.rt.queue.failed_job_registry) == 0


def test_the_same_post_twice_in_one_page_makes_one_case_and_no_follow_up(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    add_page(bridge, 2)
    mentions = bridge.rt.socials["x"].fetch_mentions(None).mentions
    with bridge.rt.dispatch.batched_cards():
        assert _ingest_all(bridge.rt, [mentions[0], mentions[1], mentions[0]]) == 2
    bridge.drain()
    assert len(bridge.rt.store.open_cases()) == 2
    for number in bridge.rt.store.open_cases():
        assert "customer_follow_up" not in [e.action for e in bridge.rt.store.audit(number)]


def test_a_page_reads_the_follow_up_index_once_yet_every_customer_writing_again_joins_their_case(
    local_bridge: LocalBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    bridge = local_bridge
    earlier = bridge.x.add_mention("@AcmeHelp my parcel never arrived", author_handle="ana")
    bridge.poll()
    add_page(bridge, 3)  # three customers new to the bridge
    again = bridge.x.add_mention("@AcmeHelp still nothing, ref m0", author_handle="buyer0", author_name="B 0")
    later = bridge.x.add_mention("@AcmeHelp and still no parcel", author_handle="ana")
    author_reads: list[str] = []
    read = bridge.rt.store.r.get

    def noted(key: str) -> object:
        if ":author:" in str(key):
            author_reads.append(str(key))
        return read(key)

    monkeypatch.setattr(bridge.rt.store.r, "get", noted)
    bridge.poll()
    bridge.drain()
    first_of_buyer0 = bridge.rt.store.case_for_post("x", bridge.x.posts_by("buyer0")[0].id)
    assert bridge.rt.store.case_for_post("x", again) == first_of_buyer0  # read: made in this page
    assert bridge.rt.store.case_for_post("x", later) == bridge.rt.store.case_for_post("x", earlier)
    assert len(author_reads) == 2, "only ana (indexed before the page) and buyer0's second post are read"
    assert len(bridge.rt.store.open_cases()) == 4
