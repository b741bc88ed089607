"""``dm`` and ``public`` when the case changes under the command: decided and applied in one step.

Each test lets another person's action (or the publisher's) land in the window between the command
reading the case and writing it, the window two people typing at once hit. A real Redis client is
used for that (:class:`Meanwhile` only runs the other action right after the command's first read);
the case must come out consistent: private in state exactly when private in mode, no move-to-DM
reply pending on a private case, and one audit entry per change that happened.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from rq import Queue

from bridge.app.runtime import Runtime, build_core
from bridge.app.settings import Settings
from bridge.domain.clock import SystemClock
from bridge.domain.lifecycle import Action, State
from bridge.playbook.source import PlaybookSource
from bridge.store.cases import Store
from tests.conftest import PLAYBOOK
from tests.unit.test_store import make_case

EXPERT, OTHER_EXPERT, APPROVER, SOCIAL = "U0EXP1", "U0EXP2", "U0APP1", "U0SOC1"
MOVES = {"go_public", "leave_private", "go_private"}


class Meanwhile(redis.Redis):
    """A real client that runs ``action`` once, right after the next read of ``key`` (HGETALL)."""

    key = ""
    action: Callable[[], object] | None = None

    def arm(self, key: str, action: Callable[[], object]) -> None:
        self.key, self.action = key, action

    def hgetall(self, name: Any) -> Any:
        result = super().hgetall(name)
        action = self.action
        if action is not None and name == self.key:
            self.action = None
            action()
        return result


class Desks:
    """Two runtimes on the same Redis: ``mine`` (the command under test) and ``theirs``."""

    def __init__(self, url: str, prefix: str) -> None:
        settings = Settings(
            redis_url=url, bridge_playbook=PLAYBOOK, bridge_key_prefix=prefix, bridge_queue=prefix + "q"
        )
        self.client = Meanwhile(connection_pool=redis.ConnectionPool.from_url(url))
        self.mine = Runtime(
            settings=settings,
            redis=self.client,
            store=Store(self.client, prefix),
            queue=Queue(settings.bridge_queue, connection=self.client),
            playbooks=PlaybookSource(PLAYBOOK),
            clock=SystemClock(),
        )
        self.theirs = build_core(settings)

    def meanwhile(self, number: int, action: Callable[[], object]) -> None:
        self.client.arm(self.mine.store.k("case", number), action)

    def say(self, user: str, text: str) -> str:
        return self.mine.commands.run(user, text).text


@pytest.fixture
def desks(redis_url: str) -> Iterator[Desks]:
    prefix = f"moves-{uuid.uuid4().hex[:10]}:"
    made = Desks(redis_url, prefix)
    yield made
    keys = list(made.client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        made.client.delete(*keys)


def the_move_lands(rt: Runtime, number: int) -> None:
    """What the publisher does once the approved move-to-DM reply is out (``Publisher._announce``)."""
    for action in (Action.BEGIN_POSTING, Action.POSTED):
        assert rt.store.transition(number, action, "bridge").ok
    outcome = rt.store.transition(
        number, Action.GO_PRIVATE, "bridge", values={"mode": "private", "pending_private": None}
    )
    assert outcome.ok


def moves(rt: Runtime, number: int) -> list[str]:
    return [e.action for e in rt.store.audit(number) if e.action in MOVES]


def assert_consistent(rt: Runtime, number: int) -> None:
    case = rt.store.get(number)
    assert (case.state is State.PRIVATE) <= (case.mode == "private"), (case.state, case.mode)
    assert not (case.mode == "private" and case.pending_private), "a move pending on a private case"


def pending_move(desks: Desks, *, approved: bool = False) -> int:
    """A billing case whose move-to-DM reply waits for sign-off (or, ``approved``, for posting)."""
    number, _ = desks.theirs.store.create_case_once(make_case(uuid.uuid4().hex))
    assert "Drafted the move-to-private-messages reply (v1)" in desks.say(EXPERT, f"dm {number}")
    if approved:
        desks.theirs.desk.approve(number, 1, APPROVER)
    return number


def test_public_while_the_move_lands_is_refused_and_the_case_stays_private(desks: Desks) -> None:
    number = pending_move(desks, approved=True)
    desks.meanwhile(number, lambda: the_move_lands(desks.theirs, number))
    answer = desks.say(EXPERT, f"public {number}")
    assert answer == (
        f"#{number} changed meanwhile: it is private, in private messages. Nothing was changed; "
        f"check it and run `/bridge public {number}` again."
    )
    case = desks.theirs.store.get(number)
    assert case.state is State.PRIVATE and case.mode == "private"  # the customer's DMs still join it
    assert moves(desks.theirs, number) == ["go_private"]
    assert "public again" in desks.say(EXPERT, f"public {number}")  # asked again: done, once
    case = desks.theirs.store.get(number)
    assert case.state is State.CLAIMED and case.mode == ""
    assert moves(desks.theirs, number) == ["go_private", "go_public"]


def test_public_while_a_private_answer_is_drafted_says_it_was_not_done(desks: Desks) -> None:
    number = pending_move(desks, approved=True)
    the_move_lands(desks.theirs, number)
    desks.meanwhile(number, lambda: desks.theirs.desk.draft(number, EXPERT, "Thanks, refunded."))
    answer = desks.say(SOCIAL, f"public {number}")
    assert answer.startswith(f"#{number} changed meanwhile: it is drafted, in private messages.")
    case = desks.theirs.store.get(number)
    assert case.mode == "private" and case.state is State.DRAFTED
    assert moves(desks.theirs, number) == ["go_private"]
    assert "public again" in desks.say(SOCIAL, f"public {number}")
    case = desks.theirs.store.get(number)
    assert case.mode == "" and case.state is State.DRAFTED  # the draft waits, now as a public reply
    assert moves(desks.theirs, number) == ["go_private", "leave_private"]


def test_two_people_typing_public_at_once_move_it_once(desks: Desks) -> None:
    number = pending_move(desks)
    desks.meanwhile(number, lambda: desks.theirs.commands.run(SOCIAL, f"public {number}"))
    answer = desks.say(EXPERT, f"public {number}")
    assert answer == f"#{number} is not in private messages any more: it changed meanwhile."
    case = desks.theirs.store.get(number)
    assert case.mode == "" and not case.pending_private and case.state is State.DRAFTED
    assert [(e.action, e.by) for e in desks.theirs.store.audit(number) if e.action in MOVES] == [
        ("leave_private", SOCIAL)
    ]


def test_dm_while_the_move_lands_drafts_nothing(desks: Desks) -> None:
    """Drafting the move again while the first one goes out must not put a second "write to us
    privately" reply up for sign-off in a conversation that is already private."""
    number = pending_move(desks, approved=True)
    desks.meanwhile(number, lambda: the_move_lands(desks.theirs, number))
    answer = desks.say(EXPERT, f"dm {number}")
    assert answer == f"#{number} was just moved to private messages; nothing was drafted."
    case = desks.theirs.store.get(number)
    assert case.state is State.PRIVATE and case.mode == "private" and not case.pending_private
    assert case.draft_version == 1
    assert_consistent(desks.theirs, number)


