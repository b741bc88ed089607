"""The digest's **Needs an answer** button in Slack: a click in, :meth:`SetAsideLedger.needs_answer`
out, and what the core said told to the person who clicked (a refusal included), never raised to Bolt."""

from __future__ import annotations

from typing import Any

import structlog
from slack_bolt import Ack, App

from adapters.slack.crisis_cards import ACTION_PREFIX
from bridge.app.runtime import Runtime
from bridge.domain.errors import BridgeError, NotAllowed
from bridge.flow.set_aside import NEEDS_ANSWER

__all__ = ["NEEDS_ANSWER_ACTION", "register_set_aside"]

log = structlog.get_logger(__name__)
#: The digest is a notice (adapters.slack.crisis_cards renders it), so its button carries that prefix.
NEEDS_ANSWER_ACTION = ACTION_PREFIX + NEEDS_ANSWER


def _case_number(value: str) -> int:
    try:
        return int(value.lstrip("#"))
    except ValueError:
        raise NotAllowed("That button does not name a case; the digest may be out of date.") from None


def register_set_aside(app: App, rt: Runtime) -> None:
    """Attach the listener for the digest's button (one line in ``adapters.slack.app``)."""

    @app.action(NEEDS_ANSWER_ACTION)
    def _needs_answer(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        user = str((body.get("user") or {}).get("id") or "")
        channel = str(
            (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
        )
        value = str(body["actions"][0].get("value") or "")
        try:
            text = rt.set_aside.needs_answer(_case_number(value), user, rt.steering).message
        except BridgeError as exc:
            text = str(exc)
        if channel and user:
            rt.dispatch.tell("slack", channel, user, text)
        else:
            log.info("needs_answer_not_shown", text=text)
