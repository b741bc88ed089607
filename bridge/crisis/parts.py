"""What every crisis service works with, handed over once instead of argument by argument.

The alert board, mass cards, bulk replies, the monitor, the leadership desk and the statement poster
all read the same store, playbook, alert and incident books, job dispatch and clock; each adds only
what is its own (chats, outlets, the posting budget, one another).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bridge.crisis.alerts import AlertBook
from bridge.crisis.incident import IncidentBook
from bridge.crisis.ports import CrisisDispatch
from bridge.domain.clock import Clock
from bridge.playbook.model import Playbook
from bridge.store.cases import Store

__all__ = ["CrisisParts", "CrisisService"]


@dataclass(frozen=True)
class CrisisParts:
    store: Store
    playbook: Callable[[], Playbook]
    alerts: AlertBook
    incidents: IncidentBook
    dispatch: CrisisDispatch
    clock: Clock


class CrisisService:
    """Base of the crisis services: the shared parts as the attributes they have always used."""

    def __init__(self, parts: CrisisParts) -> None:
        self.store = parts.store
        self.r = parts.store.r
        self._playbook = parts.playbook
        self.alerts = parts.alerts
        self.incidents = parts.incidents
        self.dispatch = parts.dispatch
        self.clock = parts.clock
