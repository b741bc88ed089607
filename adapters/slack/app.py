"""The Bolt app of the bridge, with the Web API client pointed where settings say."""

from __future__ import annotations

from slack_bolt import App

from adapters.slack.client import pointed
from adapters.slack.listeners import register
from adapters.slack.set_aside import register_set_aside
from bridge.app.runtime import Runtime


def build_bolt_app(rt: Runtime) -> App:
    """Bolt builds its own client from the token (given ``client`` as well, it would warn at every start
    that the token, which it also reads from ``SLACK_BOT_TOKEN``, goes unused); it is then pointed."""
    settings = rt.settings
    app = App(
        token=settings.slack_bot_token or None,
        signing_secret=settings.slack_signing_secret,
        process_before_response=True,  # every listener only touches Redis; answer after it ran
        token_verification_enabled=False,  # checked lazily on the first request, not at import time
        raise_error_for_unhandled_request=False,
    )
    pointed(app.client, settings)
    register(app, rt)
    register_set_aside(app, rt)
    return app
