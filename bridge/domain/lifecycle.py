"""The case state machine, as data.

Every path that changes a case (a button, a thread reply, a slash command, a job) names an
:class:`Action`; :data:`TRANSITIONS` says from which states that action is allowed and which state it
leads to. The store applies the check and the change in one atomic Redis operation, so the table here
is the only place where the lifecycle is decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "FINISHED_STATES",
    "OPEN_STATES",
    "TRANSITIONS",
    "Action",
    "S",
    "State",
    "Transition",
    "allowed",
    "target",
]


class State(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    ROUTED = "routed"
    CLAIMED = "claimed"
    DRAFTED = "drafted"
    APPROVED = "approved"
    POSTING = "posting"  # a post to the social platform is under way; its outcome may be unknown
    POSTED = "posted"
    RESOLVED = "resolved"
    IGNORED = "ignored"
    MONITORING = "monitoring"
    PRIVATE = "private"
    BLOCKED = "blocked"
    REOPENED = "reopened"


class Action(StrEnum):
    ROUTE = "route"
    CLAIM = "claim"
    ASSIGN = "assign"  # claim on someone's behalf, or hand a claimed case to someone else
    UNCLAIM = "unclaim"
    DRAFT = "draft"
    NOTE = "note"
    REQUEST_CHANGES = "request_changes"
    APPROVE = "approve"
    BEGIN_POSTING = "begin_posting"
    POSTED = "posted"
    POST_DEFERRED = "post_deferred"  # known not posted, will retry with the same approval
    POST_REJECTED = "post_rejected"  # the platform refused the text: a new draft is needed
    IGNORE = "ignore"
    MONITOR = "monitor"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    GO_PRIVATE = "go_private"  # the move-to-DM answer is out: the conversation continues privately
    GO_PUBLIC = "go_public"
    #: back to public replies where the state stays: a pending move-to-DM answer called off, or a
    #: private conversation whose next answer is already under way (drafted, approved)
    LEAVE_PRIVATE = "leave_private"


S = State
_OPEN = frozenset({S.ROUTED, S.CLAIMED, S.DRAFTED, S.APPROVED, S.REOPENED, S.PRIVATE, S.MONITORING})


@dataclass(frozen=True)
class Transition:
    allowed_from: frozenset[State]
    to: State | None  # None: the action is recorded but the state stays


TRANSITIONS: dict[Action, Transition] = {
    Action.ROUTE: Transition(
        frozenset({S.TRIAGED, S.ROUTED, S.CLAIMED, S.DRAFTED, S.REOPENED, S.MONITORING}), S.ROUTED
    ),
    Action.CLAIM: Transition(frozenset({S.ROUTED, S.REOPENED}), S.CLAIMED),
    Action.ASSIGN: Transition(frozenset({S.ROUTED, S.REOPENED, S.CLAIMED, S.DRAFTED}), S.CLAIMED),
    Action.UNCLAIM: Transition(frozenset({S.CLAIMED, S.DRAFTED}), S.ROUTED),
    Action.DRAFT: Transition(frozenset({S.CLAIMED, S.DRAFTED, S.APPROVED, S.PRIVATE}), S.DRAFTED),
    Action.NOTE: Transition(frozenset(State) - {S.NEW}, None),
    Action.REQUEST_CHANGES: Transition(frozenset({S.DRAFTED}), S.CLAIMED),
    Action.APPROVE: Transition(frozenset({S.DRAFTED}), S.APPROVED),
    Action.BEGIN_POSTING: Transition(frozenset({S.APPROVED}), S.POSTING),
    Action.POSTED: Transition(frozenset({S.POSTING}), S.POSTED),
    Action.POST_DEFERRED: Transition(frozenset({S.POSTING}), S.APPROVED),
    Action.POST_REJECTED: Transition(frozenset({S.POSTING}), S.CLAIMED),
    Action.IGNORE: Transition(frozenset({S.TRIAGED, S.ROUTED, S.CLAIMED, S.DRAFTED, S.REOPENED}), S.IGNORED),
    Action.MONITOR: Transition(frozenset({S.TRIAGED, S.ROUTED}), S.MONITORING),
    Action.RESOLVE: Transition(_OPEN | {S.POSTED}, S.RESOLVED),
    Action.REOPEN: Transition(frozenset({S.POSTED, S.RESOLVED, S.IGNORED}), S.REOPENED),
    Action.GO_PRIVATE: Transition(frozenset({S.POSTED}), S.PRIVATE),
    Action.GO_PUBLIC: Transition(frozenset({S.PRIVATE}), S.CLAIMED),
    Action.LEAVE_PRIVATE: Transition(frozenset(State) - {S.NEW, S.PRIVATE}, None),
}

#: States in which a case still waits for someone on the team.
OPEN_STATES = _OPEN

#: States a person sees as "done" on the card.
FINISHED_STATES = frozenset({S.POSTED, S.RESOLVED, S.IGNORED})


def allowed(action: Action, current: State) -> bool:
    """Whether ``action`` may be taken on a case in ``current`` state."""
    return current in TRANSITIONS[action].allowed_from


def target(action: Action, current: State) -> State:
    """The state after ``action``; the current one for actions that only record."""
    return TRANSITIONS[action].to or current
