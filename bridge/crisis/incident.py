"""Incident mode: one incident per burning topic, from "started" to "closed", as data.

``started → statement_drafted → statement_approved → statement_posting → statement_posted →
bulk_replying → closed``. The statement and the bulk reply are versioned like case drafts: an approval
names one version, so an edit after an approver looked cannot be posted by that approval. Every step
lands on the alert's timeline, which is the incident timeline ``/bridge incident status`` shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bridge.crisis.machine import Move, Moved, Records
from bridge.store.cases import AuditEntry, Store

__all__ = [
    "INCIDENT_MOVES",
    "LABELS",
    "OPEN",
    "OPEN_SCAN",
    "Incident",
    "IncidentBook",
    "IncidentState",
    "S",
    "Version",
]


class IncidentState:
    STARTED = "started"
    STATEMENT_DRAFTED = "statement_drafted"
    STATEMENT_APPROVED = "statement_approved"
    STATEMENT_POSTING = "statement_posting"  # X is being called; the outcome may be unknown
    STATEMENT_POSTED = "statement_posted"
    BULK_REPLYING = "bulk_replying"
    CLOSED = "closed"


S = IncidentState
OPEN = frozenset(
    {
        S.STARTED,
        S.STATEMENT_DRAFTED,
        S.STATEMENT_APPROVED,
        S.STATEMENT_POSTING,
        S.STATEMENT_POSTED,
        S.BULK_REPLYING,
    }
)
INCIDENT_MOVES: dict[str, Move] = {
    "draft_statement": Move(frozenset({S.STARTED, S.STATEMENT_DRAFTED}), S.STATEMENT_DRAFTED),
    "approve_statement": Move(frozenset({S.STATEMENT_DRAFTED}), S.STATEMENT_APPROVED),
    "begin_posting": Move(frozenset({S.STATEMENT_APPROVED}), S.STATEMENT_POSTING),
    "statement_posted": Move(frozenset({S.STATEMENT_POSTING}), S.STATEMENT_POSTED),
    "statement_deferred": Move(frozenset({S.STATEMENT_POSTING}), S.STATEMENT_APPROVED),
    "statement_rejected": Move(frozenset({S.STATEMENT_POSTING}), S.STATEMENT_DRAFTED),
    "draft_bulk": Move(frozenset({S.STATEMENT_POSTED}), None),
    "start_bulk": Move(frozenset({S.STATEMENT_POSTED}), S.BULK_REPLYING),
    "close": Move(OPEN, S.CLOSED),
}
#: How far back (in incidents started) the open ones are looked for; one per burning topic is open.
OPEN_SCAN = 50
LABELS = {
    S.STARTED: "started",
    S.STATEMENT_DRAFTED: "statement waiting for sign-off",
    S.STATEMENT_APPROVED: "statement approved, posting",
    S.STATEMENT_POSTING: "statement posting",
    S.STATEMENT_POSTED: "statement posted",
    S.BULK_REPLYING: "statement posted, replying to the mentions",
    S.CLOSED: "closed",
}


@dataclass(frozen=True)
class Version:
    """One version of the statement or of the bulk reply: who wrote it and what it says."""

    number: int
    text: str
    author: str


@dataclass(frozen=True)
class Incident:
    id: int
    alert: int
    topic: str
    label: str
    state: str
    started_by: str
    started_at: datetime
    chat: str
    channel: str
    channel_name: str
    platform: str
    account: str  # "main" or "care": the account the playbook wants the statement posted from
    account_handle: str
    statement_version: int
    statement_approved_version: int
    statement_approver: str
    statement_url: str
    statement_id: str
    bulk_version: int
    bulk_approved_version: int
    bulk_approver: str
    bulk_sent: int
    bulk_skipped: int
    bulk_resume_at: datetime | None
    # platform -> the approved statement's post there, the incident's own platform first
    statement_urls: dict[str, str] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"incident {self.id}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN

    @property
    def account_words(self) -> str:
        role = "the main brand account" if self.account == "main" else "the care account"
        return f"{role} @{self.account_handle}" if self.account_handle else role

    @property
    def state_label(self) -> str:
        return LABELS.get(self.state, self.state)


def _int(raw: dict[str, str], key: str) -> int:
    return int(raw.get(key) or 0)


def _statement_urls(raw: dict[str, str]) -> dict[str, str]:
    """The approved statement's URL per platform it went out on (``statement_url_<platform>``
    fields written by :mod:`bridge.crisis.statement`, kept only for the approved version)."""
    approved = raw.get("statement_approved_version", "")
    found = {}
    for key, url in raw.items():
        platform = key.removeprefix("statement_url_")
        if platform != key and approved and raw.get(f"statement_version_{platform}") == approved:
            found[platform] = url
    first = raw.get("platform", "x")
    return {p: found[p] for p in sorted(found, key=lambda p: (p != first, p))}


class IncidentBook:
    def __init__(self, store: Store, now: Callable[[], datetime]) -> None:
        self.store = store
        self.r = store.r
        self.now = now
        self.records = Records(store, "incident", INCIDENT_MOVES, now)

    def open_key(self, topic: str) -> str:
        return self.store.k("crisis", "incident", "open", topic)

    def start(
        self, alert_id: int, topic: str, label: str, by: str, timeline: str, platform: str, account: str
    ) -> tuple[int, bool]:
        """Start the topic's incident, or find the one already running; returns (id, started)."""
        key = self.open_key(topic)
        if not self.r.set(key, "0", nx=True, ex=60):
            existing = self.open_for(topic)
            return (existing.id if existing else 0), False
        incident_id = self.records.create(
            {
                "alert": alert_id,
                "topic": topic,
                "label": label,
                "state": S.STARTED,
                "started_by": by,
                "started_at": self.now(),
                "platform": platform,
                "account": account,
            },
            by,
            "incident_started",
            timeline=timeline,
        )
        self.r.set(key, incident_id)
        return incident_id, True

    def open_for(self, topic: str) -> Incident | None:
        raw = self.r.get(self.open_key(topic))
        if not raw or int(raw) <= 0:
            return None
        incident = self.get(int(raw))
        return incident if incident and incident.is_open else None

    def latest_open(self) -> Incident | None:
        return next(iter(self.open_incidents()), None)

    def open_incidents(self) -> list[Incident]:
        """Every open incident among the last ``OPEN_SCAN`` started, newest first."""
        last = int(self.r.get(self.store.k("crisis", "incident", "seq")) or 0)
        found = []
        for incident_id in range(last, max(0, last - OPEN_SCAN), -1):
            incident = self.get(incident_id)
            if incident and incident.is_open:
                found.append(incident)
        return found

    def get(self, incident_id: int) -> Incident | None:
        raw = self.records.get(incident_id)
        if not raw:
            return None
        resume = raw.get("bulk_resume_at", "")
        return Incident(
            id=int(raw["id"]),
            alert=_int(raw, "alert"),
            topic=raw["topic"],
            label=raw.get("label", raw["topic"]),
            state=raw["state"],
            started_by=raw.get("started_by", ""),
            started_at=datetime.fromisoformat(raw["started_at"]),
            chat=raw.get("chat", ""),
            channel=raw.get("channel", ""),
            channel_name=raw.get("channel_name", ""),
            platform=raw.get("platform", "x"),
            account=raw.get("account", ""),
            account_handle=raw.get("account_handle", ""),
            statement_version=_int(raw, "statement_version"),
            statement_approved_version=_int(raw, "statement_approved_version"),
            statement_approver=raw.get("statement_approver", ""),
            statement_url=raw.get("statement_url", ""),
            statement_id=raw.get("statement_id", ""),
            statement_urls=_statement_urls(raw),
            bulk_version=_int(raw, "bulk_version"),
            bulk_approved_version=_int(raw, "bulk_approved_version"),
            bulk_approver=raw.get("bulk_approver", ""),
            bulk_sent=_int(raw, "bulk_sent"),
            bulk_skipped=_int(raw, "bulk_skipped"),
            bulk_resume_at=datetime.fromisoformat(resume) if resume else None,
        )

    def move(self, incident_id: int, action: str, by: str, **kwargs: object) -> Moved:
        return self.records.transition(incident_id, action, by, **kwargs)  # type: ignore[arg-type]

    def draft(self, incident_id: int, what: str, text: str, by: str) -> Moved:
        """A new version of the ``statement`` or the ``bulk`` reply, authored by ``by``."""
        body = json.dumps({"text": text, "author": by, "at": self.now().isoformat()})
        return self.records.transition(
            incident_id,
            f"draft_{what}",
            by,
            values={f"{what}_approved_version": 0},
            counter=f"{what}_version",
            side=what,
            side_value=body,
        )

    def version(self, incident_id: int, what: str, number: int) -> Version | None:
        raw = self.records.side(incident_id, what, number)
        if raw is None:
            return None
        data = json.loads(raw)
        return Version(number, str(data["text"]), str(data["author"]))

    def close(self, incident_id: int, by: str, reason: str = "") -> Moved:
        incident = self.get(incident_id)
        moved = self.records.transition(incident_id, "close", by, detail={"reason": reason[:500]})
        if moved.ok and incident is not None:
            self.r.delete(self.open_key(incident.topic))
        return moved

    def set(self, incident_id: int, **values: object) -> None:
        self.records.set(incident_id, values)

    def count(self, incident_id: int, field: str, by: int = 1) -> None:
        self.r.hincrby(self.records.key(incident_id), field, by)

    def record(self, incident_id: int, action: str, by: str, **detail: object) -> None:
        self.records.record(incident_id, action, by, **detail)

    def timeline(self, incident_id: int) -> list[AuditEntry]:
        return self.records.timeline(incident_id)
