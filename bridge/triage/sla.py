"""Response deadlines: when a case should be claimed and when its first answer is due.

Targets are minutes per platform (15 on X, 60 on Facebook unless the playbook says otherwise). With
opening hours they are counted in open minutes only: a mention at 19:55 on Friday with a desk open until
20:00 and again from 09:00 on Monday is due at 09:10 on Monday, whatever daylight saving did over the
weekend. A playbook without hours, or with ``sla.respect_hours: false``, counts on the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bridge.playbook.model import Playbook

#: A case should be claimed within this share of its first-response target (the reminder's moment).
CLAIM_SHARE_OF_SLA = 0.5


@dataclass(frozen=True)
class Deadlines:
    claim: datetime
    first_response: datetime
    reason: str


def _due(playbook: Playbook, received: datetime, minutes: float) -> datetime:
    hours = playbook.hours
    if hours is None or not playbook.sla.respect_hours:
        return received + timedelta(minutes=minutes)
    return hours.add_open_minutes(received, minutes)


def first_response_due(playbook: Playbook, platform: str, received: datetime) -> datetime:
    return _due(playbook, received, playbook.sla.first_response_for(platform))


def claim_due(playbook: Playbook, platform: str, received: datetime) -> datetime:
    return _due(playbook, received, playbook.sla.first_response_for(platform) * CLAIM_SHARE_OF_SLA)


def deadlines(playbook: Playbook, platform: str, received: datetime) -> Deadlines:
    """Both deadlines of a new case and the reason people read for them."""
    minutes = playbook.sla.first_response_for(platform)
    due = first_response_due(playbook, platform, received)
    hours = playbook.hours
    counted = hours is not None and playbook.sla.respect_hours
    if counted and hours is not None:
        when = hours.describe_moment(due)
        closed = due - received > timedelta(minutes=minutes, seconds=1)
        how = f"{minutes} open minutes on {platform}" + ("; the desk was closed" if closed else "")
    else:
        when = f"{due:%Y-%m-%d %H:%M} UTC"
        how = f"{minutes} minutes on {platform}"
    return Deadlines(claim_due(playbook, platform, received), due, f"first response due {when} ({how})")


__all__ = ["CLAIM_SHARE_OF_SLA", "Deadlines", "claim_due", "deadlines", "first_response_due"]
