"""The Slack Web API client: pointed at ``SLACK_API_URL`` and retrying 429s as Slack asks."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bridge.app.settings import Settings

#: How many times one call waits out a 429 ``Retry-After`` before the job's own retry takes over.
RATE_LIMIT_RETRIES = 3
TIMEOUT_SECONDS = 15


def make_web_client(settings: Settings) -> WebClient:
    base_url = (
        settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    )
    return WebClient(
        token=settings.slack_bot_token,
        base_url=base_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )
