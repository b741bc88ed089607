"""Crisis buttons, the same on every chat platform: what a button's value names, which notice it sits
on, and which :class:`~bridge.crisis.leadership.LeadershipDesk` call pressing it makes.

:mod:`bridge.crisis.views` writes the buttons (``NoticeButton.action`` and ``value``); each chat
adapter maps its own payload to :func:`press` (or, for the edit buttons, to the desk's
``current_text``/``edit``) and tells the person what comes back. One table here keeps Slack and Teams
from drifting apart on what a click does.
"""

from __future__ import annotations

from collections.abc import Callable

from bridge.crisis.leadership import LeadershipDesk
from bridge.domain.errors import MalformedButton

__all__ = ["ACTIONS", "EDITS", "NOTICE_OF", "PRESSES", "Press", "button_ids", "press"]

#: The notice each button sits on: the alert, or one version of the statement or of the bulk reply.
NOTICE_OF = {
    "ack": "alert",
    "start_incident": "alert",
    "dismiss": "alert",
    "approve_statement": "statement",
    "edit_statement": "statement",
    "approve_bulk": "bulk",
    "edit_bulk": "bulk",
}
ACTIONS = tuple(NOTICE_OF)
#: The buttons that open an editor instead of acting at once, and what they edit.
EDITS = {"edit_statement": "statement", "edit_bulk": "bulk"}

Press = Callable[[LeadershipDesk, int, int, str], str]
#: (desk, alert or incident id, version, user) → what to tell the person who pressed.
PRESSES: dict[str, Press] = {
    "ack": lambda desk, alert, _version, user: desk.acknowledge(alert, user),
    "dismiss": lambda desk, alert, _version, user: desk.dismiss(alert, user),
    "start_incident": lambda desk, alert, _version, user: desk.start_incident(alert, user),
    "approve_statement": lambda desk, incident, version, user: desk.approve(
        incident, "statement", version, user
    ),
    "approve_bulk": lambda desk, incident, version, user: desk.approve(incident, "bulk", version, user),
}


def button_ids(value: str) -> tuple[int, int]:
    """``"3"`` → (3, 0): an alert; ``"3:2"`` → (3, 2): an incident and a version."""
    first, _, second = value.partition(":")
    try:
        return int(first), int(second or 0)
    except ValueError:
        raise MalformedButton(
            "That button does not name an alert or incident; the message may be out of date."
        ) from None


def press(desk: LeadershipDesk, action: str, value: str, user: str) -> str:
    """Do what the ``action`` button does; the text is for the person who pressed it, and a refusal
    raises :class:`NotAllowed` saying who may."""
    act = PRESSES.get(action)
    if act is None:
        raise MalformedButton(f"There is no crisis button {action!r} that acts at once.")
    first, second = button_ids(value)
    return act(desk, first, second, user)
