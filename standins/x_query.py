"""Reading X API v2 query strings strictly, and paging timelines as X pages them.

X rejects unknown parameters, unknown field names and out-of-range values with HTTP 400; a
lenient stand-in would let a typo in ``tweet.fields`` pass tests and fail in production.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from standins.x_errors import invalid_request

_ID = re.compile(r"^[0-9]{1,19}$")
_TOKEN = re.compile(r"^([np])([0-9a-z]{1,13})$")
_TIME_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ")


class HasId(Protocol):
    @property
    def id(self) -> str: ...


def check_params(query: Mapping[str, str], allowed: Iterable[str]) -> None:
    allowed = sorted(allowed)
    for name in query:
        if name not in allowed:
            raise invalid_request(
                f"The query parameter [{name}] is not one of [{','.join(allowed)}]", {name: [query[name]]}
            )


def check_id(value: str, name: str = "id") -> str:
    if not _ID.match(value):
        raise invalid_request(
            f"The `{name}` query parameter value [{value}] does not match ^[0-9]{{1,19}}$", {name: [value]}
        )
    return value


def optional_id(query: Mapping[str, str], name: str) -> int | None:
    value = query.get(name)
    return None if value is None else int(check_id(value, name))


def field_set(query: Mapping[str, str], name: str, allowed: frozenset[str]) -> set[str]:
    raw = query.get(name, "")
    values = {v for v in raw.split(",") if v}
    for value in sorted(values):
        if value not in allowed:
            raise invalid_request(
                f"The `{name}` query parameter value [{value}] is not one of [{','.join(sorted(allowed))}]",
                {name: [raw]},
            )
    return values


def max_results(query: Mapping[str, str], *, default: int, low: int, high: int) -> int:
    raw = query.get("max_results")
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise invalid_request(
            f"The `max_results` query parameter value [{raw}] is not between {low} and {high}",
            {"max_results": [raw]},
        )
    return int(raw)


def time_bound(query: Mapping[str, str], name: str) -> datetime | None:
    raw = query.get(name)
    if raw is None:
        return None
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(raw, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise invalid_request(f"Invalid '{name}':'{raw}'.", {name: [raw]})


T = TypeVar("T", bound=HasId)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


def paginate(
    items: Sequence[T], query: Mapping[str, str], *, limit: int
) -> tuple[list[T], dict[str, object]]:
    """One page of ``items`` (already filtered, newest first) and X's ``meta`` for it.

    ``next_token`` leads to older items, ``previous_token`` (on later pages) back to newer ones.
    Tokens are opaque to clients; here they encode the id the page stopped at.
    """
    token = query.get("pagination_token")
    chosen = list(items)
    if token is not None:
        match = _TOKEN.match(token)
        if match is None:
            raise invalid_request(
                f"The `pagination_token` query parameter value [{token}] is not valid",
                {"pagination_token": [token]},
            )
        cursor = int(match.group(2), 36)
        if match.group(1) == "n":
            chosen = [i for i in chosen if int(i.id) < cursor][:limit]
        else:
            chosen = [i for i in chosen if int(i.id) > cursor][-limit:]
    else:
        chosen = chosen[:limit]
    if not chosen:
        return [], {"result_count": 0}
    meta: dict[str, object] = {
        "result_count": len(chosen),
        "newest_id": chosen[0].id,
        "oldest_id": chosen[-1].id,
    }
    if any(int(i.id) < int(chosen[-1].id) for i in items):
        meta["next_token"] = "n" + _base36(int(chosen[-1].id))
    if token is not None and any(int(i.id) > int(chosen[0].id) for i in items):
        meta["previous_token"] = "p" + _base36(int(chosen[0].id))
    return chosen, meta
