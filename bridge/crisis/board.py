"""Keeping chat in step with alerts and incidents: the alert card, re-alerts, the calm-down digest,
the incident channel and its kickoff, the statement and bulk-reply previews, incident notices.

These run in workers. Posting a card is guarded so a retried job does not post it twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import structlog

from bridge.crisis.folding import MassCards, crisis_chat
from bridge.crisis.incident import Incident
from bridge.crisis.parts import CrisisParts, CrisisService
from bridge.crisis.ports import CrisisChat, Notice
from bridge.crisis.texts import channel_name
from bridge.crisis.views import alert_notice, incident_notice, incident_summary
from bridge.desk.desk import who
from bridge.domain.errors import CardNotPostedYet, NotAllowed
from bridge.domain.ports import ChatPlatform
from bridge.playbook.crisis_rules import CrisisRules

__all__ = ["CARD_LOCK_SECONDS", "Board"]

log = structlog.get_logger(__name__)
CARD_LOCK_SECONDS = 300


class Board(CrisisService):
    def __init__(
        self,
        parts: CrisisParts,
        folding: MassCards,
        chats: Mapping[str, ChatPlatform],
        previews: Mapping[str, Callable[[Incident, int], Notice | None]],
    ) -> None:
        super().__init__(parts)
        self.previews = previews  # "statement" and "bulk": the notice showing one version
        self.folding = folding
        self.chats = chats

    def rules(self) -> CrisisRules:
        rules = self._playbook().crisis
        if rules is None:
            raise NotAllowed("The playbook has no crisis section.")
        return rules

    def _leadership(self) -> tuple[CrisisChat | None, str]:
        chat, channel = self.rules().leadership.home(self.chats.keys())
        return crisis_chat(self.chats, chat), channel

    # alerts --------------------------------------------------------------------------------------------
    def post_alert(self, alert_id: int) -> str:
        alert = self.alerts.get(alert_id)
        chat, channel = self._leadership()
        if alert is None or chat is None:
            return "nowhere"
        if alert.card is not None:
            return self.refresh_alert(alert_id)
        lock = self.alerts.records.key(alert_id, "posting")
        if not self.store.r.set(lock, "1", nx=True, ex=CARD_LOCK_SECONDS):
            raise CardNotPostedYet(f"alert {alert_id} card is being posted")
        try:
            ref = chat.post_notice(channel, alert_notice(alert))
        except Exception:
            self.store.r.delete(lock)  # the retry may post it
            raise
        self.alerts.set_card(alert_id, ref)
        self.alerts.records.record(alert_id, "alert_posted", "bridge", channel=ref.channel, ts=ref.ts)
        log.info("crisis_alert_posted", alert=alert_id, topic=alert.topic, channel=ref.channel)
        return "posted"

    def refresh_alert(self, alert_id: int) -> str:
        alert = self.alerts.get(alert_id)
        if alert is None or alert.card is None:
            raise CardNotPostedYet(f"alert {alert_id} has no card yet")
        chat = crisis_chat(self.chats, alert.card.chat)
        if chat is None:
            return "nowhere"
        chat.update_notice(alert.card, alert_notice(alert))
        return "updated"

    def realert(self, alert_id: int) -> str:
        alert = self.alerts.get(alert_id)
        chat, channel = self._leadership()
        if alert is None or chat is None:
            return "nowhere"
        e = alert.explanation
        chat.post_notice(
            channel,
            Notice(
                title=f"Re-alert: {alert.label}"[:150],
                text=f"{e.summary()}.\nWhy: {'; '.join(e.reasons)}. The alert card above shows the latest.",
                context=f"Alert {alert.id}",
            ),
        )
        self.alerts.records.record(alert_id, "realert_posted", "bridge", count=e.count)
        if alert.card is not None:
            chat.update_notice(alert.card, alert_notice(alert))
        return "posted"

    def digest(self, alert_id: int) -> str:
        alert = self.alerts.get(alert_id)
        chat, channel = self._leadership()
        if alert is None or chat is None:
            return "nowhere"
        now = self.clock.now()
        minutes = int((now - alert.raised_at).total_seconds() // 60)
        incident = self.incidents.get(alert.incident) if alert.incident else None
        text = (
            f"{alert.label} has stayed below its alert thresholds for "
            f"{self.rules().thresholds(alert.topic).calm_minutes} min. Peak {alert.peak_count} mentions in "
            f"{alert.explanation.window_minutes} min; {self.alerts.case_count(alert_id)} mentions in this "
            f"episode over {minutes} min since {alert.raised_at:%H:%M} UTC."
        )
        if incident is not None:
            text += f" {incident_summary(incident)}."
            if incident.is_open:
                text += " The incident stays open until someone runs `/bridge incident close`."
        chat.post_notice(channel, Notice(title=f"Calmed down: {alert.label}"[:150], text=text))
        self.alerts.records.record(alert_id, "digest_posted", "bridge", minutes=minutes)
        if alert.card is not None:
            chat.update_notice(alert.card, alert_notice(alert))
        return "posted"

    # incidents -----------------------------------------------------------------------------------------
    def open_incident(self, incident_id: int) -> str:
        """Open (or name) the incident channel, post the kickoff there, move the mass card there."""
        incident = self.incidents.get(incident_id)
        alert = self.alerts.get(incident.alert) if incident else None
        if incident is None or alert is None:
            return "unknown"
        rules = self.rules()
        chat_name, _ = rules.leadership.home(self.chats.keys())
        chat = crisis_chat(self.chats, chat_name)
        if chat is None:
            return "nowhere"
        if not incident.channel:
            people = tuple(
                dict.fromkeys([incident.started_by, *rules.leadership.approvers, *rules.leadership.members])
            )
            channel = rules.incident_channel or chat.open_channel(channel_name(rules, incident), people)
            ref = chat.post_notice(channel, incident_notice(incident, alert))
            self.incidents.set(
                incident_id, chat=chat_name, channel=ref.channel, channel_name=channel.lstrip("#")
            )
            self.incidents.record(incident_id, "incident_channel", "bridge", channel=ref.channel, ts=ref.ts)
            incident = self.incidents.get(incident_id) or incident
            leaders, where = self._leadership()
            if leaders is not None:
                leaders.post_message(
                    where,
                    f"Incident {incident_id} ({incident.label}) started by {who(incident.started_by)}; "
                    f"its channel is #{channel.lstrip('#')} and its mentions now go there.",
                )
            self.folding.refresh_all(alert.id)  # the department cards now say where the incident is
            self.folding.seed(alert.id, self.alerts.cases(alert.id), chat_name, ref.channel)
        # the latest draft for sign-off; with none (the template was refused), the notice to write one
        self.preview(incident_id, "statement", incident.statement_version)
        return "opened"

    def preview(self, incident_id: int, what: str, version: int) -> str:
        """Post a version of the statement (to leadership) or of the bulk reply (to the incident)."""
        incident = self.incidents.get(incident_id)
        if incident is None:
            return "unknown"
        if what == "statement":
            chat, channel = self._leadership()
        else:
            chat, channel = crisis_chat(self.chats, incident.chat), incident.channel
        notice = self.previews[what](incident, version)
        if chat is None or notice is None or not channel:
            return "nowhere"
        ref = chat.post_notice(channel, notice)
        self.incidents.record(incident_id, f"{what}_preview_posted", "bridge", version=version, ts=ref.ts)
        return "posted"

    def incident_notice(self, incident_id: int, text: str, leadership: bool = False) -> str:
        incident = self.incidents.get(incident_id)
        if incident is None:
            return "unknown"
        posted = 0
        chat = crisis_chat(self.chats, incident.chat) if incident.chat else None
        if chat is not None and incident.channel:
            chat.post_message(incident.channel, text)
            posted += 1
        if leadership:
            leaders, where = self._leadership()
            if leaders is not None:
                leaders.post_message(where, text)
                posted += 1
        return f"posted {posted}"
