"""A tweepy client for the configured account, pointed at ``X_API_URL`` when that is not X itself."""

from __future__ import annotations

import tweepy

from bridge.app.settings import Settings

X_DEFAULT_URL = "https://api.twitter.com"


def make_client(settings: Settings, *, main_account: bool = False) -> tweepy.Client:
    """The care handle's client, or with ``main_account`` the main brand account's (same X app)."""
    client = tweepy.Client(
        bearer_token=settings.x_bearer_token,
        consumer_key=settings.x_consumer_key,
        consumer_secret=settings.x_consumer_secret,
        access_token=settings.x_main_access_token if main_account else settings.x_access_token,
        access_token_secret=(
            settings.x_main_access_token_secret if main_account else settings.x_access_token_secret
        ),
        wait_on_rate_limit=False,  # the poller and publisher reschedule instead of sleeping
    )
    from adapters.x.transport import point_tweepy_at

    point_tweepy_at(client, settings.x_api_url.rstrip("/"))
    return client
