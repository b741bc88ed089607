"""Who gets the bulk reply beyond the unanswered, and the reasons leadership's progress message counts.

The bulk reply goes to every mention folded into the incident that asks something, whatever triage
made of it: a case it set aside (noise, spam) or monitored (trolls) but that asks a question is
answered too. What gets no reply is counted by why, as is every case the job skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bridge.domain.lifecycle import State
from bridge.domain.model import Case

__all__ = [
    "REFUSED_PREFIX",
    "SET_ASIDE_VERDICTS",
    "UNANSWERED",
    "asks_something",
    "choose",
    "counted",
    "done_text",
    "left_aside",
    "not_answered_why",
    "refused_text",
    "skip_category",
    "tally",
]

REFUSED_PREFIX = "reply template refused"
#: Triage's verdicts for a case it set aside (a person's Ignore keeps the case's own verdict).
SET_ASIDE_VERDICTS = frozenset({"noise", "ignore"})
UNANSWERED = frozenset({State.ROUTED, State.REOPENED})


def asks_something(case: Case) -> bool:
    """Whether a customer asks something: a need triage matched, or a question mark."""
    return bool(case.needs) or "?" in case.text


def left_aside(case: Case) -> bool:
    """Set aside by triage (noise, spam) or monitored (trolls), not by a person, and no one's yet."""
    by_triage = case.state == State.IGNORED and case.verdict in SET_ASIDE_VERDICTS
    return (by_triage or case.state == State.MONITORING) and not case.claimant


def not_answered_why(case: Case) -> str:
    """Why a mention folded into the incident gets no bulk reply (it is not :meth:`eligible`)."""
    if left_aside(case):
        return (
            "set aside and asking nothing" if case.state == State.IGNORED else "monitored and asking nothing"
        )
    if case.state in (State.POSTED, State.RESOLVED, State.POSTING):
        return "already answered"
    if case.state == State.IGNORED:
        return "ignored by a person"
    if case.claimant:
        return "claimed by someone"
    return case.state.value


def skip_category(why: str) -> str:
    """A bulk skip's reason, as leadership's progress message counts it."""
    for prefix, category in (
        (REFUSED_PREFIX, "the reply could not be filled in"),
        ("refused by", "refused by the platform"),
        ("too long", "too long"),
        ("claimed", "claimed by someone"),
        ("drafted", "claimed by someone"),
        ("approved", "claimed by someone"),
        ("posted", "already answered"),
        ("resolved", "already answered"),
    ):
        if why.startswith(prefix):
            return category
    return why.split(":")[0][:60] or "other"


def counted(reasons: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {why}" for why, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))


def choose(cases: Iterable[Case]) -> tuple[list[Case], dict[str, int]]:
    """The cases the bulk reply goes to (waiting for an answer, or set aside but asking something),
    and how many of the others there are, by why they get none."""
    chosen: list[Case] = []
    left: dict[str, int] = {}
    for case in cases:
        if case.state in UNANSWERED or (left_aside(case) and asks_something(case)):
            chosen.append(case)
        else:
            why = not_answered_why(case)
            left[why] = left.get(why, 0) + 1
    return chosen, left


def tally(raw: Mapping[bytes | str, bytes | str]) -> dict[str, int]:
    """A Redis hash of counts by reason, as text and numbers."""
    return {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in raw.items() if int(v) > 0}


def done_text(sent: int, skipped: int, skipped_why: Mapping[str, int], left: Mapping[str, int]) -> str:
    """Leadership's last progress message: what was sent, and what was not and why, counted."""
    why = f" ({counted(skipped_why)})" if skipped_why else ""
    not_sent = f"; {sum(left.values())} not sent: {counted(left)}" if left else ""
    return f"Bulk replies done: {sent} sent, {skipped} skipped{why}{not_sent}. See `/bridge incident status`."


def refused_text(version: int, number: int, why: str) -> str:
    return (
        f"Bulk reply v{version} cannot be filled in for #{number} "
        f"({why.removeprefix(REFUSED_PREFIX + ': ')}); that case was skipped and nothing was posted "
        "to it. Cases it cannot be filled in for are skipped and listed in `/bridge incident status`."
    )
