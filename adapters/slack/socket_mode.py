"""Socket Mode: Slack delivers events over a websocket the bridge opens, so no public URL is needed."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode import SocketModeHandler

from adapters.slack.app import build_bolt_app
from bridge.app.runtime import Runtime


def connect_socket_mode(rt: Runtime) -> SocketModeHandler:
    handler = SocketModeHandler(build_bolt_app(rt), rt.settings.slack_app_token)
    handler.connect()  # type: ignore[no-untyped-call]  # slack-bolt leaves it unannotated
    return handler
