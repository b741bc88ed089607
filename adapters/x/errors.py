"""tweepy and requests exceptions → the core's platform errors."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests
import tweepy

from bridge.domain.errors import PlatformError, RateLimited, Rejected, Unavailable

T = TypeVar("T")

#: When X sends no reset header with a 429, wait this long.
DEFAULT_RATE_LIMIT_WAIT_SECONDS = 60


def _reset_at(exc: tweepy.HTTPException) -> float:
    header = exc.response.headers.get("x-rate-limit-reset") if exc.response is not None else None
    try:
        return float(header) if header else time.time() + DEFAULT_RATE_LIMIT_WAIT_SECONDS
    except ValueError:
        return time.time() + DEFAULT_RATE_LIMIT_WAIT_SECONDS


def _words(exc: tweepy.HTTPException) -> str:
    parts = [*exc.api_messages] or [str(exc)]
    return "; ".join(p for p in parts if p)


def translate(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call ``call(*args, **kwargs)`` and re-raise what X says in the core's words."""
    try:
        return call(*args, **kwargs)
    except tweepy.TooManyRequests as exc:
        raise RateLimited(f"X rate limit reached ({_words(exc)})", _reset_at(exc)) from exc
    except tweepy.TwitterServerError as exc:
        raise Unavailable(f"X server error {exc.response.status_code}") from exc
    except tweepy.Forbidden as exc:
        words = _words(exc)
        raise Rejected(f"X said: {words}", duplicate="duplicate" in words.lower()) from exc
    except (tweepy.BadRequest, tweepy.NotFound) as exc:
        raise Rejected(f"X said: {_words(exc)}") from exc
    except tweepy.Unauthorized as exc:
        raise PlatformError(f"X refused our credentials: {_words(exc)}") from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise Unavailable(f"X could not be reached ({type(exc).__name__})") from exc
    except tweepy.HTTPException as exc:
        raise PlatformError(f"X answered {exc.response.status_code}: {_words(exc)}") from exc
