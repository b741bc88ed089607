"""Mass-issue cards: while a topic burns, its new mentions join one card per channel.

Each folded case is still a case (people can still be answered one by one, and bulk replies are
recorded on it); it just gets no card of its own. The mass card shows the count, the latest examples
and a link to browse them all, and changes at most once per ``mass_update_seconds``: however fast the
mentions come, the channel sees one card and about one update per second, not a flood.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime, timedelta

import structlog

from bridge.crisis.detector import Example
from bridge.crisis.parts import CrisisParts, CrisisService
from bridge.crisis.ports import CrisisChat
from bridge.crisis.views import browse_url, mass_notice
from bridge.domain.model import Case, MessageRef
from bridge.domain.ports import ChatPlatform
from bridge.playbook.crisis_rules import CrisisRule, CrisisRules

__all__ = [
    "MASS_EXAMPLES",
    "MASS_TTL_SECONDS",
    "PENDING_TTL_SECONDS",
    "POST_LOCK_SECONDS",
    "MassCards",
    "crisis_chat",
    "example_of",
]

log = structlog.get_logger(__name__)

MASS_EXAMPLES = 3
MASS_TTL_SECONDS = 30 * 86_400
PENDING_TTL_SECONDS = 600  # an update that never ran (a dead worker) is retried after this
POST_LOCK_SECONDS = 120


def _text(raw: object) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def example_of(case: Case) -> Example:
    return Example(case.author_handle, case.author_followers, case.text, case.post_url, case.number)


def crisis_chat(chats: Mapping[str, ChatPlatform], name: str) -> CrisisChat | None:
    chat = chats.get(name)
    if isinstance(chat, CrisisChat):
        return chat
    log.warning("crisis_chat_unsupported", chat=name)
    return None


class MassCards(CrisisService):
    def __init__(self, parts: CrisisParts, chats: Mapping[str, ChatPlatform]) -> None:
        super().__init__(parts)
        self.chats = chats

    def key(self, alert_id: int, chat: str, channel: str, *more: str) -> str:
        return self.store.k("crisis", "mass", alert_id, chat, channel, *more)

    def attach(self, alert_id: int, number: int, chat: str, channel: str, example: Example) -> None:
        """Fold case ``number`` into the mass card of ``alert_id`` in ``channel``."""
        key, examples = self.key(alert_id, chat, channel), self.key(alert_id, chat, channel, "examples")
        pipe = self.r.pipeline(transaction=False)
        pipe.hincrby(key, "count", 1)
        pipe.hsetnx(key, "since", self.clock.now().isoformat())
        pipe.hsetnx(key, "first_case", number)
        pipe.hset(key, "last_case", number)
        pipe.lpush(examples, json.dumps(asdict(example)))
        pipe.ltrim(examples, 0, MASS_EXAMPLES - 1)
        pipe.expire(key, MASS_TTL_SECONDS)
        pipe.expire(examples, MASS_TTL_SECONDS)
        pipe.sadd(self._cards(alert_id), f"{chat}|{channel}")
        pipe.expire(self._cards(alert_id), MASS_TTL_SECONDS)
        pipe.execute()
        self.store.record(number, "folded", "bridge", alert=alert_id, chat=chat, channel=channel)
        self.schedule(alert_id, chat, channel)

    def _cards(self, alert_id: int) -> str:
        return self.store.k("crisis", "mass", alert_id, "cards")

    def refresh_all(self, alert_id: int) -> None:
        """Bring every mass card of an alert up to date (an incident started, say so)."""
        for raw in self.r.smembers(self._cards(alert_id)):
            chat, _, channel = _text(raw).partition("|")
            self.schedule(alert_id, chat, channel)

    def seed(self, alert_id: int, cases: list[int], chat: str, channel: str) -> None:
        """Start the mass card of a new incident channel with every case of the episode so far."""
        if not cases:
            return
        key, examples = self.key(alert_id, chat, channel), self.key(alert_id, chat, channel, "examples")
        latest = [self.store.get(n) for n in cases[-MASS_EXAMPLES:] if self.store.exists(n)]
        pipe = self.r.pipeline(transaction=False)
        pipe.hset(
            key,
            mapping={
                "count": len(cases),
                "since": self.clock.now().isoformat(),
                "first_case": cases[0],
                "last_case": cases[-1],
            },
        )
        for case in latest:
            pipe.lpush(examples, json.dumps(asdict(example_of(case))))
        pipe.ltrim(examples, 0, MASS_EXAMPLES - 1)
        pipe.expire(key, MASS_TTL_SECONDS)
        pipe.expire(examples, MASS_TTL_SECONDS)
        pipe.sadd(self._cards(alert_id), f"{chat}|{channel}")
        pipe.execute()
        self.schedule(alert_id, chat, channel)

    def schedule(self, alert_id: int, chat: str, channel: str) -> None:
        """Ask for one update unless one is already on its way; never sooner than the pace allows."""
        if not self.r.set(self.key(alert_id, chat, channel, "pending"), "1", nx=True, ex=PENDING_TTL_SECONDS):
            return
        crisis = self._playbook().crisis
        interval = crisis.mass_update_seconds if crisis else 1.0
        last = self.r.hget(self.key(alert_id, chat, channel), "rendered_at")
        now = self.clock.now()
        at = now
        if last:
            at = max(now, datetime.fromisoformat(_text(last)) + timedelta(seconds=interval))
        self.dispatch.mass_card(alert_id, chat, channel, at=at if at > now else None)

    def render(self, alert_id: int, chat: str, channel: str) -> str:
        """Post the mass card, or bring it up to date (a job; at most one per update interval)."""
        key = self.key(alert_id, chat, channel)
        self.r.delete(self.key(alert_id, chat, channel, "pending"))
        target = crisis_chat(self.chats, chat)
        alert = self.alerts.get(alert_id)
        state = {_text(k): _text(v) for k, v in self.r.hgetall(key).items()}
        if target is None or alert is None or not state:
            return "nothing-to-show"
        incident = self.incidents.get(alert.incident) if alert.incident else None
        raw_examples = self.r.lrange(self.key(alert_id, chat, channel, "examples"), 0, -1)
        examples = [Example(**json.loads(raw)) for raw in raw_examples]
        notice = mass_notice(
            alert.label,
            int(state.get("count", 0)),
            examples,
            self._browse(alert.topic, alert.label),
            datetime.fromisoformat(state["since"]),
            int(state.get("first_case", 0)),
            int(state.get("last_case", 0)),
            incident,
        )
        if state.get("card_ts"):
            target.update_notice(MessageRef(chat, state["card_channel"], state["card_ts"]), notice)
            outcome = "updated"
        else:
            if not self.r.set(
                self.key(alert_id, chat, channel, "posting"), "1", nx=True, ex=POST_LOCK_SECONDS
            ):
                self.schedule(alert_id, chat, channel)  # another worker is posting it: update after
                return "busy"
            try:
                ref = target.post_notice(channel, notice)
            except Exception:
                self.r.delete(self.key(alert_id, chat, channel, "posting"))
                raise
            self.r.hset(key, mapping={"card_ts": ref.ts, "card_channel": ref.channel})
            self.alerts.records.record(alert_id, "mass_card_posted", "bridge", chat=chat, channel=ref.channel)
            outcome = "posted"
        self.r.hset(key, "rendered_at", self.clock.now().isoformat())
        return outcome

    def _browse(self, topic: str, label: str) -> str:
        playbook = self._playbook()
        rules: CrisisRules | None = playbook.crisis
        rule = rules.thresholds(topic) if rules else None
        keywords = list(rule.keywords) if isinstance(rule, CrisisRule) else []
        handle = playbook.accounts.x.handle if playbook.accounts.x else ""
        return browse_url(keywords, label, handle)
