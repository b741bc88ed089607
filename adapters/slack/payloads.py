"""Reading what a Slack interaction names: the case, the draft version, the channel, a modal's input.

A button or modal that names nothing usable is a :class:`~bridge.domain.errors.NotAllowed` telling the
person the card may be out of date, never an exception Bolt would turn into a server error.
"""

from __future__ import annotations

from typing import Any

from bridge.domain.errors import NotAllowed


def case_number(value: str) -> int:
    """``"12"``, ``"#12"`` or ``"12:3"`` → 12."""
    try:
        return int(value.split(":")[0].lstrip("#"))
    except (ValueError, AttributeError):
        raise NotAllowed("That button does not name a case; the card may be out of date.") from None


def version(value: str) -> int:
    """``"12:3"`` → 3, the draft version a preview's button was for."""
    try:
        return int(value.split(":")[1])
    except (ValueError, IndexError, AttributeError):
        raise NotAllowed("That button does not name a draft version; the card may be out of date.") from None


def button_value(body: dict[str, Any]) -> str:
    """The clicked button's value; "" when it carries none (then it names no case)."""
    return str(body["actions"][0].get("value") or "")


def channel_of(body: dict[str, Any]) -> str:
    return str((body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or "")


def user_of(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def modal_input(body: dict[str, Any], block_id: str) -> str:
    """What was typed or chosen in a submitted modal's input block ``block_id``."""
    values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    block = values.get(block_id)
    if block is None:  # a block renewed to refill its text carries a revision: "draft.2"
        block = next((v for k, v in values.items() if k.startswith(block_id + ".")), None)
    element = (block or {}).get("value") or {}
    if element.get("type") == "static_select":
        return str((element.get("selected_option") or {}).get("value") or "")
    return str(element.get("value") or "")
