"""Crisis alerts: one per topic while it burns, from the first alarm to the calm-down digest.

An alert is raised at most once per topic at a time (a Redis ``SET NX`` on the topic), moves through
:data:`ALERT_MOVES`, and remembers which cases belong to its episode: those in the window when it was
raised and every later mention of the topic. Folding, the incident and bulk replies all work from
that list.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime

from bridge.crisis.detector import AlertSnapshot, Example, Explanation
from bridge.crisis.machine import Move, Moved, Records
from bridge.domain.model import MessageRef
from bridge.store.cases import Store

__all__ = [
    "ACTIVE",
    "ALERT_MOVES",
    "EPISODE_TTL_SECONDS",
    "A",
    "Alert",
    "AlertBook",
    "AlertState",
    "explanation_from_json",
    "explanation_to_json",
]


class AlertState:
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    DISMISSED = "dismissed"
    INCIDENT = "incident"
    CALM = "calm"


A = AlertState
ACTIVE = frozenset({A.OPEN, A.ACKNOWLEDGED, A.DISMISSED, A.INCIDENT})
ALERT_MOVES: dict[str, Move] = {
    "acknowledge": Move(frozenset({A.OPEN}), A.ACKNOWLEDGED),
    "dismiss": Move(frozenset({A.OPEN, A.ACKNOWLEDGED}), A.DISMISSED),
    "start_incident": Move(frozenset({A.OPEN, A.ACKNOWLEDGED, A.DISMISSED}), A.INCIDENT),
    "realert": Move(frozenset({A.OPEN, A.ACKNOWLEDGED, A.INCIDENT}), None),
    "calm": Move(ACTIVE, A.CALM),
}
EPISODE_TTL_SECONDS = 30 * 86_400


@dataclass(frozen=True)
class Alert:
    id: int
    topic: str
    label: str
    state: str
    raised_at: datetime
    last_count: int
    peak_count: int
    quiet_since: datetime | None
    explanation: Explanation
    card: MessageRef | None
    acknowledged_by: str = ""
    dismissed_by: str = ""
    incident: int = 0
    usual: float | None = None
    usual_negative: float | None = None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def folds(self) -> bool:
        """Whether new mentions of the topic join a mass-issue card instead of getting their own."""
        return self.state in (A.OPEN, A.ACKNOWLEDGED, A.INCIDENT)

    def snapshot(self) -> AlertSnapshot:
        return AlertSnapshot(
            self.last_count, self.quiet_since, self.state == A.DISMISSED, self.usual, self.usual_negative
        )


def explanation_to_json(explanation: Explanation) -> str:
    return json.dumps(asdict(explanation))


def explanation_from_json(raw: str) -> Explanation:
    data = json.loads(raw)
    data["reasons"] = tuple(data["reasons"])
    data["examples"] = tuple(Example(**e) for e in data["examples"])
    return Explanation(**data)


def _text(raw: object) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _time(raw: str) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


class AlertBook:
    def __init__(self, store: Store, now: Callable[[], datetime]) -> None:
        self.store = store
        self.r = store.r
        self.now = now
        self.records = Records(store, "alert", ALERT_MOVES, now)

    def active_key(self, topic: str) -> str:
        return self.store.k("crisis", "active", topic)

    def _active_set(self) -> str:
        return self.store.k("crisis", "alerts", "active")

    def cases_key(self, alert_id: int) -> str:
        return self.records.key(alert_id, "cases")

    # raising -----------------------------------------------------------------------------------------
    def raise_alert(self, explanation: Explanation, chat: str, channel: str) -> int | None:
        """Open the topic's alert unless one is open already; returns the new alert's id."""
        active = self.active_key(explanation.topic)
        if not self.r.set(active, "0", nx=True, ex=60):  # becomes the id below
            return None
        alert_id = self.records.create(
            {
                "topic": explanation.topic,
                "label": explanation.label,
                "state": A.OPEN,
                "raised_at": self.now(),
                "last_count": explanation.count,
                "peak_count": explanation.count,
                "quiet_since": "",
                "explanation": explanation_to_json(explanation),
                "usual": explanation.expected,
                "usual_negative": ""
                if explanation.baseline_negative_share is None
                else explanation.baseline_negative_share,
                "chat": chat,
                "channel": channel,
            },
            "bridge",
            "alert_raised",
        )
        self.r.set(active, alert_id)
        self.r.sadd(self._active_set(), alert_id)
        self.records.record(alert_id, "alert_explained", "bridge", summary=explanation.summary())
        return alert_id

    def active_id(self, topic: str) -> int | None:
        raw = self.r.get(self.active_key(topic))
        return int(raw) if raw and int(raw) > 0 else None

    def active_ids(self) -> list[int]:
        return sorted(int(x) for x in self.r.smembers(self._active_set()))

    def get(self, alert_id: int) -> Alert | None:
        raw = self.records.get(alert_id)
        if not raw:
            return None
        card = None
        if raw.get("card_ts"):
            card = MessageRef(raw["chat"], raw["channel"], raw["card_ts"])
        return Alert(
            id=int(raw["id"]),
            topic=raw["topic"],
            label=raw["label"],
            state=raw["state"],
            raised_at=datetime.fromisoformat(raw["raised_at"]),
            last_count=int(raw.get("last_count") or 0),
            peak_count=int(raw.get("peak_count") or 0),
            quiet_since=_time(raw.get("quiet_since", "")),
            explanation=explanation_from_json(raw["explanation"]),
            card=card,
            acknowledged_by=raw.get("acknowledged_by", ""),
            dismissed_by=raw.get("dismissed_by", ""),
            incident=int(raw.get("incident") or 0),
            usual=float(raw["usual"]) if raw.get("usual") else None,
            usual_negative=float(raw["usual_negative"]) if raw.get("usual_negative") else None,
        )

    def for_topic(self, topic: str) -> Alert | None:
        alert_id = self.active_id(topic)
        return self.get(alert_id) if alert_id else None

    # while it burns ------------------------------------------------------------------------------------
    def seen(self, alert: Alert, count: int, *, quiet: bool) -> None:
        """Keep the peak and the start of a quiet spell up to date (not audited: it is bookkeeping)."""
        values: dict[str, object] = {}
        if count > alert.peak_count:
            values["peak_count"] = count
        if quiet and alert.quiet_since is None:
            values["quiet_since"] = self.now()
        elif not quiet and alert.quiet_since is not None:
            values["quiet_since"] = ""
        if values:
            self.records.set(alert.id, values)

    def realert(self, alert: Alert, explanation: Explanation) -> bool:
        """Record a re-alert once, even if several pollers see the growth at the same moment."""
        moved = self.records.transition(
            alert.id,
            "realert",
            "bridge",
            guards={"last_count": str(alert.last_count)},
            values={"last_count": explanation.count, "explanation": explanation_to_json(explanation)},
            detail={"summary": explanation.summary()},
        )
        return moved.ok

    def calm(self, alert: Alert) -> bool:
        moved = self.records.transition(alert.id, "calm", "bridge", detail={"peak": alert.peak_count})
        if moved.ok:
            self.r.srem(self._active_set(), alert.id)
            self.r.delete(self.active_key(alert.topic))
        return moved.ok

    def move(self, alert_id: int, action: str, by: str, **values: object) -> Moved:
        return self.records.transition(alert_id, action, by, values=values)

    def set_card(self, alert_id: int, ref: MessageRef) -> None:
        self.records.set(alert_id, {"chat": ref.chat, "channel": ref.channel, "card_ts": ref.ts})

    # the episode's cases -----------------------------------------------------------------------------
    def add_cases(self, alert_id: int, cases: dict[int, float]) -> None:
        if cases:
            key = self.cases_key(alert_id)
            self.r.zadd(key, {str(n): at for n, at in cases.items()})
            self.r.expire(key, EPISODE_TTL_SECONDS)

    def cases(self, alert_id: int) -> list[int]:
        return [int(_text(n)) for n in self.r.zrange(self.cases_key(alert_id), 0, -1)]

    def case_count(self, alert_id: int) -> int:
        return int(self.r.zcard(self.cases_key(alert_id)))
