"""RQ job bodies: thin, each finds the process runtime and calls one service.

The worker binds the case number to every log line of a job whose first argument is a case
(:mod:`bridge.app.workers`); the bodies count what operators alert on (:mod:`bridge.app.metrics`).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import redis
import structlog
from rq import Retry, get_current_job
from rq.job import Job

from bridge.app.enqueue import enqueue
from bridge.app.metrics import (
    FIRST_RESPONSE,
    MENTION_TO_CARD,
    REPLIES_FAILED,
    REPLIES_POSTED,
    SLA_BREACHES,
    SURVEYS_SENT,
)
from bridge.domain.errors import PaceDeferred, Rejected
from bridge.domain.lifecycle import FINISHED_STATES
from bridge.domain.model import Case
from bridge.store.pacing import deferrable, sending_at

if TYPE_CHECKING:
    from bridge.app.runtime import Runtime

__all__ = [
    "MAX_PACE_DEFERRALS",
    "archive_case",
    "card_due",
    "out_of_hours_ack",
    "post_card",
    "post_cards",
    "post_preview",
    "publish",
    "publish_gave_up",
    "put_off_when_busy",
    "read_engagement",
    "refresh_card",
    "report_digest",
    "send_survey",
    "set_aside_digest",
    "sla_check",
    "social_action",
    "tell",
    "thread_notice",
]

log = structlog.get_logger(__name__)

#: What :meth:`Publisher.publish` returns when the answer is out (``recovered``: found already out).
_POSTED = ("posted", "recovered")

#: At most this many cards in one ``post_cards`` job (the dispatcher's batch size, kept here too for
#: the cards a batch puts off to their slots).
CARDS_PER_JOB = 20

#: Cards put off to slots this close together share one job, scheduled for the last of those slots:
#: the scheduler's own tick (:data:`bridge.app.scheduler.TICK_SECONDS`), so waiting for the last
#: slot adds no more than waiting for the scheduler does.
SLOT_WINDOW_SECONDS = 0.25

#: How often one job may be put off for its channel's slot (once is the rule: the slot is then held).
MAX_PACE_DEFERRALS = 100


def _runtime() -> Runtime:
    """The process's runtime. Imported on use: the runtime builds the dispatchers, which name these
    jobs, so a module-level import would make ``import bridge.app.dispatch`` on its own circular."""
    from bridge.app.runtime import current

    return current()


def _seconds_until(deferred: PaceDeferred) -> int:
    """Whole seconds from now to the slot a send was put off to, rounded so that a job scheduled that
    far ahead (RQ schedules by the second) is due no earlier than its slot."""
    return max(1, math.ceil(deferred.until) - math.floor(time.time()))


def put_off_when_busy(send: Callable[[], object]) -> Retry | None:
    """Run ``send``; when its first send finds the channel busy, a ``Retry`` that schedules the job for
    the slot it now holds (RQ runs the same job again then), instead of sleeping in the worker while
    other channels wait. Only for work that changes nothing before its first send: the job runs again
    from the start."""
    job = get_current_job()
    if job is None:  # called directly, not by a worker: sends wait in place
        send()
        return None
    with deferrable(job.id):
        try:
            send()
        except PaceDeferred as exc:
            seconds = _seconds_until(exc)
            log.info("job_deferred_for_channel_pace", channel=exc.channel, seconds=seconds)
            return Retry(max=MAX_PACE_DEFERRALS, interval=seconds)
    return None


def post_card(number: int) -> Retry | None:
    rt = _runtime()
    case = rt.store.get(number)
    try:
        if case.card is None:  # a first post sends before it writes: it may wait for its slot off the worker
            deferred = put_off_when_busy(lambda: rt.chat_updates.post_card(number, case))
            if deferred is not None:
                return deferred
        else:  # a refresh or a move, which may write first: its sends wait in place
            rt.chat_updates.post_card(number, case)
    except Rejected as exc:  # for good (an unknown channel …): retrying for half an hour cannot help
        rt.chat_updates.card_refused(number, str(exc))
        return None
    if case.card is None:  # the first time: how long the customer's post took to reach people
        _card_is_up(rt, case)
    return None


def post_cards(numbers: list[int], slots: list[float] | bool = False) -> str:
    """The first cards of several new cases (a poll's page, :meth:`Dispatcher.batched_cards`): RQ's
    own bookkeeping, some sixty Redis commands a job, is paid once for them all. Cards whose channels
    are busy are put off together (:func:`_put_off`), each with the slot its channel gave it
    (``slots``, epoch seconds, one per card): sent then with no further Redis command. ``True``: a
    job queued by an earlier release, whose cards' slots are held under ``card-N``. A card that fails
    becomes a ``post_card`` job with a job's retries. The job runs again after a crash: a card
    already up is left alone."""
    rt = _runtime()
    carried = dict(zip(numbers, slots, strict=True)) if isinstance(slots, list) else {}
    found = rt.store.get_many(numbers)  # one round trip; an erased (or compacted) case is gone
    waiting = rt.chat_updates.with_histories([c for c in found.values() if c.card is None])
    outcomes: Counter[str] = Counter(gone=len(numbers) - len(found), up_already=len(found) - len(waiting))
    put_off: list[tuple[float, int]] = []  # (the slot, the card due then)
    with rt.meter.held():
        for case in waiting:
            number = case.number
            if number in carried:
                turn = sending_at(carried[number])
            else:
                turn = deferrable(f"card-{number}" if slots is True else "", first=slots is not True)
            outcome = _first_card(rt, case, turn)
            if isinstance(outcome, PaceDeferred):
                put_off.append((outcome.until, number))
                outcome = "deferred"
            outcomes[outcome] += 1
    _put_off(rt, put_off)
    return _summary(outcomes)


def _summary(outcomes: Counter[str]) -> str:
    """A batch job's result, as RQ keeps it: how many cards each outcome had ("2 redrawn, 1 gone")."""
    return ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()) if count)


