"""Response deadlines: when the first answer to a case is due."""

from __future__ import annotations

from datetime import datetime, timedelta

from bridge.playbook import Playbook


def first_response_due(playbook: Playbook, platform: str, received: datetime) -> datetime:
    return received + timedelta(minutes=playbook.sla.first_response_for(platform))
