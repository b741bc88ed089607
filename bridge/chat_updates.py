"""Keeping chat in step with cases: post the card, refresh it, preview drafts, post thread notices.

These run in workers. A card whose department moved to another channel is marked as moved and a new
card appears where the case now lives, so every channel shows the truth.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bridge.answer_length import answer_length
from bridge.cardview import card_view
from bridge.desk import Desk
from bridge.escalation import Escalation
from bridge.ingest import take_late_card
from bridge.lifecycle import FINISHED_STATES
from bridge.model import Case, MessageRef
from bridge.playbook import Playbook
from bridge.ports import ChatPlatform, DraftPreview
from bridge.store import Store


class CardNotPostedYet(RuntimeError):
    """A thread update arrived before its card exists; the job is retried shortly."""


class ChatUpdates:
    def __init__(
        self,
        store: Store,
        playbook: Callable[[], Playbook],
        chats: Mapping[str, ChatPlatform],
        desk: Desk,
    ) -> None:
        self.store = store
        self._playbook = playbook
        self.chats = chats
        self.desk = desk
        self.escalation: Escalation | None = None  # set by the runtime; timers start with the card

    def _home(self, case: Case) -> tuple[str, str]:
        """The chat and channel where the case's department works now."""
        department = self._playbook().departments.get(case.department)
        if department is None:
            return case.chat, case.channel
        if case.chat == "teams" and department.teams_channel:
            return "teams", department.teams_channel
        if department.slack_channel:
            return "slack", department.slack_channel
        return "teams", department.teams_channel or ""

    def post_card(self, number: int) -> MessageRef:
        case = self.store.get(number)
        if case.card is not None:
            self.refresh_card(number)
            return case.card
        chat_name, channel = self._home(case)
        ref = self.chats[chat_name].post_card(channel, card_view(case))
        self.store.set_fields(number, {"chat": ref.chat, "channel": ref.channel, "card_ts": ref.ts})
        self.store.link_message(ref, number)
        self.store.record(number, "card_posted", "bridge", chat=ref.chat, channel=ref.channel, ts=ref.ts)
        if self.escalation is not None and self.store.first_time(f"sla-timers:{number}"):
            self.escalation.schedule(number)
        return ref

    def refresh_card(self, number: int) -> None:
        case = self.store.get(number)
        card = case.card
        if card is None:
            if case.state not in FINISHED_STATES and take_late_card(self.store, number):
                self.post_card(number)  # triage left it without a card; a person has brought it back
                return
            raise CardNotPostedYet(f"case #{number} has no card yet")
        chat_name, channel = self._home(case)
        if (chat_name, channel) != (card.chat, card.channel):
            self._move(case, card)
            return
        self.chats[card.chat].update_card(card, card_view(case))

    def _move(self, case: Case, old: MessageRef) -> None:
        chat = self.chats[old.chat]
        chat.update_card(old, card_view(case))
        chat.post_in_thread(old, f"{case.ref} moved to {case.department}.")
        self.store.set_fields(case.number, {"card_ts": ""})
        new = self.post_card(case.number)
        self.store.record(
            case.number, "card_moved", "bridge", from_channel=old.channel, to_channel=new.channel
        )

    def post_preview(self, number: int, version: int) -> None:
        case = self.store.get(number)
        if case.card is None:
            raise CardNotPostedYet(f"case #{number} has no card yet")
        draft = self.desk.get_draft(number, version)
        length = answer_length(case, draft.text)
        department = self._playbook().departments.get(case.department)
        preview = DraftPreview(
            number=number,
            version=version,
            text=draft.text,
            author=draft.author,
            length_label=length.describe(),
            can_approve=length.valid,
            approvers=tuple(department.approvers if department else ()),
        )
        ref = self.chats[case.card.chat].post_preview(case.card, preview)
        self.store.link_message(ref, number)

    def thread_notice(self, number: int, text: str, quote: str = "") -> None:
        case = self.store.get(number)
        if case.card is None:
            raise CardNotPostedYet(f"case #{number} has no card yet")
        self.chats[case.card.chat].post_in_thread(case.card, text, quote)

    def tell(self, chat: str, channel: str, user: str, text: str) -> None:
        self.chats[chat].tell(channel, user, text)