def _put_off(rt: Runtime, put_off: list[tuple[float, int]]) -> None:
    """One held ``post_cards`` job for up to :data:`CARDS_PER_JOB` cards whose slots fall within
    :data:`SLOT_WINDOW_SECONDS`, scheduled for the last of them (to the fraction of a second:
    :func:`bridge.app.enqueue.enqueue`), so none is sent before its slot and none waits in a job."""
    chunks: list[list[tuple[float, int]]] = []
    for slot, number in sorted(put_off):
        if chunks and len(chunks[-1]) < CARDS_PER_JOB and slot - chunks[-1][0][0] <= SLOT_WINDOW_SECONDS:
            chunks[-1].append((slot, number))
        else:
            chunks.append([(slot, number)])
    for chunk in chunks:
        at = datetime.fromtimestamp(chunk[-1][0], tz=UTC)
        numbers, slots = [n for _s, n in chunk], [s for s, _n in chunk]
        # named by its first card: the batch run again (after a crash) replaces it, not adds to it
        enqueue(rt.queue, post_cards, numbers, slots, at=at, job_id=f"cards-{numbers[0]}")
    if put_off:
        log.info("cards_deferred_for_channel_pace", cases=[n for _s, n in put_off], jobs=len(chunks))


def _first_card(rt: Runtime, case: Case, turn: AbstractContextManager[object]) -> str | PaceDeferred:
    """Post the case's first card within ``turn`` (how its send keeps its channel's pace): "posted",
    "refused", "retried alone", or the slot it was put off to."""
    number = case.number
    try:
        with turn:
            rt.chat_updates.post_card(number, case, history_read=True)
    except PaceDeferred as exc:
        return exc
    except Rejected as exc:
        rt.chat_updates.card_refused(number, str(exc))
        return "refused"
    except (redis.ConnectionError, redis.TimeoutError):
        raise  # Redis is gone: the whole job is retried, and cards already up are left alone then
    except Exception as exc:  # noqa: BLE001  # an outage, say: this card alone gets a job's retries
        log.warning("card_failed_in_batch", case=number, error=str(exc))
        enqueue(rt.queue, post_card, number)
        return "retried alone"
    _card_is_up(rt, case)
    return "posted"


def _card_is_up(rt: Runtime, case: Case) -> None:
    waited = max(0.0, (rt.clock.now() - case.created_at).total_seconds())
    rt.meter.observe(MENTION_TO_CARD, waited, platform=case.platform)
    log.info(
        "card_posted", case=case.number, department=case.department, mention_to_card_seconds=round(waited, 1)
    )


def card_due(number: int) -> str:
    """A batched card's safety-net timer came due (:meth:`Dispatcher.batched_cards`): the process that
    held it back died before queueing its job. A case still waiting for its first card gets one."""
    rt = _runtime()
    case = rt.store.get(number)
    if case.card is not None or case.state in FINISHED_STATES:
        return "not needed"
    rt.dispatch.post_card(number)
    return "queued"


def refresh_card(number: int) -> None:
    _runtime().chat_updates.refresh_card(number)


