"""A batch of cards is queued before any work on their threads, even when another ingest thread
asks for that work while the batch is being queued (a customer's second post in a crisis-sized page)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from rq import Queue

from bridge.app import dispatch
from bridge.app.dispatch import CARD_BATCH, Dispatcher
from bridge.domain.clock import ManualClock
from bridge.store.cases import Store
from bridge.store.timers import CaseTimers


@pytest.fixture
def queue(store: Store) -> Queue:
    return Queue(store.prefix.rstrip(":"), connection=store.r)


def test_a_note_asked_for_while_its_card_is_being_queued_is_queued_after_it(
    store: Store, queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[str] = []
    queueing, note_asked = threading.Event(), threading.Event()

    def enqueue(_queue: Queue, func: Any, *_args: Any, **_options: Any) -> None:
        if func.__name__ == "post_cards":
            queueing.set()
            note_asked.wait(timeout=0.5)  # the other thread asks now (it waits for us, when fixed)
        queued.append(func.__name__)

    monkeypatch.setattr(dispatch, "enqueue", enqueue)
    clock = ManualClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    dispatcher = Dispatcher(queue, CaseTimers(store.r, store.k("timers")), clock)

    def follow_up() -> None:
        queueing.wait(timeout=5)
        dispatcher.thread_notice(1000 + CARD_BATCH, "wrote again")
        note_asked.set()

    other = threading.Thread(target=follow_up)
    other.start()
    with dispatcher.batched_cards():
        for number in range(1001, 1001 + CARD_BATCH):
            dispatcher.post_card(number)  # the last one fills the batch, which is queued at once
        other.join(timeout=5)
    assert queued == ["post_cards", "thread_notice"]
