"""The digest's **Needs an answer** button in Teams: an ``adaptiveCard/action`` invoke whose verb is
:data:`NEEDS_ANSWER_VERB`, :meth:`SetAsideLedger.needs_answer` out, and what the core said (a refusal
included) as the message the clicker sees at once."""

from __future__ import annotations

from typing import Any

from adapters.teams.crisis_cards import VERB_PREFIX
from bridge.app.runtime import Runtime
from bridge.domain.errors import BridgeError
from bridge.flow.set_aside import NEEDS_ANSWER

__all__ = ["NEEDS_ANSWER_VERB", "needs_answer"]

#: The digest is a notice (adapters.teams.crisis_cards renders it), so its button carries that prefix.
NEEDS_ANSWER_VERB = VERB_PREFIX + NEEDS_ANSWER


def needs_answer(rt: Runtime, user: str, data: dict[str, Any]) -> str:
    """What the clicker is told: the core's answer or refusal."""
    value = str(data.get("value") or "").lstrip("#")
    if not value.isdigit():
        return "That button does not name a case; the digest may be out of date."
    try:
        return rt.set_aside.needs_answer(int(value), user, rt.steering).message
    except BridgeError as exc:
        return str(exc)
