"""Erasing one customer from the bridge's Redis, for a data-protection request (``bridge forget``).

Every key that holds a customer's words or identity (``P`` is ``BRIDGE_KEY_PREFIX``, ``N`` a case):

========================================  ======================================================
``P case:N`` (hash)                       their post's ``text``, ``author_handle``, ``author_name``,
                                          ``author_id``, ``author_followers``, ``post_id``,
                                          ``post_url``, ``author_url`` (their profile page),
                                          ``on_post``/``on_post_url`` (the post they commented on),
                                          ``reply_to`` and ``posting_to`` (their newest post),
                                          ``conversation_id``
``P case:N:audit`` (stream)               the case's timeline: ``ingested`` (post id),
                                          ``customer_follow_up`` (post id, text, by = handle),
                                          ``customer_dm`` (DM id, private text, by = handle), notes
                                          and drafts' comments that may name them
``P case:N:drafts`` (hash of JSON)        our answers, which greet them by handle or name
``P audit`` (stream)                      a copy of every timeline entry above, and moderation
                                          entries (``mute_done handle=…``) that name a handle
``P author:<platform>:<user id>``         their user id (key name) → their latest case
``P once:dm:<platform>:<message id>``     their private messages' ids (key names)
``P post:<platform>:<post id>``           their posts' ids (key names) → case: kept, so a post
                                          seen again is never taken in a second time; without the
                                          case's text and handle the bare number says nothing
``P crisis:t:<topic>:recent`` (list)      JSON examples: handle, followers, text, link, case
``P crisis:mass:<alert>:…:examples``      the same examples, on mass-issue cards
``P crisis:alert:<id>`` (hash)            ``explanation`` (JSON examples) and ``label`` (a
                                          cluster's label is the first words of its first post)
``P crisis:alert:<id>:timeline``          summaries quoting the label
``P crisis:incident:<id>`` (hash)         the label again
``P crisis:lsh:label:<cluster>``          the label again
========================================  ======================================================

What is not personal stays: case numbers, states, departments, verdicts, timestamps, who on the
team did what, our reply's id, counts. Each value that held the customer's words or identity reads
``[erased on <day>]`` instead, so ``bridge case N`` still tells the story of the case and every
figure still adds up. Open cases are resolved (nobody can answer a person we no longer know).
The erasure itself is audited without the personal data. Running it twice changes nothing more.
``bridge forget`` also deletes the RQ jobs whose arguments quote them (``rq:job:*``, outside the
prefix: :mod:`bridge.app.job_erasure`) and rewrites retention's export files
(:mod:`bridge.store.export_files`). Outside the bridge nothing is touched: the platform still has
their posts; Slack or Teams still show the thread quotes already posted (the cards themselves are
refreshed by ``bridge forget`` and show the tombstone).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from bridge.domain.lifecycle import Action, State
from bridge.store.cases import FIRST_CASE_NUMBER, Store
from bridge.store.export_files import find_in_exports, scrub_exports
from bridge.store.scrub import Needles, Scrubber
from bridge.store.transitions import text as _s

__all__ = [
    "BATCH",
    "PERSONAL_FIELDS",
    "TEAM_FIELDS",
    "Customer",
    "Erased",
    "Eraser",
    "ErasurePart",
    "Plan",
    "tombstone",
]

BATCH = 1000
#: Case fields that are the customer's own, replaced by the tombstone whole.
PERSONAL_FIELDS = (
    "text",
    "author_handle",
    "author_name",
    "author_id",
    "post_id",
    "post_url",
    "author_url",
    "on_post",
    "on_post_url",
    "reply_to",
    "posting_to",
    "conversation_id",
    "survey_comment",  # the words after their survey score (bridge/reports/surveys.py)
)
#: Case fields that are never the customer's: left as they are whatever the handle is.
# fmt: off
TEAM_FIELDS = frozenset({
    "number", "state", "platform", "department", "verdict", "kind", "priority", "sentiment", "lang",
    "account", "chat", "channel", "card_ts", "claimant", "approver", "draft_version",
    "approved_version", "reply_id", "reply_url", "created_at", "ingested_at", "sla_due", "claim_due",
    "claimed_at", "posted_at", "mode", "pending_private", "reply_account", "template", "erased_on",
    "polarity", "needs",
})
# fmt: on
_TEXT_ACTIONS = {"customer_follow_up": "post_id", "customer_dm": "dm_id"}
_STAYS_OPEN = frozenset({State.RESOLVED, State.IGNORED, State.POSTING, State.NEW, State.TRIAGED})


def tombstone(day: date) -> str:
    return f"[erased on {day.isoformat()}]"


class ErasurePart(Protocol):
    """What a higher layer (crisis mode) adds: keys that may quote customers, and the forms a
    customer's text takes there (a cluster label is the text normalised and cut short)."""

    def keys(self) -> Iterable[str]: ...

    def variants(self, text: str) -> Iterable[str]: ...


@dataclass(frozen=True)
class Customer:
    """Who is to be forgotten: a handle (with or without ``@``) or a platform user id."""

    handle: str = ""
    author_id: str = ""
    platform: str = ""  # '' any platform

    def describe(self) -> str:
        who = f"@{self.handle.lstrip('@')}" if self.handle else f"user id {self.author_id}"
        return who + (f" on {self.platform}" if self.platform else "")


@dataclass
class Plan:
    """What an erasure will touch; ``bridge forget --dry-run`` prints it."""

    customer: Customer
    cases: list[int]
    needles: Needles
    index_keys: list[str]
    open_cases: list[int] = field(default_factory=list)
    exports: Path | None = None  # retention's export folder, searched and rewritten too
    exported_cases: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Erased:
    cases: tuple[int, ...]
    values: int  # values replaced by the tombstone
    deleted_keys: int
    resolved: tuple[int, ...]


