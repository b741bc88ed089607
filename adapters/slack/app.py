"""The Bolt app of the bridge, with the Web API client pointed where settings say."""

from __future__ import annotations

from slack_bolt import App

from adapters.slack.client import make_web_client
from adapters.slack.listeners import register
from bridge.app.runtime import Runtime


def build_bolt_app(rt: Runtime) -> App:
    settings = rt.settings
    app = App(
        client=make_web_client(settings),
        signing_secret=settings.slack_signing_secret,
        process_before_response=True,  # every listener only touches Redis; answer after it ran
        token_verification_enabled=False,  # checked lazily on the first request, not at import time
        raise_error_for_unhandled_request=False,
    )
    register(app, rt)
    return app