def refresh_cards() -> str:
    """Redraw the cards waiting in the refresh inbox (:mod:`bridge.store.refresh_inbox`): RQ's own
    bookkeeping is paid once for them all. A card that has no message yet (its first post is due, and
    may wait for its channel's pace) or whose redraw fails becomes a ``refresh_card`` job of its own,
    with a job's retries."""
    rt = _runtime()
    numbers = rt.refreshes.start()
    outcomes: Counter[str] = Counter()
    with rt.meter.held():
        cases = rt.store.get_many(numbers)
        for number in numbers:
            case = cases.get(number)
            if case is None:
                outcomes["gone"] += 1
                continue
            if case.card is None:
                enqueue(rt.queue, refresh_card, number)
                outcomes["no card yet"] += 1
                continue
            try:
                rt.chat_updates.refresh_card(number, case)  # read with the others: one round trip
                outcomes["redrawn"] += 1
            except Exception as exc:  # noqa: BLE001  (retried alone, with a job's retries and log)
                log.warning("card_refresh_retried_alone", case=number, error=str(exc)[:200])
                enqueue(rt.queue, refresh_card, number)
                outcomes["retried alone"] += 1
    if rt.refreshes.done(numbers):  # more were waiting than one job takes
        enqueue(rt.queue, refresh_cards)
    return _summary(outcomes)


def post_preview(number: int, version: int) -> Retry | None:
    return put_off_when_busy(lambda: _runtime().chat_updates.post_preview(number, version))


def thread_notice(number: int, text: str, quote: str = "") -> Retry | None:
    return put_off_when_busy(lambda: _runtime().chat_updates.thread_notice(number, text, quote))


def tell(chat: str, channel: str, user: str, text: str) -> None:
    _runtime().chat_updates.tell(chat, channel, user, text)


def social_action(action: str, target: str, by: str, chat: str = "", channel: str = "") -> str:
    return _runtime().moderation.run(action, target, by, chat, channel)


def sla_check(number: int, kind: str) -> str:
    rt = _runtime()
    outcome = rt.escalation.check(number, kind)
    if kind == "deadline" and outcome in ("alerted", "nowhere"):
        department = rt.store.get(number).department
        rt.meter.count(SLA_BREACHES, department=department)
        log.warning("sla_breached", department=department, alerted=outcome == "alerted")
    return outcome


def out_of_hours_ack(number: int) -> str:
    return _runtime().out_of_hours.acknowledge(number)


def publish(number: int) -> str:
    rt = _runtime()
    before = rt.store.get(number)
    first = not before.reply_id  # no answer of ours in this case yet
    outcome = rt.publisher.publish(number)
    if outcome in _POSTED or outcome == "rejected":
        platform = before.platform  # the platform and the customer's post never change: no second read
        if outcome == "rejected":
            rt.meter.count(REPLIES_FAILED, platform=platform, reason="rejected")
        else:
            rt.meter.count(REPLIES_POSTED, platform=platform)
            if first:
                waited = max(0.0, (rt.clock.now() - before.created_at).total_seconds())
                rt.meter.observe(FIRST_RESPONSE, waited, platform=platform)
            rt.surveys.plan(number)  # the playbook's survey, if any, after its delay
            rt.engagement.plan(number, before)  # a public answer's likes, replies, reposts, read later
    return outcome


def read_engagement(number: int, post_id: str) -> str:
    """Record the reactions to our public answer ``post_id`` on case ``number``."""
    return _runtime().engagement.read(number, post_id)


def send_survey(number: int, kind: str) -> str:
    rt = _runtime()
    outcome = rt.surveys.send(number, kind)
    if outcome == "sent":
        rt.meter.count(SURVEYS_SENT, platform=rt.store.get(number).platform, kind=kind)
    return outcome


def set_aside_digest() -> str:
    return _runtime().set_aside_digest.run()


def archive_case(number: int) -> str:
    """Write a case that closed into the case history (idempotent: an upsert by number)."""
    rt = _runtime()
    written = rt.archiver.archive_noted(number, rt.clock.now())
    return "archived" if written else "not closed"


def report_digest(kind: str) -> str:
    return _runtime().report_digests.run(kind)


def publish_gave_up(job: Job, connection: object, *exc_info: object) -> None:
    """RQ calls this after every failed attempt; only the last one needs a person."""
    if job.retries_left:
        return
    rt = _runtime()
    number = int(job.args[0])
    rt.publisher.gave_up(number, str(exc_info[1]) if len(exc_info) > 1 else "")
    rt.meter.count(REPLIES_FAILED, platform=rt.store.get(number).platform, reason="gave_up")
