"""atproto SDK exceptions → the core's platform errors.

The SDK raises at once on a 429 (it never sleeps inside a job); the window's end comes from the
``RateLimit-Reset`` header the PDS sent (epoch seconds), read through the exception.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from atproto_client.exceptions import (
    BadRequestError,
    LoginRequiredError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    RequestException,
    UnauthorizedError,
)

from bridge.domain.errors import PlatformError, RateLimited, Rejected, Unavailable

T = TypeVar("T")

#: When the PDS sends no usable ``RateLimit-Reset`` with a 429, wait this long.
DEFAULT_RATE_LIMIT_WAIT_SECONDS = 60
SESSION_ERRORS = {"ExpiredToken", "InvalidToken"}


def status_of(exc: RequestErrorBase) -> int:
    return exc.response.status_code if exc.response is not None else 0


def error_name(exc: RequestErrorBase) -> str:
    """The XRPC error name (``InvalidRecord``, ``ExpiredToken`` ...), '' when there is none."""
    content = exc.response.content if exc.response is not None else None
    return str(getattr(content, "error", "") or "")


def words(exc: RequestErrorBase) -> str:
    content = exc.response.content if exc.response is not None else None
    message = getattr(content, "message", None)
    name = error_name(exc)
    return f"{name}: {message}" if message else name or type(exc).__name__


def is_session_expired(exc: BaseException) -> bool:
    return isinstance(exc, RequestErrorBase) and error_name(exc) in SESSION_ERRORS


def _reset_at(exc: RateLimitExceededError) -> float:
    now = time.time()
    reset = exc.reset_at
    if reset is not None and reset.timestamp() > now:
        return float(reset.timestamp())
    return now + DEFAULT_RATE_LIMIT_WAIT_SECONDS


def translate(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call ``call(*args, **kwargs)`` and re-raise what the PDS says in the core's words."""
    try:
        return call(*args, **kwargs)
    except RateLimitExceededError as exc:
        raise RateLimited("Bluesky rate limit reached", _reset_at(exc)) from exc
    except NetworkError as exc:  # no answer, or 409/413/502 (the SDK files those as network errors)
        status = status_of(exc)
        if status == 413:
            raise Rejected(f"Bluesky said (413): {words(exc)}") from exc
        raise Unavailable(f"Bluesky could not be reached or failed ({status or type(exc).__name__})") from exc
    except UnauthorizedError as exc:
        raise PlatformError(f"Bluesky refused our app password or session: {words(exc)}") from exc
    except LoginRequiredError as exc:
        raise PlatformError("Bluesky session missing: check BLUESKY_HANDLE and BLUESKY_APP_PASSWORD") from exc
    except BadRequestError as exc:
        raise Rejected(f"Bluesky said (400): {words(exc)}") from exc
    except RequestException as exc:
        status = status_of(exc)
        if status >= 500 or status == 0:
            raise Unavailable(f"Bluesky server error {status}: {words(exc)}") from exc
        raise Rejected(f"Bluesky said ({status}): {words(exc)}") from exc
