"""How long a platform lets the brand answer privately, and what the card says about it.

Meta allows one private reply to a public comment within 7 days of the comment, and answers to a
private message within 24 hours of the customer's message (then only ``HUMAN_AGENT``-tagged ones, for a
Page with that permission, up to 7 days). Other platforms set no window. The case's creation time is
the customer's message time; a follow-up is not counted, so the window shown is never longer than the
real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bridge.domain.model import Case

__all__ = ["PRIVATE_REPLY", "STANDARD_MESSAGING", "Window", "private_window", "window_label"]

PRIVATE_REPLY = timedelta(days=7)
STANDARD_MESSAGING = timedelta(hours=24)
HUMAN_AGENT = timedelta(days=7)
WINDOW_PLATFORMS = frozenset({"facebook", "instagram"})


@dataclass(frozen=True)
class Window:
    kind: str  # "private reply" (to a public comment) or "messaging" (a private message)
    closes_at: datetime
    open: bool
    human_agent_until: datetime | None = None  # a messaging window's tagged extension


def private_window(case: Case, now: datetime) -> Window | None:
    """The window for a private answer to ``case``; None where the platform sets none."""
    if case.platform not in WINDOW_PLATFORMS:
        return None
    if case.visibility == "direct":
        closes = case.created_at + STANDARD_MESSAGING
        return Window("messaging", closes, now < closes, case.created_at + HUMAN_AGENT)
    if case.mode == "private":
        return None  # the one private reply is out: the person answers in their inbox
    closes = case.created_at + PRIVATE_REPLY
    return Window("private reply", closes, now < closes)


def _span(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def window_label(case: Case, now: datetime) -> str:
    """The card's words, e.g. ``private reply possible for 6 d 23 h``; '' without a window."""
    window = private_window(case, now)
    if window is None:
        return ""
    if window.kind == "messaging":
        if window.open:
            return f"answer within {_span(window.closes_at - now)} (24-hour messaging window)"
        until = window.human_agent_until
        if until is not None and now < until:
            return (
                "24-hour messaging window closed: only a HUMAN_AGENT answer, where the Page has it, "
                f"for {_span(until - now)}"
            )
        return "messaging window closed: Meta no longer lets the Page answer this message"
    if window.open:
        return f"private reply possible for {_span(window.closes_at - now)}"
    return "private reply window closed (7 days after the comment)"
