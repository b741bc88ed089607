"""Telling the person who clicked what the bridge said, for every Bolt listener of the bridge.

What the core refuses (a :class:`~bridge.domain.errors.BridgeError`) and a dialog Slack would not open
(an expired trigger: a :class:`~slack_sdk.errors.SlackApiError`) are told to the person privately; Slack
still gets its 200, since a server error would only make it show "something went wrong".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from slack_sdk.errors import SlackApiError

from adapters.slack.payloads import channel_of, user_of
from bridge.app.runtime import Runtime
from bridge.domain.errors import BridgeError

log = structlog.get_logger(__name__)
DIALOG_NOT_OPENED = "Slack did not open the dialog; please click the button again."


def tell(rt: Runtime, body: dict[str, Any], text: str, *, unshown: str = "refusal_not_shown") -> None:
    """Say ``text`` privately to the person who clicked, where they clicked; when the payload names no
    channel or person, log it as ``unshown`` instead."""
    channel, user = channel_of(body), user_of(body)
    if channel and user:
        rt.dispatch.tell("slack", channel, user, text)
    else:
        log.info(unshown, text=text)


def guarded(
    rt: Runtime, body: dict[str, Any], action: Callable[[], object], *, unshown: str = "refusal_not_shown"
) -> None:
    """Run ``action``; a refusal, or a dialog Slack would not open, is told to the person who clicked
    (see :func:`tell` for ``unshown``)."""
    try:
        action()
    except BridgeError as exc:
        tell(rt, body, str(exc), unshown=unshown)
    except SlackApiError as exc:  # a dialog Slack would not open (an expired trigger …)
        log.warning("slack_dialog_not_opened", error=exc.response.get("error"))
        tell(rt, body, DIALOG_NOT_OPENED, unshown=unshown)
