"""Watching every new mention for a fire, and folding the fire's mentions into one card.

:meth:`CrisisMonitor.observe` is the one call ingest makes for each new case: it finds the mention's
topic (a playbook rule's keywords, else its near-duplicate cluster), counts it, asks the detector,
raises or re-alerts, and says whether the case joins a mass-issue card instead of getting its own.
:meth:`CrisisMonitor.tick` runs every minute while an alert is open, so an alert calms down even when
no mention arrives to notice it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta

import structlog

from bridge.crisis.alerts import Alert
from bridge.crisis.bulk import BulkReplies
from bridge.crisis.clusters import ClusterIndex
from bridge.crisis.counts import RollingCounts, WindowStats, minute_of
from bridge.crisis.detector import Decision, Example, Verdict, decide, explain
from bridge.crisis.folding import MassCards
from bridge.crisis.incident import IncidentState
from bridge.crisis.parts import CrisisParts, CrisisService
from bridge.domain.model import Case, Mention
from bridge.playbook.crisis_rules import CrisisRules, Thresholds

__all__ = [
    "MIN_TOPIC_MEMORY_SECONDS",
    "NEGATIVE_BELOW",
    "RECENT_EXAMPLES",
    "TICK_SECONDS",
    "TOP_EXAMPLES",
    "CrisisMonitor",
]

log = structlog.get_logger(__name__)

TICK_SECONDS = 60
RECENT_EXAMPLES = 50
TOP_EXAMPLES = 3
NEGATIVE_BELOW = -0.05  # VADER's usual cut-off, as triage uses it
#: Examples and cases are kept for twice the window (they are read when an alert is raised), at least:
MIN_TOPIC_MEMORY_SECONDS = 1800


class CrisisMonitor(CrisisService):
    def __init__(self, parts: CrisisParts, folding: MassCards, bulk: BulkReplies) -> None:
        super().__init__(parts)
        self.folding = folding
        self.bulk = bulk
        self.counts = RollingCounts(self.r, self.store.k("crisis", ""))
        self.clusters = ClusterIndex(self.r, self.store.k("crisis", ""))
        self._sentiment: Callable[[str], float] | None = None

    def _key(self, topic: str, name: str) -> str:
        return self.store.k("crisis", "t", topic, name)

    # one mention -----------------------------------------------------------------------------------
    def observe(self, mention: Mention, case: Case, number: int) -> bool:
        """Feed detection with a new case's mention; True when the case is folded (no card of its own).

        Never raises: detection is a safety net on top of the desk, and a failure here must not stop
        the case from reaching people.
        """
        rules = self._playbook().crisis
        if rules is None:
            return False
        try:
            return self._observe(rules, mention, case, number)
        except Exception:
            log.exception("crisis_observe_failed", case=number)
            return False

    def _topic(self, rules: CrisisRules, mention: Mention) -> tuple[str, Thresholds, bool] | None:
        rule = rules.rule_for(mention.text)
        if rule is not None:
            return rule.topic, rule, True
        if not rules.clusters.enabled:
            return None
        ttl = (rules.clusters.window_minutes + rules.clusters.calm_minutes) * 60 * 2
        now = self.clock.now()
        minute = min(minute_of(mention.created_at), minute_of(now))  # as the counts date it
        found = self.clusters.assign(mention.text, ttl, now.timestamp(), minute)
        return (found[0], rules.clusters, False) if found else None

    def _negative(self, mention: Mention, case: Case) -> bool:
        if case.verdict:  # triaged already: use its score
            return case.sentiment <= NEGATIVE_BELOW
        if self._sentiment is None:
            from bridge.triage.triager import Triager  # VADER loads its lexicon: only when first needed

            triager = Triager()
            self._sentiment = lambda text: triager.sentiment(triager.clean(text))
        return self._sentiment(mention.text) <= NEGATIVE_BELOW

    def _observe(self, rules: CrisisRules, mention: Mention, case: Case, number: int) -> bool:
        found = self._topic(rules, mention)
        if found is None:
            return False
        topic, rule, learn = found
        now = self.clock.now()
        example = Example(mention.author.handle, mention.author.followers, mention.text, mention.url, number)
        self.counts.alpha = rules.baseline_alpha
        # one round trip: count, remember the example and the case, read the topic's alert and incident
        recent, cases = self._key(topic, "recent"), self._key(topic, "cases")
        pipe = self.r.pipeline(transaction=False)
        parse = self.counts.observe_in(
            pipe,
            topic,
            at=mention.created_at,
            now=now,
            window_minutes=rule.window_minutes,
            negative=self._negative(mention, case),
            reach=mention.author.followers,
            learn=learn,
            alert_key=self.alerts.active_key(topic),
        )
        pipe.lpush(recent, json.dumps({**asdict(example), "at": now.timestamp()}))
        pipe.ltrim(recent, 0, RECENT_EXAMPLES - 1)
        pipe.zadd(cases, {str(number): now.timestamp()})
        memory = max(rule.window_minutes * 120, MIN_TOPIC_MEMORY_SECONDS)
        pipe.zremrangebyscore(cases, "-inf", now.timestamp() - memory)
        pipe.expire(recent, memory)
        pipe.expire(cases, memory)
        pipe.get(self.alerts.active_key(topic))
        pipe.get(self.incidents.open_key(topic))
        results = pipe.execute(raise_on_error=False)
        stats = parse(results[0])
        alert_id, incident_id = (int(raw) if raw else 0 for raw in results[-2:])
        alert = self.alerts.get(alert_id) if alert_id > 0 else None
        decision = decide(rule, stats, alert.snapshot() if alert else None, now)
        if decision.verdict == Verdict.RAISE:
            alert = self._raise(rules, topic, stats, decision, now)
        elif alert is not None:
            alert = self._follow(alert, stats, decision, now)
        if alert is not None:
            self.alerts.add_cases(alert.id, {number: now.timestamp()})
        if alert is None and incident_id <= 0:
            return False  # the common case: nothing burns, nothing to fold
        return self._fold(topic, alert, number, case, example)

    def _examples(self, topic: str, since: float) -> tuple[Example, ...]:
        """The widest-reaching posts of the window: what leadership should read first."""
        found = []
        for raw in self.r.lrange(self._key(topic, "recent"), 0, -1):
            data = json.loads(raw)
            if data.pop("at") >= since:
                found.append(Example(**data))
        found.sort(key=lambda e: e.followers, reverse=True)
        return tuple(found[:TOP_EXAMPLES])

    def _raise(
        self, rules: CrisisRules, topic: str, stats: WindowStats, decision: Decision, now: datetime
    ) -> Alert | None:
        since = now.timestamp() - stats.window_minutes * 60
        label = topic if not topic.startswith("cluster-") else f"“{self.clusters.label(topic)}”"
        explanation = explain(stats, label, decision.reasons, self._examples(topic, since), now)
        chat, channel = rules.leadership.home(self.folding.chats.keys())
        alert_id = self.alerts.raise_alert(explanation, chat, channel)
        if alert_id is None:
            return self.alerts.for_topic(topic)
        window_cases: list[tuple[bytes, float]] = self.r.zrangebyscore(
            self._key(topic, "cases"), since, "+inf", withscores=True
        )  # type: ignore[assignment]
        self.alerts.add_cases(alert_id, {int(n): float(score) for n, score in window_cases})
        self.dispatch.post_alert(alert_id)
        self.ensure_tick()
        log.warning("crisis_alert_raised", alert=alert_id, topic=topic, summary=explanation.summary())
        return self.alerts.get(alert_id)

    def _follow(self, alert: Alert, stats: WindowStats, decision: Decision, now: datetime) -> Alert | None:
        if decision.verdict == Verdict.CALM:
            self._calm(alert)
            return None
        self.alerts.seen(alert, stats.count, quiet=decision.verdict == Verdict.QUIET)
        if decision.verdict == Verdict.REALERT:
            since = now.timestamp() - stats.window_minutes * 60
            explanation = explain(
                stats, alert.label, decision.reasons, self._examples(alert.topic, since), now
            )
            if self.alerts.realert(alert, explanation):
                self.dispatch.realert(alert.id)
        return self.alerts.get(alert.id)

    def _calm(self, alert: Alert) -> None:
        if self.alerts.calm(alert):
            self.dispatch.digest(alert.id)
            log.info("crisis_alert_calm", alert=alert.id, topic=alert.topic, peak=alert.peak_count)

    def _fold(self, topic: str, alert: Alert | None, number: int, case: Case, example: Example) -> bool:
        incident = self.incidents.open_for(topic)
        if incident is not None and incident.channel:
            chat, channel, alert_id = incident.chat, incident.channel, incident.alert
        elif alert is not None and alert.folds:
            chat, channel, alert_id = case.chat, case.channel, alert.id
        else:
            return False
        if incident is not None and alert is None:
            self.alerts.add_cases(incident.alert, {number: self.clock.now().timestamp()})
        self.folding.attach(alert_id, number, chat, channel, example)
        if incident is not None and incident.state == IncidentState.BULK_REPLYING:
            self.bulk.enqueue_case(incident, number)
        return True

    # every minute while an alert is open -------------------------------------------------------------
    def ensure_tick(self) -> None:
        if self.r.set(self.store.k("crisis", "tick"), "1", nx=True, ex=TICK_SECONDS * 3):
            self.dispatch.tick(self.clock.now() + timedelta(seconds=TICK_SECONDS))

    def tick(self) -> str:
        """Calm down alerts that have been quiet long enough; keep bulk replies moving."""
        self.r.delete(self.store.k("crisis", "tick"))
        rules = self._playbook().crisis
        if rules is None:
            return "no crisis rules"
        now = self.clock.now()
        calmed = 0
        for alert_id in self.alerts.active_ids():
            alert = self.alerts.get(alert_id)
            if alert is None or not alert.active:
                continue
            rule = rules.thresholds(alert.topic)
            learn = not alert.topic.startswith("cluster-")
            stats = self.counts.window(alert.topic, now=now, window_minutes=rule.window_minutes, learn=learn)
            decision = decide(rule, stats, alert.snapshot(), now)
            if decision.verdict == Verdict.CALM:
                self._calm(alert)
                calmed += 1
            else:
                self.alerts.seen(alert, stats.count, quiet=decision.verdict == Verdict.QUIET)
        self.bulk.kick_stalled()
        if self.alerts.active_ids():
            self.ensure_tick()
        return f"calmed {calmed}"
