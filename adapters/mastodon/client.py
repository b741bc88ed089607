"""A Mastodon.py client for the configured account at ``MASTODON_BASE_URL``."""

from __future__ import annotations

from mastodon import Mastodon

from bridge.app.settings import Settings

REQUEST_TIMEOUT_SECONDS = 30


def make_client(settings: Settings) -> Mastodon:
    """The care account's client; rate limits raise (the poller and publisher reschedule instead of
    sleeping), and no version probe is made at start-up."""
    return Mastodon(
        access_token=settings.mastodon_access_token,
        api_base_url=(settings.mastodon_base_url or "").rstrip("/"),
        ratelimit_method="throw",
        request_timeout=REQUEST_TIMEOUT_SECONDS,
        version_check_mode="none",
    )
