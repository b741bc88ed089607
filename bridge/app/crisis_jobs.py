"""RQ job bodies for crisis mode: thin, each finds the process runtime and calls one service."""

from __future__ import annotations

from bridge.app import runtime

__all__ = [
    "bulk_reply",
    "digest",
    "incident_notice",
    "mass_card",
    "open_incident",
    "post_alert",
    "post_statement",
    "preview",
    "realert",
    "refresh_alert",
    "tick",
]


def post_alert(alert_id: int) -> str:
    return runtime.current().crisis.board.post_alert(alert_id)


def refresh_alert(alert_id: int) -> str:
    return runtime.current().crisis.board.refresh_alert(alert_id)


def realert(alert_id: int) -> str:
    return runtime.current().crisis.board.realert(alert_id)


def digest(alert_id: int) -> str:
    return runtime.current().crisis.board.digest(alert_id)


def tick() -> str:
    return runtime.current().crisis.monitor.tick()


def mass_card(alert_id: int, chat: str, channel: str) -> str:
    return runtime.current().crisis.folding.render(alert_id, chat, channel)


def open_incident(incident_id: int) -> str:
    return runtime.current().crisis.board.open_incident(incident_id)


def preview(incident_id: int, what: str, version: int) -> str:
    return runtime.current().crisis.board.preview(incident_id, what, version)


def post_statement(incident_id: int) -> str:
    return runtime.current().crisis.statement.post(incident_id)


def bulk_reply(incident_id: int) -> str:
    return runtime.current().crisis.bulk.run(incident_id)


def incident_notice(incident_id: int, text: str, leadership: bool = False) -> str:
    return runtime.current().crisis.board.incident_notice(incident_id, text, leadership)
