"""Keeping chat in step with cases: post the card, refresh it, preview drafts, post thread notices.

These run in workers. A card whose department moved to another channel is marked as moved and a new
card appears where the case now lives, so every channel shows the truth.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import structlog

from bridge.desk.cardview import card_view
from bridge.desk.desk import Desk
from bridge.domain.errors import CardNotPostedYet, Rejected
from bridge.domain.lifecycle import FINISHED_STATES
from bridge.domain.model import Case, MessageRef
from bridge.domain.ports import ChatPlatform, DraftPreview
from bridge.flow.escalation import Escalation
from bridge.flow.ingest import take_late_card
from bridge.playbook.homes import channels_of, home
from bridge.playbook.model import Playbook
from bridge.store.cases import Store
from bridge.text.answer_length import answer_length

__all__ = ["ChatUpdates"]


log = structlog.get_logger(__name__)


class ChatUpdates:
    def __init__(
        self,
        store: Store,
        playbook: Callable[[], Playbook],
        chats: Mapping[str, ChatPlatform],
        desk: Desk,
        escalation: Escalation,
        customer_histories: Callable[[Sequence[Case]], list[tuple[str, str]]] | None = None,
    ) -> None:
        """``customer_histories`` says in a line what each customer's earlier cases were (from the
        case history), for several new cards at once; the new card shows it."""
        self.store = store
        self._playbook = playbook
        self.chats = chats
        self.desk = desk
        self.escalation = escalation  # the SLA timers start with the card
        self.customer_histories = customer_histories

    def _with_history(self, case: Case) -> Case:
        """The case with its customer-history line, looked up once, before its first card."""
        return self.with_histories([case])[0] if not case.customer_history else case

    def with_histories(self, cases: Sequence[Case]) -> list[Case]:
        """The cases with their customer-history lines, looked up together (a batch of first cards).
        The cards go up without them when the history cannot answer: a card is never held up by a
        report."""
        if self.customer_histories is None or not cases:
            return list(cases)
        try:
            found = self.customer_histories(cases)
        except Exception:  # the history is another database: its outage must not stop cards
            log.warning("customer_history_unavailable", cases=[c.number for c in cases], exc_info=True)
            return list(cases)
        for case, (line, url) in zip(cases, found, strict=True):
            if line:
                self.store.set_fields(case.number, {"customer_history": line, "customer_history_url": url})
                case.customer_history, case.customer_history_url = line, url
        return list(cases)

    def _home(self, case: Case) -> tuple[str, str] | None:
        """The chat and channel where the case's department works now, among the chat platforms this
        deployment runs (a department may name channels in both); None when it has none of them."""
        department = self._playbook().departments.get(case.department)
        if department is None:
            return (case.chat, case.channel) if case.chat in self.chats else None
        return home(department, self.chats, current=case.chat)

    def _no_home(self, case: Case) -> str:
        """Why a case has no home, in words an operator can act on."""
        department = self._playbook().departments.get(case.department)
        named = " and ".join(f"a {chat}_channel" for chat in channels_of(department)) if department else ""
        running = " and ".join(sorted(self.chats)) or "no chat platform"
        return f"department {case.department} has {named or 'no channel'}, but this bridge runs {running}"

    def post_card(self, number: int, case: Case | None = None, *, history_read: bool = False) -> MessageRef:
        """The case's card in its department's channel (a refresh when it has one); ``case`` is the
        case as just read, when the caller has it, which saves reading it again; ``history_read``
        when its customer history was looked up already (:meth:`with_histories`)."""
        case = case if case is not None else self.store.get(number)
        if case.card is not None:
            self.refresh_card(number)
            return case.card
        where = self._home(case)
        if where is None:
            raise Rejected(f"{case.ref} cannot be posted: {self._no_home(case)}.")
        chat_name, channel = where
        case = case if history_read else self._with_history(case)
        ref = self.chats[chat_name].post_card(channel, card_view(case))
        if self.store.card_up(number, ref):  # the SLA timers start with the first card
            self.escalation.schedule(number, case)
        return ref

    def card_refused(self, number: int, reason: str) -> None:
        """A card the chat platform refused for good: say so in the audit and the log, and still
        start the SLA timers, whose alert to the social team is how people hear of the case."""
        log.error("card_refused", case=number, reason=reason)
        self.store.record(number, "card_refused", "bridge", error=reason)
        self._start_timers(number)

    def _start_timers(self, number: int) -> None:
        """The case's SLA timers, once, whether its card went up or was refused."""
        if self.store.timers_start(number):
            self.escalation.schedule(number)

    def refresh_card(self, number: int, case: Case | None = None) -> None:
        """Redraw case ``number``'s card (``case``: the case as just read, by a batch of redraws)."""
        case = case or self.store.get(number)
        card = case.card
        if card is None:
            if case.state not in FINISHED_STATES and take_late_card(self.store, number):
                self.post_card(number)  # triage left it without a card; a person has brought it back
                return
            raise CardNotPostedYet(f"case #{number} has no card yet")
        where = self._home(case)
        if where is None:
            self._stay(case, card)
            return
        if where != (card.chat, card.channel):
            self._move(case, card)
            return
        self.chats[card.chat].update_card(card, card_view(case))

    def _stay(self, case: Case, card: MessageRef) -> None:
        """The case went to a department with no channel in a chat platform this bridge runs: its
        card stays where people can see it, updated, and its thread says why (once per department)."""
        chat = self.chats.get(card.chat)
        if chat is None:
            raise Rejected(f"{case.ref} cannot be shown: {self._no_home(case)}.")
        chat.update_card(card, card_view(case))
        if self.store.first_time(f"homeless:{case.number}:{case.department}"):
            chat.post_in_thread(card, f"{case.ref} stays here: {self._no_home(case)}.")
            log.warning("case_without_chat_home", case=case.number, department=case.department)

    def _move(self, case: Case, old: MessageRef) -> None:
        chat = self.chats.get(old.chat)
        if chat is not None:  # the old card's platform may no longer run here: nothing to mark then
            chat.update_card(old, card_view(case))
            chat.post_in_thread(old, f"{case.ref} moved to {case.department}.")
        self.store.set_fields(case.number, {"card_ts": ""})
        new = self.post_card(case.number)
        self.store.record(
            case.number, "card_moved", "bridge", from_channel=old.channel, to_channel=new.channel
        )

    def preview(self, number: int, version: int, case: Case | None = None) -> DraftPreview:
        """A draft version as every chat shows it for sign-off (Teams also rebuilds it on refresh)."""
        case = case or self.store.get(number)
        draft = self.desk.get_draft(number, version)
        length = answer_length(case, draft.text)
        department = self._playbook().departments.get(case.department)
        return DraftPreview(
            number=number,
            version=version,
            text=draft.text,
            author=draft.author,
            length_label=length.describe(),
            can_approve=length.valid,
            approvers=tuple(department.approvers if department else ()),
        )

    def post_preview(self, number: int, version: int) -> None:
        case = self.store.get(number)
        if case.card is None:
            raise CardNotPostedYet(f"case #{number} has no card yet")
        ref = self.chats[case.card.chat].post_preview(case.card, self.preview(number, version, case))
        self.store.link_message(ref, number)

    def thread_notice(self, number: int, text: str, quote: str = "") -> None:
        case = self.store.get(number)
        if case.card is None:
            raise CardNotPostedYet(f"case #{number} has no card yet")
        self.chats[case.card.chat].post_in_thread(case.card, text, quote)

    def tell(self, chat: str, channel: str, user: str, text: str) -> None:
        self.chats[chat].tell(channel, user, text)
