"""Bolt listeners: Slack payloads in, desk calls out.

Listeners translate and nothing more: parse the ids, call the desk, and tell the person what the desk
said. A refusal or an unknown case is an ephemeral message, never an exception that Bolt would turn
into a server error. :func:`register` attaches them all, grouped by what they listen to: card buttons
(:mod:`~adapters.slack.card_listeners`), modals (:mod:`~adapters.slack.modal_listeners`), thread
messages (:mod:`~adapters.slack.message_listeners`), ``/bridge`` and App Home
(:mod:`~adapters.slack.commands`) and crisis mode (:mod:`~adapters.slack.crisis_listeners`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from adapters.slack.card_listeners import register_card_buttons
from adapters.slack.commands import register_commands
from adapters.slack.crisis_listeners import register_crisis
from adapters.slack.message_listeners import register_other_events, register_thread_messages
from adapters.slack.modal_listeners import register_submissions
from bridge.app.runtime import Runtime

EVENT_DEDUPE_SECONDS = 3600


def register(app: App, rt: Runtime) -> None:
    """Attach every listener of the bridge to a Bolt app."""
    register_commands(app, rt)
    register_crisis(app, rt)
    register_event_dedupe(app, rt)
    register_card_buttons(app, rt)
    register_submissions(app, rt)
    register_thread_messages(app, rt)
    register_other_events(app)


def register_event_dedupe(app: App, rt: Runtime) -> None:
    """Slack retries events it thinks we missed; each ``event_id`` is handled once."""

    @app.middleware
    def once_per_event(body: dict[str, Any], next: Callable[[], Any]) -> Any:  # noqa: A002  # Bolt passes it by this name
        event_id = body.get("event_id")
        if event_id and not rt.store.first_time(f"slack:event:{event_id}", EVENT_DEDUPE_SECONDS):
            return BoltResponse(status=200, body="")
        return next()
