"""Graph API answers → the core's platform errors, and the usage headers read before Meta throttles.

Meta answers a failure with ``{"error": {"message", "type", "code", "error_subcode", "is_transient"}}``
(the OAuth dialog uses a flat ``error_type``/``code``/``error_message`` shape, accepted too). What the
core must decide is only: wait (throttled), give up (refused, expired token) or try again (the server
failed). The codes come from Meta's error-handling and rate-limiting guides.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bridge.domain.errors import AuthFailed, PlatformError, RateLimited, Rejected, Unavailable

__all__ = [
    "AUTH_CODES",
    "BACKOFF_AT_PERCENT",
    "OUTSIDE_WINDOW_SUBCODES",
    "RATE_LIMIT_CODES",
    "GraphFailure",
    "GraphRejected",
    "error_of",
    "translate",
    "usage_wait_seconds",
]

#: Invalid or expired access token (subcodes 460, 463, 466, 467 …) and the session errors beside it.
AUTH_CODES = frozenset({102, 190})
#: Throttling: 4 application, 17 user, 32 Page, 613 "calls exceeded", 341/368 feed-action blocks,
#: 80001–80009 the Business Use Case limits (Pages, Messenger, Instagram).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 368, 613, *range(80001, 80010)})
#: A duplicate: the same post twice (506 / 1455006), a comment already answered privately (10900).
DUPLICATE_CODES = frozenset({506, 10900})
DUPLICATE_SUBCODES = frozenset({1455006})
#: Messenger/Instagram: the message was sent outside the allowed window (code 10 or 100).
OUTSIDE_WINDOW_SUBCODES = frozenset({2018278, 2534022})
#: Server-side failures worth another try.
TRANSIENT_CODES = frozenset({1, 2})
#: When a throttling answer or header names no time, wait this long.
DEFAULT_WAIT_SECONDS = 300
#: Back off once any usage percentage reaches this, before Meta starts refusing at 100.
BACKOFF_AT_PERCENT = 90


@dataclass(frozen=True)
class GraphFailure:
    """The fields of one Graph error body that decide what to do."""

    message: str
    code: int
    subcode: int
    transient: bool
    for_user: bool = False  # Meta wrote a message for the person (``error_user_msg``): not a glitch


class GraphRejected(Rejected):
    """A refusal for good, with Meta's code and subcode (the adapter looks at the window refusal)."""

    def __init__(self, message: str, code: int, subcode: int, *, duplicate: bool = False) -> None:
        super().__init__(message, duplicate=duplicate)
        self.code = code
        self.subcode = subcode

    @property
    def outside_window(self) -> bool:
        return self.subcode in OUTSIDE_WINDOW_SUBCODES


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _code_in_message(message: str) -> int:
    """``"(#341) Feed action request limit reached"``: the code some answers only give in the text."""
    if message.startswith("(#") and ")" in message:
        return _int(message[2 : message.index(")")])
    return 0


def error_of(body: Any) -> GraphFailure | None:
    """The error in a Graph answer's JSON body, or None when it holds none."""
    if not isinstance(body, Mapping):
        return None
    error = body.get("error")
    if isinstance(error, Mapping):
        message = str(error.get("message") or error.get("error_user_msg") or "")
        code = _int(error.get("code")) or _code_in_message(message)
        subcode = _int(error.get("error_subcode"))
        return GraphFailure(
            message, code, subcode, bool(error.get("is_transient")), bool(error.get("error_user_msg"))
        )
    if "error_type" in body or "error_message" in body:  # the OAuth dialog's flat shape
        return GraphFailure(str(body.get("error_message") or ""), _int(body.get("code")), 0, False)
    return None


def translate(status: int, body: Any, headers: Mapping[str, str], now: float | None = None) -> PlatformError:
    """The core's error for a failed Graph call (HTTP ``status``, parsed ``body``, response ``headers``)."""
    now = time.time() if now is None else now
    failure = error_of(body)
    if failure is None:
        if status >= 500 or status == 0:
            return Unavailable(f"Meta's Graph API failed (HTTP {status})")
        if status == 429:
            return RateLimited("Meta is throttling our calls", now + DEFAULT_WAIT_SECONDS)
        return Rejected(f"Meta's Graph API refused the call (HTTP {status})")
    said = f"Meta said (#{failure.code}): {failure.message}".rstrip(": ")
    if failure.code in AUTH_CODES or (not failure.code and "access token" in failure.message.lower()):
        return AuthFailed(
            f"{said}. The Page access token is invalid or expired: set a new META_PAGE_ACCESS_TOKEN"
        )
    if failure.code in RATE_LIMIT_CODES:
        wait = usage_wait_seconds(headers, at_percent=100) or DEFAULT_WAIT_SECONDS
        return RateLimited(said, now + wait)
    if failure.transient or (failure.code in TRANSIENT_CODES and not failure.for_user) or status >= 500:
        return Unavailable(said)
    duplicate = failure.code in DUPLICATE_CODES or failure.subcode in DUPLICATE_SUBCODES
    return GraphRejected(said, failure.code, failure.subcode, duplicate=duplicate)


def _percentages(raw: str) -> list[tuple[float, float]]:
    """(highest usage percentage, minutes to regain access) of each quota in one usage header."""
    try:
        value = json.loads(raw)
    except ValueError:
        return []
    quotas: list[Any] = []
    if isinstance(value, Mapping) and any(isinstance(v, list) for v in value.values()):
        quotas = [q for v in value.values() if isinstance(v, list) for q in v]  # per business object
    elif isinstance(value, Mapping):
        quotas = [value]
    found = []
    for quota in quotas:
        if not isinstance(quota, Mapping):
            continue
        usage = [quota.get(k) for k in ("call_count", "total_cputime", "total_time", "acc_id_util_pct")]
        highest = max((float(u) for u in usage if isinstance(u, (int, float))), default=0.0)
        regain = quota.get("estimated_time_to_regain_access") or 0
        found.append((highest, float(regain) if isinstance(regain, (int, float)) else 0.0))
    return found


USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-business-use-case-usage", "x-ad-account-usage")


def usage_wait_seconds(headers: Mapping[str, str], at_percent: float = BACKOFF_AT_PERCENT) -> float:
    """Seconds to leave the Graph API alone, read from its usage headers: 0 while every quota is under
    ``at_percent``; else Meta's own estimate to regain access, or :data:`DEFAULT_WAIT_SECONDS`."""
    lowered = {k.lower(): v for k, v in headers.items()}
    wait = 0.0
    for name in USAGE_HEADERS:
        for percent, regain_minutes in _percentages(lowered.get(name, "")):
            if percent >= at_percent:
                wait = max(wait, regain_minutes * 60 or DEFAULT_WAIT_SECONDS)
    return wait