class Eraser:
    def __init__(self, store: Store, today: date, parts: Sequence[ErasurePart] = ()) -> None:
        self.store = store
        self.r = store.r
        self.today = today
        self.parts = parts

    # finding ---------------------------------------------------------------------------------------------
    def _rows(self) -> Iterator[tuple[int, str, str, str]]:
        last = int(self.r.get(self.store.k("seq")) or FIRST_CASE_NUMBER)
        for start in range(FIRST_CASE_NUMBER + 1, last + 1, BATCH):
            numbers = range(start, min(start + BATCH, last + 1))
            pipe = self.r.pipeline(transaction=False)
            for n in numbers:
                pipe.hmget(self.store.k("case", n), "platform", "author_handle", "author_id")
            for n, (platform, handle, author_id) in zip(numbers, pipe.execute(), strict=True):
                if platform is not None:
                    yield n, _s(platform), _s(handle), _s(author_id)

    def find_cases(self, customer: Customer) -> list[int]:
        """Every case of the customer: by handle, and by the user ids those cases name (a handle
        can change; the id stays)."""
        handle = customer.handle.lstrip("@").casefold()
        rows = [r for r in self._rows() if not customer.platform or r[1] == customer.platform]
        ids = {(p, a) for _, p, h, a in rows if a and handle and h.casefold() == handle}
        if customer.author_id:
            ids |= {(p, a) for _, p, _h, a in rows if a == customer.author_id}
        return [n for n, p, h, a in rows if (p, a) in ids or (handle and h.casefold() == handle)]

    def plan(self, customer: Customer, exports: Path | None = None) -> Plan:
        needles = Needles(tombstone(self.today))
        needles.add("handle", customer.handle)
        needles.add("id", customer.author_id)
        cases = self.find_cases(customer)
        index: list[str] = []
        open_cases = []
        for number in cases:
            case = self.store.get(number)
            if case.state not in _STAYS_OPEN:
                open_cases.append(number)
            for kind, value in (
                ("text", case.text),
                ("handle", case.author_handle),
                ("name", case.author_name),
                ("id", case.author_id),
                ("id", case.post_id),
                ("id", case.post_url),
                ("id", case.reply_to),
            ):
                needles.add(kind, value)
            if case.author_id:
                index.append(self.store.k("author", case.platform, case.author_id))
                # who was surveyed when, and a survey awaiting their answer (bridge/reports/surveys.py)
                index.append(self.store.k("survey", "customer", case.platform, case.author_id))
                index.append(self.store.k("survey", "pending", case.platform, case.author_id))
            for entry in self.store.audit(number):
                id_field = _TEXT_ACTIONS.get(entry.action)
                if id_field is None:
                    continue
                needles.add("text", entry.fields.get("text", ""))
                needles.add("id", entry.fields.get(id_field, ""))
                if entry.action == "customer_dm" and entry.fields.get("dm_id"):
                    index.append(self.store.k("once", f"dm:{case.platform}:{entry.fields['dm_id']}"))
        exported: list[int] = []
        if exports is not None:
            exported = find_in_exports(exports, customer.handle.lstrip("@"), needles.ids, needles)
        for text in list(needles.texts):
            for part in self.parts:
                for variant in part.variants(text):
                    needles.add("text", variant)
        return Plan(customer, cases, needles, sorted(set(index)), open_cases, exports, exported)

    # erasing ---------------------------------------------------------------------------------------------
    def erase(self, plan: Plan, by: str) -> Erased:
        """Carry out ``plan``: resolve the open cases, replace every trace, audit the erasure."""
        resolved = []
        for number in plan.open_cases:
            outcome = self.store.transition(number, Action.RESOLVE, by, detail={"reason": "erased"})
            if outcome.ok:
                resolved.append(number)
        scrub = Scrubber(self.r, plan.needles, [*plan.cases, *plan.exported_cases])
        values = 0
        for number in plan.cases:
            values += self._erase_case(scrub, number)
        values += scrub.stream(self.store.k("audit"))
        for part in self.parts:
            values += scrub.keys(part.keys())
        if plan.exports is not None:
            values += scrub_exports(plan.exports, scrub)
        deleted = int(self.r.delete(*plan.index_keys)) if plan.index_keys else 0
        for number in plan.cases:
            self.store.record(number, "customer_erased", by)
        self.store.record_global(
            "customer_erased", by, cases=",".join(map(str, plan.cases)) or "none", values=values
        )
        return Erased(tuple(plan.cases), values, deleted, tuple(resolved))

    def _erase_case(self, scrub: Scrubber, number: int) -> int:
        key = self.store.k("case", number)
        current = {_s(k): _s(v) for k, v in self.r.hgetall(key).items()}
        mark = scrub.needles.tombstone
        values = {f: mark for f in PERSONAL_FIELDS if current.get(f) and current[f] != mark}
        if current.get("author_followers", "0") != "0":
            values["author_followers"] = "0"
        rest = {k: v for k, v in current.items() if k not in values and k not in TEAM_FIELDS}
        values.update(scrub.fields(rest, own=True))
        if values:
            values["erased_on"] = self.today.isoformat()
            self.r.hset(key, mapping=values)  # type: ignore[arg-type]
        changed = len(values) - bool(values)
        changed += scrub.key(self.store.k("case", number, "drafts"), own=True)
        changed += scrub.stream(self.store.k("case", number, "audit"), own=True)
        return changed
