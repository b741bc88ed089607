"""Mastodon.py exceptions → the core's platform errors.

Mastodon.py runs with ``ratelimit_method="throw"``: a 429 raises at once instead of sleeping inside a
job, and the reset time the instance sent (``X-RateLimit-Reset``, an ISO timestamp) is read from the
client, which parsed it from the headers before raising.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from bridge.domain.errors import PlatformError, RateLimited, Rejected, Unavailable

T = TypeVar("T")

#: When the instance sends no usable reset header with a 429, wait this long.
DEFAULT_RATE_LIMIT_WAIT_SECONDS = 60


def _reset_at(client: Mastodon) -> float:
    reset = getattr(client, "ratelimit_reset", None)
    now = time.time()
    if isinstance(reset, int | float) and reset > now:
        return float(reset)
    return now + DEFAULT_RATE_LIMIT_WAIT_SECONDS


def _words(exc: MastodonAPIError) -> str:
    """The instance's own message (``{"error": ...}``), else the status line."""
    args = [str(a) for a in exc.args[1:] if a not in (None, "")]
    return args[-1] if args else str(exc)


def _status(exc: MastodonAPIError) -> int:
    code = exc.args[1] if len(exc.args) > 1 else 0
    return code if isinstance(code, int) else 0


def translate(client: Mastodon, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call ``call(*args, **kwargs)`` and re-raise what the instance says in the core's words."""
    try:
        return call(*args, **kwargs)
    except MastodonRatelimitError as exc:
        raise RateLimited("Mastodon rate limit reached", _reset_at(client)) from exc
    except MastodonServerError as exc:
        raise Unavailable(f"Mastodon server error {_status(exc)}") from exc
    except MastodonNetworkError as exc:
        raise Unavailable(f"Mastodon could not be reached ({type(exc).__name__})") from exc
    except MastodonUnauthorizedError as exc:
        raise PlatformError(f"Mastodon refused our access token: {_words(exc)}") from exc
    except MastodonNotFoundError as exc:
        raise Rejected(f"Mastodon said: {_words(exc)}") from exc
    except MastodonAPIError as exc:
        if 400 <= _status(exc) < 500:  # 422 over the limit or blank, 403 forbidden ...
            raise Rejected(f"Mastodon said ({_status(exc)}): {_words(exc)}") from exc
        raise PlatformError(f"Mastodon answered {_status(exc)}: {_words(exc)}") from exc
