"""Alert and incident records on real Redis: one alert per topic however many pollers race, and an
incident whose statement approval names one version."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from bridge.crisis.alerts import AlertBook
from bridge.crisis.incident import IncidentBook, IncidentState
from bridge.domain.clock import ManualClock
from bridge.store.cases import Store
from tests.support.crisis_notices import explanation

NOW = datetime(2025, 3, 3, 14, 4, tzinfo=UTC)


def test_racing_pollers_raise_one_alert_per_topic(store: Store) -> None:
    book = AlertBook(store, ManualClock(NOW).now)
    raised: list[int | None] = []
    threads = [
        threading.Thread(target=lambda: raised.append(book.raise_alert(explanation(), "slack", "C0LEAD")))
        for _ in range(20)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [r for r in raised if r is not None]
    assert len(ids) == 1 and book.active_ids() == ids
    alert = book.for_topic("recall")
    assert alert is not None and alert.state == "open" and alert.explanation.count == 12
    assert book.calm(alert) and book.for_topic("recall") is None and book.active_ids() == []
    assert book.raise_alert(explanation(), "slack", "C0LEAD") not in (None, ids[0]), "a new episode"


def test_an_alert_moves_only_as_its_table_allows_and_every_move_is_on_its_timeline(store: Store) -> None:
    book = AlertBook(store, ManualClock(NOW).now)
    alert_id = book.raise_alert(explanation(), "slack", "C0LEAD")
    assert alert_id is not None
    assert book.move(alert_id, "acknowledge", "U0VPC", acknowledged_by="U0VPC").ok
    assert not book.move(alert_id, "acknowledge", "U0CEO").ok
    assert book.move(alert_id, "start_incident", "U0CEO", incident=1).ok
    assert not book.move(alert_id, "dismiss", "U0CEO").ok
    actions = [e.action for e in book.records.timeline(alert_id)]
    assert actions == ["alert_raised", "alert_explained", "acknowledge", "start_incident"]
    assert all(e.at == NOW for e in book.records.timeline(alert_id))
    assert "start_incident" in [e.action for e in store.global_audit()]


def test_a_statement_approval_names_one_version(store: Store) -> None:
    alerts, incidents = AlertBook(store, ManualClock(NOW).now), IncidentBook(store, ManualClock(NOW).now)
    alert_id = alerts.raise_alert(explanation(), "slack", "C0LEAD")
    assert alert_id is not None
    timeline = alerts.records.key(alert_id, "timeline")
    incident_id, started = incidents.start(alert_id, "recall", "recall", "U0CEO", timeline, "x", "main")
    assert started and incidents.start(alert_id, "recall", "recall", "U0CCO", timeline, "x", "main") == (
        incident_id,
        False,
    )
    assert incidents.draft(incident_id, "statement", "v1 text", "U0CEO").counter == 1
    assert incidents.draft(incident_id, "statement", "v2 text", "U0CCO").counter == 2
    stale = incidents.move(incident_id, "approve_statement", "U0CEO", guards={"statement_version": "1"})
    assert not stale.ok and stale.reason == "guard"
    assert incidents.move(incident_id, "approve_statement", "U0CEO", guards={"statement_version": "2"}).ok
    assert not incidents.draft(incident_id, "statement", "too late", "U0CCO").ok
    version = incidents.version(incident_id, "statement", 2)
    assert version is not None and (version.text, version.author) == ("v2 text", "U0CCO")
    assert incidents.close(incident_id, "U0CEO", "done").ok and incidents.open_for("recall") is None
    incident = incidents.get(incident_id)
    assert incident is not None and incident.state == IncidentState.CLOSED
    shared = [e.action for e in alerts.records.timeline(alert_id)]
    assert "incident_started" in shared and "close" in shared, "the incident writes on the alert's timeline"
