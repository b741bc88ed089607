"""The Slack Web API client: pointed at ``SLACK_API_URL``, retrying 429s as Slack asks, and keeping its
connections open between calls (:mod:`adapters.slack.keep_alive`)."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from adapters.slack.keep_alive import KeepAliveWebClient
from bridge.app.settings import Settings

#: How many times one call waits out a 429 ``Retry-After`` before the job's own retry takes over.
RATE_LIMIT_RETRIES = 3
TIMEOUT_SECONDS = 15


def make_web_client(settings: Settings) -> WebClient:
    """The workers' and the web process's own client, its connections kept between calls."""
    return pointed(KeepAliveWebClient(token=settings.slack_bot_token), settings)


def pointed(client: WebClient, settings: Settings) -> WebClient:
    """``client`` sent to ``SLACK_API_URL``, with the bridge's timeout and retries (Bolt copies these
    into the client each listener gets)."""
    client.base_url = (
        settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    )
    client.timeout = TIMEOUT_SECONDS
    client.retry_handlers = [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
    ]
    return client
