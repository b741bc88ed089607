"""Turn what the desk did with cases into labels for triage and routing.

Read from each case's timeline, the latest decision by a person wins:

- an answer posted (``posted``): a person was needed (source ``answered``);
- a case set aside and brought back by a person (``reopen`` from ``ignored``, or a rescue from the
  set-aside digest): needed (``rescued``);
- set aside by a person with a reason (``ignore``): not needed (``ignored``);
- set aside by triage as noise and left there :data:`WEAK_AFTER_DAYS` days: a weak "not needed"
  (``set_aside``, weight :data:`WEAK_WEIGHT`), since nobody may have looked;
- moved by a person from one department to another (``route``): a routing label, the department it
  ended with (``reassigned``).

Features are computed from the case's text with the playbook's rules alone (no fitted model), and
only the hashed features leave: see :mod:`bridge.store.labels`.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bridge.domain.lifecycle import State
from bridge.playbook.model import Playbook
from bridge.store.cases import AuditEntry, Store
from bridge.store.labels import CaseRecord, Label, LabelStore
from bridge.triage.learning.features import FEATURE_VERSION, cues_of, vectorise
from bridge.triage.outcome import TriageInput
from bridge.triage.triager import Triager

WEAK_AFTER_DAYS = 7
WEAK_WEIGHT = 0.5
#: A month's labels stop taking weak ones at this many (each is about 2 kB in Redis).
MAX_LABELS_PER_MONTH = 5000
BRIDGE = "bridge"
#: Actions that bring a set-aside case back to the desk: a reopen, or a rescue from the digest.
RESCUES = frozenset({"reopen", "rescue", "rescued", "needs_answer"})
ERASED = "[erased"


@dataclass
class Harvest:
    """What one harvest found, by source."""

    counts: Counter[str] = field(default_factory=Counter)
    read: int = 0
    waiting: int = 0  # set aside by triage, not yet old enough to count as "not needed"

    def describe(self) -> str:
        found = ", ".join(f"{n} {source}" for source, n in sorted(self.counts.items())) or "no new labels"
        wait = (
            f" {self.waiting} set aside by triage count as not needed once {WEAK_AFTER_DAYS} days old."
            if self.waiting
            else ""
        )
        return f"Harvested {self.read} new or changed cases: {found}.{wait}"


def _by_person(entry: AuditEntry) -> bool:
    return entry.by not in ("", BRIDGE, "?")


def need_decision(entries: list[AuditEntry], now: datetime) -> tuple[str, str, float] | None:
    """(answer, source, weight) from the latest decision in a timeline, or None (not decided yet)."""
    decided: tuple[str, str, float] | None = None
    rescued = False
    for entry in entries:
        action, moved_from = entry.action, entry.fields.get("from", "")
        if action == "posted":
            decided = ("1", "rescued" if rescued else "answered", 1.0)
        elif action in RESCUES and moved_from == State.IGNORED and _by_person(entry):
            decided, rescued = ("1", "rescued", 1.0), True
        elif action == "ignore" and _by_person(entry) and entry.fields.get("reason", "").strip():
            decided = ("0", "ignored", 1.0)
        elif _set_aside_as_noise(entry):
            old_enough = now - entry.at >= timedelta(days=WEAK_AFTER_DAYS)
            decided = ("0", "set_aside", WEAK_WEIGHT) if old_enough else None
    return decided


def route_decision(entries: list[AuditEntry]) -> tuple[str, str] | None:
    """(the department the rules chose, the one people moved it to last), or None."""
    first, last = "", ""
    for entry in entries:
        moved_from, moved_to = entry.fields.get("from_department", ""), entry.fields.get("to_department", "")
        if entry.action == "route" and _by_person(entry) and moved_to and moved_to != moved_from:
            first, last = first or moved_from, moved_to
    return (first, last) if last and last != first else None


def _waits_for_weak_label(entries: list[AuditEntry]) -> bool:
    """Set aside as noise by triage and untouched since: harvest it again until it is old enough."""
    last = entries[-1] if entries else None
    return last is not None and _set_aside_as_noise(last)


def _set_aside_as_noise(entry: AuditEntry) -> bool:
    return (
        entry.action == "ignore" and entry.by == BRIDGE and entry.fields.get("reason", "").startswith("noise")
    )


class Harvester:
    def __init__(self, store: Store, playbook: Playbook) -> None:
        self.labels = LabelStore(store)
        self.playbook = playbook
        self.triager = Triager(playbook.triage)  # the rules alone: what they say is compared

    def run(self, now: datetime) -> Harvest:
        harvest = Harvest()
        for record in self.labels.changed_cases():
            harvest.read += 1
            if record.fields["text"].startswith(ERASED) or not record.audit:
                continue
            label_id = record.fields["label_id"] or uuid.uuid4().hex[:16]
            labels = self.labels_of(record, now)
            for label in labels:
                weak = label.weight < 1.0  # the many set aside by triage: bounded, the desk's own never
                kept = self.labels.put(label_id, label, month_cap=MAX_LABELS_PER_MONTH if weak else None)
                harvest.counts[label.source if kept else f"{label.source} over the month's cap"] += 1
            if any(label.task == "need" for label in labels) or not _waits_for_weak_label(record.audit):
                self.labels.mark(record.number, label_id, record.audit_length)
            else:
                harvest.waiting += 1
        return harvest

    def labels_of(self, record: CaseRecord, now: datetime) -> list[Label]:
        need = need_decision(record.audit, now)
        route = route_decision(record.audit)
        if need is None and route is None:
            return []
        fields = record.fields
        text = self.triager.clean(fields["text"])
        platform = fields["platform"]
        rules = self.triager.triage(
            TriageInput(
                text=fields["text"],
                author_id=fields["author_id"],
                author_handle=fields["author_handle"],
                is_own_account=self.playbook.accounts.is_ours(
                    platform, fields["author_id"], fields["author_handle"]
                ),
                lang_hint=fields["lang"] or None,
            )
        )
        hits = tuple(self.triager.hits(text))
        base = Label(
            task="need",
            answer="",
            source="",
            rules=rules.verdict.value,
            day=fields["created_at"][:10],
            version=FEATURE_VERSION,
            features=vectorise(text, cues_of(hits, rules.verdict.value, rules.language)),
            cues=hits,
            platform=platform,
            language=rules.language,
        )
        found = []
        if need is not None:
            answer, source, weight = need
            found.append(replace(base, answer=answer, source=source, weight=weight))
        if route is not None:
            found.append(replace(base, task="route", answer=route[1], source="reassigned", rules=route[0]))
        return found


__all__ = ["Harvest", "Harvester", "need_decision", "route_decision"]
