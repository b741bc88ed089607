"""RQ job bodies for crisis mode: thin, each finds the process runtime and calls one service."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bridge.app.runtime import Runtime


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


def _runtime() -> Runtime:
    """The process's runtime. Imported on use: the runtime builds the dispatchers, which name these
    jobs, so a module-level import would make ``import bridge.app.dispatch`` on its own circular."""
    from bridge.app.runtime import current

    return current()


def post_alert(alert_id: int) -> str:
    return _runtime().crisis.board.post_alert(alert_id)


def refresh_alert(alert_id: int) -> str:
    return _runtime().crisis.board.refresh_alert(alert_id)


def realert(alert_id: int) -> str:
    return _runtime().crisis.board.realert(alert_id)


def digest(alert_id: int) -> str:
    return _runtime().crisis.board.digest(alert_id)


def tick() -> str:
    return _runtime().crisis.monitor.tick()


def mass_card(alert_id: int, chat: str, channel: str) -> str:
    return _runtime().crisis.folding.render(alert_id, chat, channel)


def open_incident(incident_id: int) -> str:
    return _runtime().crisis.board.open_incident(incident_id)


def preview(incident_id: int, what: str, version: int) -> str:
    return _runtime().crisis.board.preview(incident_id, what, version)


def post_statement(incident_id: int) -> str:
    return _runtime().crisis.statement.post(incident_id)


def bulk_reply(incident_id: int) -> str:
    return _runtime().crisis.bulk.run(incident_id)


def incident_notice(incident_id: int, text: str, leadership: bool = False) -> str:
    return _runtime().crisis.board.incident_notice(incident_id, text, leadership)