@pytest.mark.parametrize("first", ["dm", "public"])
def test_dm_and_public_typed_at_once_leave_a_consistent_case(desks: Desks, first: str) -> None:
    """Both commands race for real (threads); whatever the order, the case ends consistent and each
    change that was answered as done has exactly one audit entry."""
    number = pending_move(desks, approved=True)
    the_move_lands(desks.theirs, number)  # private now: `dm` is refused, `public` moves it back
    answers: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def type_(user: str, command: str, rt: Runtime) -> None:
        barrier.wait()
        answers[command] = rt.commands.run(user, f"{command} {number}").text

    others = {"dm": (EXPERT, desks.mine), "public": (SOCIAL, desks.theirs)}
    order = [first, *(c for c in others if c != first)]
    threads = [threading.Thread(target=type_, args=(others[c][0], c, others[c][1])) for c in order]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert_consistent(desks.theirs, number)
    assert "public again" in answers["public"]
    assert moves(desks.theirs, number) == ["go_private", "go_public"]
    case = desks.theirs.store.get(number)
    if answers["dm"].startswith("Drafted"):  # after `public`: the move is drafted again, once
        assert case.pending_private and case.draft_version == 2
    else:
        assert answers["dm"] == f"#{number} is already in private messages."
        assert not case.pending_private and case.draft_version == 1


class CountingMeanwhile(Meanwhile):
    """Runs ``action`` right after the ``reads``-th read of ``key`` (HGETALL)."""

    reads = 1

    def hgetall(self, name: Any) -> Any:
        if self.action is not None and name == self.key and self.reads > 1:
            self.reads -= 1
            return redis.Redis.hgetall(self, name)
        return super().hgetall(name)


def test_public_typed_while_the_publisher_finishes_the_move_has_the_last_word(redis_url: str) -> None:
    """The publisher reads the case after the move-to-DM reply is out and then moves the case to
    private messages; a `/bridge public` landing in between must not be undone behind its back."""
    from bridge.domain.model import PostRef
    from bridge.flow.outlets import Outlet

    prefix = f"moves-{uuid.uuid4().hex[:10]}:"
    desks = Desks(redis_url, prefix)
    desks.client = CountingMeanwhile(connection_pool=desks.client.connection_pool)
    desks.mine = Runtime(
        settings=desks.mine.settings,
        redis=desks.client,
        store=Store(desks.client, prefix),
        queue=Queue(desks.mine.settings.bridge_queue, connection=desks.client),
        playbooks=PlaybookSource(PLAYBOOK),
        clock=SystemClock(),
    )
    try:
        number = pending_move(desks, approved=True)
        assert desks.theirs.store.transition(number, Action.BEGIN_POSTING, "bridge").ok
        # reads of the case: ours just now, the poster's after recording, the publisher's before moving
        desks.client.reads = 3
        desks.meanwhile(number, lambda: desks.theirs.commands.run(EXPERT, f"public {number}"))
        outlet = Outlet(social=None, handle="acmehelp")  # type: ignore[arg-type]  # only its name is read
        ref = PostRef("9001", "https://x.example/9001")
        posting = desks.mine.store.get(number)
        desks.mine.publisher.poster._posted(posting, ref, outlet, {}, recovered=False)
        desks.mine.publisher._announce(number, ref, outlet, recovered=False)
        case = desks.theirs.store.get(number)
        assert case.mode == "" and case.state is not State.PRIVATE, (case.state, case.mode)
        assert moves(desks.theirs, number)[-1] != "go_private"
        assert_consistent(desks.theirs, number)
    finally:
        keys = list(desks.client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            desks.client.delete(*keys)
