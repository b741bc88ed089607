"""A customer writing again joins their open case instead of opening a new one.

A reply to our reply, a post in the conversation the case started, or a new mention from the same
author while their case is not yet resolved: each appears in the case's thread, and a case that was
already answered is reopened so someone claims it again.
"""

from __future__ import annotations

from bridge.domain.lifecycle import Action, State
from bridge.domain.model import Mention
from bridge.domain.ports import DirectMessage
from bridge.domain.work import Dispatch
from bridge.store.cases import Store

__all__ = ["AUTHOR_INDEX_SECONDS", "CLOSED", "DM_SEEN_SECONDS", "FollowUps"]

CLOSED = frozenset({State.RESOLVED, State.IGNORED})
AUTHOR_INDEX_SECONDS = 30 * 86_400
DM_SEEN_SECONDS = 30 * 86_400


class FollowUps:
    def __init__(self, store: Store, dispatch: Dispatch) -> None:
        self.store = store
        self.dispatch = dispatch

    def author_index(self, mention: Mention) -> tuple[str, int]:
        """The key that indexes a new case by its author, so their next mention can find it, and for
        how many seconds (written with the case: :meth:`Store.create_case_once`)."""
        return self.store.k("author", mention.platform, mention.author.id), AUTHOR_INDEX_SECONDS

    def remember_reply(self, number: int, platform: str, reply_id: str) -> None:
        self.store.r.set(self.store.k("ours", platform, reply_id), number)

    def _lookup(self, *parts: str) -> int | None:
        raw = self.store.r.get(self.store.k(*parts))
        return int(raw) if raw else None

    def find(self, mention: Mention, *, new_author: bool = False) -> int | None:
        """The open case this mention continues, if any; ``new_author``: the caller has just found
        that the author has no case in the index (see :meth:`Ingestor.ingest`)."""
        candidates = []
        if mention.in_reply_to:
            candidates.append(self._lookup("ours", mention.platform, mention.in_reply_to))
            candidates.append(self.store.case_for_post(mention.platform, mention.in_reply_to))
        if mention.conversation_id and mention.conversation_id != mention.post_id:
            candidates.append(self.store.case_for_post(mention.platform, mention.conversation_id))
        if not new_author:
            candidates.append(self._lookup("author", mention.platform, mention.author.id))
        for number in candidates:
            if number is None or not self.store.exists(number):
                continue
            case = self.store.get(number)
            if case.author_id == mention.author.id and case.state not in CLOSED:
                return number
        return None

    def attach_direct_message(self, message: DirectMessage) -> int | None:
        """A customer's direct message joins their case if it was moved to private messages."""
        number = self._lookup("author", message.platform, message.sender_id)
        if number is None or not self.store.exists(number):
            return None
        case = self.store.get(number)
        if case.mode != "private" or case.state in CLOSED:
            return None
        if not self.store.first_time(f"dm:{message.platform}:{message.id}", DM_SEEN_SECONDS):
            return number
        self.store.record(
            number, "customer_dm", case.author_handle, dm_id=message.id, text=message.text[:2000]
        )
        if case.state == State.POSTED:
            self.store.transition(number, Action.GO_PRIVATE, "bridge")
        self.dispatch.thread_notice(number, f"@{case.author_handle} wrote privately:", quote=message.text)
        self.dispatch.refresh_card(number)
        return number

    def attach(self, mention: Mention, *, new_author: bool = False) -> int | None:
        """Join ``mention`` to its open case; returns the case number, or None for a new concern."""
        number = self.find(mention, new_author=new_author)
        if number is None:
            return None
        claimed = self.store.r.set(self.store.k("post", mention.platform, mention.post_id), number, nx=True)
        if not claimed:
            return number  # seen before: already in the thread
        case = self.store.get(number)
        self.store.set_fields(number, {"reply_to": mention.post_id})
        self.store.record(
            number,
            "customer_follow_up",
            mention.author.handle,
            post_id=mention.post_id,
            text=mention.text[:2000],
        )
        if case.state == State.POSTED:
            self.store.transition(
                number, Action.REOPEN, "bridge", values={"claimant": None, "claimed_at": None}
            )
            owner = f" <@{case.claimant}> answered last time." if case.claimant else ""
            note = (
                f"Reopened: @{case.author_handle} wrote again after our answer ({mention.url})."
                f"{owner} They said:"
            )
        else:
            note = f"@{case.author_handle} wrote again ({mention.url}):"
        self.dispatch.thread_notice(number, note, quote=mention.text)
        self.dispatch.refresh_card(number)
        return number
