"""Bolt listeners for crisis mode: the alert's buttons, the statement and bulk-reply sign-off, the edit
dialogs. Payloads in, :class:`bridge.crisis.leadership.LeadershipDesk` calls out; what the core says is
told to the person who clicked, a refusal or a dialog Slack would not open included, never raised to
Bolt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from adapters.slack.answers import guarded, tell
from adapters.slack.crisis_cards import CRISIS_ACTIONS, EDIT_CALLBACKS, edit_modal
from adapters.slack.payloads import button_value, user_of
from bridge.app.runtime import Runtime
from bridge.crisis.buttons import EDITS, PRESSES, button_ids, press
from bridge.domain.errors import BridgeError

TITLES = {"statement": "Edit the statement", "bulk": "Edit the bulk reply"}
UNSHOWN = "crisis_answer_not_shown"


def _answer(rt: Runtime, body: dict[str, Any], act: Callable[[str, str], str | None]) -> None:
    """Run ``act(user, button value)`` and tell its answer (or its refusal) to the person who clicked."""

    def run() -> None:
        text = act(user_of(body), button_value(body))
        if text:
            tell(rt, body, text, unshown=UNSHOWN)

    guarded(rt, body, run, unshown=UNSHOWN)


def register_crisis(app: App, rt: Runtime) -> None:
    """Attach the crisis listeners to a Bolt app (called from ``adapters.slack.listeners.register``)."""
    for name in PRESSES:
        _register_press(app, rt, name)
    for action, what in EDITS.items():
        _register_edit(app, rt, action, what)


def _register_press(app: App, rt: Runtime, name: str) -> None:
    """A button whose press is one call of the leadership desk (acknowledge, start, approve …)."""

    desk = rt.crisis.leadership

    @app.action(CRISIS_ACTIONS[name])
    def _clicked(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        _answer(rt, body, lambda user, value: press(desk, name, value, user))


def _register_edit(app: App, rt: Runtime, action: str, what: str) -> None:
    """Edit opens a dialog holding the latest text of ``what``; its submission is a new version."""
    desk = rt.crisis.leadership

    @app.action(CRISIS_ACTIONS[action])
    def _edit(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()

        def open_dialog(user: str, value: str) -> None:
            incident_id, _ = button_ids(value)
            text = desk.current_text(incident_id, what, user)
            view = edit_modal(what, str(incident_id), TITLES[what], text)
            client.views_open(trigger_id=body["trigger_id"], view=view)

        _answer(rt, body, open_dialog)

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
