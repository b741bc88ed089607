"""Bolt listeners for crisis mode: the alert's buttons, the statement and bulk-reply sign-off, the edit
dialogs. Payloads in, :class:`bridge.crisis.leadership.LeadershipDesk` calls out; what the core says is
told to the person who clicked, a refusal included, never raised to Bolt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from slack_bolt import Ack, App
from slack_sdk import WebClient

from adapters.slack.crisis_cards import CRISIS_ACTIONS, EDIT_CALLBACKS, edit_modal
from bridge.app.runtime import Runtime
from bridge.crisis.buttons import EDITS, PRESSES, button_ids, press
from bridge.domain.errors import BridgeError

log = structlog.get_logger(__name__)
TITLES = {"statement": "Edit the statement", "bulk": "Edit the bulk reply"}


def _channel_of(body: dict[str, Any]) -> str:
    return str((body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or "")


def register_crisis(app: App, rt: Runtime) -> None:
    """Attach the crisis listeners to a Bolt app (called from ``adapters.slack.listeners.register``)."""

    def answer(body: dict[str, Any], act: Callable[[str, str], str | None]) -> None:
        user = str((body.get("user") or {}).get("id") or "")
        channel = _channel_of(body)
        try:
            text = act(user, str(body["actions"][0].get("value") or ""))
        except BridgeError as exc:
            text = str(exc)
        if not text:
            return
        if channel and user:
            rt.dispatch.tell("slack", channel, user, text)
        else:
            log.info("crisis_answer_not_shown", text=text)

    desk = rt.crisis.leadership

    def button(name: str) -> None:
        @app.action(CRISIS_ACTIONS[name])
        def _clicked(ack: Ack, body: dict[str, Any]) -> None:
            ack()
            answer(body, lambda user, value: press(desk, name, value, user))

    for name in PRESSES:
        button(name)

    def edit_button(action: str, what: str) -> None:
        @app.action(CRISIS_ACTIONS[action])
        def _edit(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()

            def open_dialog(user: str, value: str) -> None:
                incident_id, _ = button_ids(value)
                text = desk.current_text(incident_id, what, user)
                view = edit_modal(what, str(incident_id), TITLES[what], text)
                client.views_open(trigger_id=body["trigger_id"], view=view)

            answer(body, open_dialog)

        @app.view(EDIT_CALLBACKS[what])
        def _submitted(ack: Ack, body: dict[str, Any]) -> None:
            view = body.get("view") or {}
            values = ((view.get("state") or {}).get("values") or {}).get("text") or {}
            text = str((values.get("value") or {}).get("value") or "")
            try:
                incident_id, _ = button_ids(str(view.get("private_metadata") or ""))
                desk.edit(incident_id, what, str(body["user"]["id"]), text)
            except BridgeError as exc:
                ack(response_action="errors", errors={"text": str(exc)[:150]})
                return
            ack()

    for action, what in EDITS.items():
        edit_button(action, what)
