"""What the brand's shop tells us about a purchase: ``{"token": …, "value": …, "order_id": …}``.

Read strictly, with a message that tells the shop's developer what was expected: the webhook is
machine-to-machine, so a vague 400 would cost someone an afternoon.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from bridge.domain.errors import BadConversion
from bridge.reports.links import TOKEN

__all__ = ["MAX_ORDER_ID_CHARS", "Conversion", "parse_conversion"]

MAX_ORDER_ID_CHARS = 200
_KNOWN = {"token", "value", "order_id"}


@dataclass(frozen=True)
class Conversion:
    token: str
    value: float = 0.0
    order_id: str = ""


def parse_conversion(body: bytes) -> Conversion:
    """The conversion in a request body; :class:`BadConversion` says what is wrong."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadConversion(f'the body is not JSON ({exc}); expected {{"token": "…"}}') from None
    if not isinstance(data, dict):
        raise BadConversion('expected a JSON object such as {"token": "…", "value": 12.5, "order_id": "A1"}')
    unknown = sorted(set(data) - _KNOWN)
    if unknown:
        raise BadConversion(f"unknown field(s) {', '.join(unknown)}; expected token, value, order_id")
    token = data.get("token")
    if not isinstance(token, str) or not TOKEN.match(token):
        raise BadConversion("token must be the string after /r/ in the tracked link")
    value = data.get("value", 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise BadConversion("value must be a number of 0 or more (the order's value), or left out")
    order_id = data.get("order_id", "")
    if order_id is None:
        order_id = ""
    if isinstance(order_id, int) and not isinstance(order_id, bool):
        order_id = str(order_id)
    if not isinstance(order_id, str) or len(order_id) > MAX_ORDER_ID_CHARS:
        raise BadConversion(f"order_id must be a string of at most {MAX_ORDER_ID_CHARS} characters")
    return Conversion(token, float(value), order_id.strip())
