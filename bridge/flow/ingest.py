"""From a mention to a triaged, routed case, exactly once per post.

The same post seen twice (overlapping polls, a restart, a replayed page) finds its existing case; only
the first sighting creates a case. What the case becomes is decided in :mod:`bridge.triage.decision`:
``respond`` gets a card in its department's channel, ``monitor`` a card in the social team's channel,
``noise`` and ``ignore`` are recorded (state ``ignored``, with their reasons in the audit) without a card.
Such a case still gets its card if a person later reopens it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

import structlog

from bridge.domain.clock import Clock
from bridge.domain.lifecycle import Action, State
from bridge.domain.model import Case, Mention
from bridge.domain.ports import CrisisHook
from bridge.domain.work import Dispatch
from bridge.flow.followups import FollowUps
from bridge.flow.set_aside import SetAsideLedger
from bridge.playbook.homes import home
from bridge.playbook.model import Playbook
from bridge.store.cases import Store
from bridge.triage.decision import Decision, decide
from bridge.triage.triager import Verdict

__all__ = ["CARDLESS_FIELD", "Ingested", "Ingestor", "take_late_card"]

log = structlog.get_logger(__name__)

#: A field on the case hash while triage has left the case without a card (see :func:`take_late_card`).
CARDLESS_FIELD = "cardless"


@dataclass(frozen=True)
class Ingested:
    number: int | None  # None when the mention was skipped (our own post)
    created: bool
    reason: str = ""


def take_late_card(store: Store, number: int) -> bool:
    """True exactly once for a case triage left without a card: a person now wants it on a channel."""
    return bool(store.r.hdel(store.k("case", number), CARDLESS_FIELD))


class Ingestor:
    def __init__(
        self,
        store: Store,
        playbook: Callable[[], Playbook],
        dispatch: Dispatch,
        clock: Clock,
        *,
        followups: FollowUps,
        chats: Collection[str],
        crisis: CrisisHook | None = None,
        set_aside: SetAsideLedger | None = None,
        answers: Callable[[Mention], object] | None = None,
    ) -> None:
        """``chats`` names the running chat platforms (a live view: they may be added later);
        ``crisis`` is fed every new case when crisis mode runs; ``set_aside`` notes each case triage
        sets aside, for the digest that keeps it visible; ``answers`` may take a mention as something
        else first (a survey's answer, where private messages arrive as mentions): then it makes no case."""
        self.store = store
        self._playbook = playbook
        self.dispatch = dispatch
        self.clock = clock
        self.followups = followups
        self.chats = chats
        self.crisis = crisis
        self.set_aside = set_aside
        self.answers = answers or (lambda _mention: None)

    def ingest(self, mention: Mention, *, unseen: bool = False, new_author: bool = False) -> Ingested:
        """``unseen``: the caller has just found that the post has no case (a poll looks up its whole
        page in one command, :meth:`Store.cases_for_posts`); creating the case checks again.
        ``new_author``: and that its author has no case in the follow-up index, this being their
        first post in the page (the index is not read again)."""
        playbook = self._playbook()
        if playbook.accounts.is_ours(mention.platform, mention.author.id, mention.author.handle):
            return Ingested(None, False, "our own post")
        existing = None if unseen else self.store.case_for_post(mention.platform, mention.post_id)
        if existing is not None:
            return Ingested(existing, False, "already a case")
        if self.answers(mention) is not None:
            return Ingested(None, False, "an answer to a survey")
        joined = self.followups.attach(mention, new_author=new_author)  # writing again joins the open case
        if joined is not None:
            return Ingested(joined, False, "follow-up to an open case")
        decision = decide(playbook, mention, self.clock.now())
        case = self._case(playbook, mention, decision)
        # the case, what triage saw, where it went and its author's index: one step, one round trip
        number, created = self.store.create_case_once(
            case, then=_audit(decision), index=self.followups.author_index(mention)
        )
        if not created:
            return Ingested(number, False, "already a case")
        case.number = number
        self._first_state(number, decision)
        folded = False
        if decision.triage.verdict is not Verdict.IGNORE and self.crisis is not None:
            # feed crisis detection; a case folded into a mass-issue card gets no card of its own
            folded = self.crisis.observe(mention, case, number)
        if decision.gets_card and not folded:
            self.dispatch.post_card(number)
        elif not decision.gets_card:
            self.store.set_fields(number, {CARDLESS_FIELD: "1"})
        if decision.state == State.IGNORED and self.set_aside is not None:
            self.set_aside.note(number)
        if decision.acknowledge:
            self.dispatch.out_of_hours_ack(number)
        log.debug("ingested", case=number, verdict=decision.verdict, department=decision.department)
        return Ingested(number, True, decision.verdict)

    def _case(self, playbook: Playbook, mention: Mention, decision: Decision) -> Case:
        triage = decision.triage
        department = playbook.departments[decision.department]
        first_home = home(department, self.chats or None) or ("", "")
        due = decision.deadlines
        return Case(
            number=0,
            state=State.ROUTED if decision.state == State.ROUTED else State.TRIAGED,
            platform=mention.platform,
            post_id=mention.post_id,
            text=mention.text,
            author_id=mention.author.id,
            author_handle=mention.author.handle,
            author_name=mention.author.name,
            author_followers=mention.author.followers,
            post_url=mention.url,
            created_at=mention.created_at,
            ingested_at=self.clock.now(),
            account=mention.account,
            lang=triage.language,
            conversation_id=mention.conversation_id or "",
            visibility=mention.visibility,
            author_url=mention.author_url,
            on_post=mention.on_post,
            on_post_url=mention.on_post_url,
            department=decision.department,
            verdict=triage.verdict.value,
            kind=triage.kind.value,
            priority=triage.priority.value,
            sentiment=triage.sentiment,
            polarity=triage.polarity.value,
            needs=list(triage.needs),
            tags=list(triage.tags),
            reasons=list(decision.reasons),
            sla_due=due.first_response if due else None,
            claim_due=due.claim if due else None,
            reply_account=decision.reply_account,
            template=decision.template,
            # where the card will go: the department's channel in a running chat (a mass-issue card
            # may fold the case before it has a card of its own, so this must already be right)
            chat=first_home[0],
            channel=first_home[1],
        )

    def _first_state(self, number: int, decision: Decision) -> None:
        """A case triage did not route moves into its first state (watched, or set aside)."""
        if decision.state == State.MONITORING:
            self.store.transition(number, Action.MONITOR, "bridge", detail={"reason": decision.reasons[0]})
        elif decision.state != State.ROUTED:
            self.store.transition(
                number,
                Action.IGNORE,
                "bridge",
                values={"ignore_reason": decision.ignore_reason[:500]},
                detail={"reason": decision.ignore_reason[:500]},
            )


def _audit(decision: Decision) -> list[tuple[str, str, Mapping[str, object]]]:
    """The audit of a new case after "ingested": what triage saw, and for a routed case where it went."""
    triage = decision.triage
    triaged: dict[str, object] = {
        "verdict": triage.verdict.value,
        "kind": triage.kind.value,
        "priority": triage.priority.value,
        "sentiment": triage.sentiment if triage.sentiment_known else "unknown",
        "polarity": triage.polarity.value,
        "language": triage.language,
        "needs": ",".join(triage.needs),
        "tags": ",".join(triage.tags),
        "reasons": "; ".join(triage.reasons),
    }
    entries: list[tuple[str, str, Mapping[str, object]]] = [("triaged", "bridge", triaged)]
    if decision.state == State.ROUTED:
        routed = {"department": decision.department, "reasons": "; ".join(decision.routing.reasons)}
        entries.append(("routed", "bridge", routed))
    return entries
