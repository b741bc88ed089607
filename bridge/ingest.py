"""From a mention to a routed case, exactly once per post.

The same post seen twice (overlapping polls, a restart, a replayed page) finds its existing case; only
the first sighting creates a case and asks for a card.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bridge.clock import Clock
from bridge.dispatch import Dispatcher
from bridge.followups import FollowUps
from bridge.lifecycle import State
from bridge.model import Case, Mention
from bridge.playbook import Playbook
from bridge.routing import route
from bridge.sla import first_response_due
from bridge.store import Store


@dataclass(frozen=True)
class Ingested:
    number: int | None  # None when the mention was skipped (our own post)
    created: bool
    reason: str = ""


class Ingestor:
    def __init__(
        self, store: Store, playbook: Callable[[], Playbook], dispatch: Dispatcher, clock: Clock
    ) -> None:
        self.store = store
        self._playbook = playbook
        self.dispatch = dispatch
        self.clock = clock
        self.followups: FollowUps | None = None  # set by the runtime

    def _own_account(self, mention: Mention, playbook: Playbook) -> bool:
        x = playbook.accounts.x
        return mention.platform == "x" and x is not None and mention.author.id == x.user_id

    def ingest(self, mention: Mention) -> Ingested:
        playbook = self._playbook()
        if self._own_account(mention, playbook):
            return Ingested(None, False, "our own post")
        existing = self.store.case_for_post(mention.platform, mention.post_id)
        if existing is not None:
            return Ingested(existing, False, "already a case")
        if self.followups is not None:  # the customer writing again joins their open case
            joined = self.followups.attach(mention)
            if joined is not None:
                return Ingested(joined, False, "follow-up to an open case")
        decision = route(playbook, mention.text)
        department = playbook.departments[decision.department]
        now = self.clock.now()
        case = Case(
            number=0,
            state=State.ROUTED,
            platform=mention.platform,
            post_id=mention.post_id,
            text=mention.text,
            author_id=mention.author.id,
            author_handle=mention.author.handle,
            author_name=mention.author.name,
            author_followers=mention.author.followers,
            post_url=mention.url,
            created_at=mention.created_at,
            ingested_at=now,
            account=mention.account,
            lang=mention.lang or "",
            conversation_id=mention.conversation_id or "",
            department=decision.department,
            reasons=list(decision.reasons),
            sla_due=first_response_due(playbook, mention.platform, mention.created_at),
            chat="slack" if department.slack_channel else "teams",
            channel=department.slack_channel or department.teams_channel or "",
        )
        number, created = self.store.create_case_once(case)
        if created and self.followups is not None:
            self.followups.remember(number, mention)
        if created:
            self.store.record(
                number,
                "routed",
                "bridge",
                department=decision.department,
                reasons="; ".join(decision.reasons),
            )
            self.dispatch.post_card(number)
        return Ingested(number, created)
