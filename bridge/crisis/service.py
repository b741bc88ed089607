"""Crisis mode, built once per process: detection, alerts, folding, incidents, statement, bulk replies.

The runtime holds one :class:`Crisis`; ingest calls :meth:`Crisis.observe` for every new case, jobs
and chat listeners reach the parts through it. Nothing here keeps state in the process: everything
lives in Redis, so any web process or worker can pick up where another stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bridge.crisis.alerts import AlertBook
from bridge.crisis.board import Board
from bridge.crisis.budget import PostingBudget
from bridge.crisis.bulk import BulkReplies
from bridge.crisis.folding import MassCards
from bridge.crisis.incident import IncidentBook
from bridge.crisis.leadership import LeadershipDesk
from bridge.crisis.monitor import CrisisMonitor
from bridge.crisis.parts import CrisisParts
from bridge.crisis.ports import CrisisDispatch
from bridge.crisis.statement import StatementPoster
from bridge.domain.clock import Clock
from bridge.domain.model import Case, Mention
from bridge.domain.ports import ChatPlatform
from bridge.domain.work import Dispatch
from bridge.flow.outlets import Outlets
from bridge.flow.posting import Poster
from bridge.playbook.model import Playbook
from bridge.store.cases import Store

__all__ = ["Crisis"]


class Crisis:
    def __init__(
        self,
        store: Store,
        playbook: Callable[[], Playbook],
        clock: Clock,
        chats: Mapping[str, ChatPlatform],
        outlets: Outlets,
        *,
        dispatch: CrisisDispatch,
        case_dispatch: Dispatch,
        poster: Poster,
    ) -> None:
        """``dispatch`` queues crisis jobs; ``case_dispatch`` and ``poster`` are the case services
        that bulk replies use: refreshing a case's card, posting each reply exactly once."""
        self.dispatch = dispatch
        self.alerts = AlertBook(store, clock.now)
        self.incidents = IncidentBook(store, clock.now)
        # one budget per posting account: the statement and the bulk replies share X's limit
        budget = PostingBudget(store.r, store.k("crisis", "budget", "x"), clock)
        parts = CrisisParts(store, playbook, self.alerts, self.incidents, self.dispatch, clock)
        self.folding = MassCards(parts, chats)
        self.bulk = BulkReplies(parts, poster, budget, case_dispatch)
        self.statement = StatementPoster(parts, outlets, budget)
        previews = {"statement": self.statement.preview_notice, "bulk": self.bulk.preview_notice}
        self.board = Board(parts, self.folding, chats, previews)
        self.monitor = CrisisMonitor(parts, self.folding, self.bulk)
        self.leadership = LeadershipDesk(parts, self.bulk)

    def observe(self, mention: Mention, case: Case, number: int) -> bool:
        """Feed detection with a new case; True when the case joins a mass-issue card (no own card)."""
        return self.monitor.observe(mention, case, number)
