"""Posting the digest of set-aside cases (:mod:`bridge.flow.set_aside`) in the social team's channel.

The digest goes out as notices with buttons through the chat platform's notice port (the one crisis
alerts use, :class:`bridge.crisis.ports.CrisisChat`), a few cases per notice so each case's words sit
next to its **Needs an answer** button on every platform. Customers' words are quotes: each adapter
renders them inert. A retried job does not post a notice twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import structlog

from bridge.crisis.ports import CrisisChat, Notice, NoticeButton
from bridge.domain.ports import ChatPlatform
from bridge.flow.set_aside import NEEDS_ANSWER, Digest, DigestEntry, SetAsideLedger
from bridge.playbook.homes import home
from bridge.playbook.model import Playbook
from bridge.store.cases import Store

__all__ = ["CASES_PER_NOTICE", "SetAsideDigest", "digest_notices"]

log = structlog.get_logger(__name__)
#: Both chat adapters show at most five quotes per notice.
CASES_PER_NOTICE = 5
QUOTE_MAX_CHARS = 400


def _quote(entry: DigestEntry) -> str:
    language = f", in {entry.language}" if entry.language and entry.language != "und" else ""
    return f"#{entry.number} from @{entry.author_handle} ({entry.why}{language}): {entry.text}"[
        :QUOTE_MAX_CHARS
    ]


def digest_notices(digest: Digest) -> list[Notice]:
    """The digest as notices of :data:`CASES_PER_NOTICE` cases each, the rest counted on the last."""
    since = f" since {digest.since:%H:%M} UTC" if digest.since else ""
    title = f"Set aside{since}: {digest.total} case{'s' if digest.total != 1 else ''}"
    chunks = [
        digest.entries[i : i + CASES_PER_NOTICE] for i in range(0, len(digest.entries), CASES_PER_NOTICE)
    ]
    notices = []
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        more = f"{digest.more} more set aside and not listed here." if last and digest.more else ""
        notices.append(
            Notice(
                title=title if index == 0 else f"{title} (continued)",
                text=(
                    "Triage set these aside without a card. If one asks something, click "
                    "Needs an answer: it goes to its department with its card."
                )
                if index == 0
                else "",
                quotes=tuple(_quote(e) for e in chunk),
                context=more,
                buttons=tuple(
                    NoticeButton(NEEDS_ANSWER, f"Needs an answer #{e.number}", str(e.number), "primary")
                    for e in chunk
                ),
                key=f"set_aside:{digest.until:%Y%m%d%H%M%S}:{index}",
            )
        )
    return notices


class SetAsideDigest:
    def __init__(
        self,
        store: Store,
        playbook: Callable[[], Playbook],
        chats: Mapping[str, ChatPlatform],
        ledger: SetAsideLedger,
    ) -> None:
        self.store = store
        self._playbook = playbook
        self.chats = chats
        self.ledger = ledger

    def run(self) -> str:
        """The job: post what was set aside since the last digest, if anything was."""
        due = self.ledger.due()
        digest = self.ledger.digest()
        if digest is None:
            return "not-yet"
        if not digest.entries:
            self.ledger.posted(list(digest.noted), digest.until)
            return "nothing"
        where = home(self._playbook().social_team(), self.chats)
        chat = self.chats.get(where[0]) if where else None
        if where is None or not isinstance(chat, CrisisChat):
            log.warning("set_aside_digest_nowhere", cases=digest.total)
            self.ledger.posted(list(digest.noted), digest.until)
            return "nowhere"
        run_id = (due or digest.until).isoformat()
        for index, notice in enumerate(digest_notices(digest)):
            if self.store.first_time(f"set-aside-digest:{run_id}:{index}"):
                chat.post_notice(where[1], notice)
        for entry in digest.entries:
            self.store.record(entry.number, "set_aside_listed", "bridge", channel=where[1])
        self.ledger.posted(list(digest.noted), digest.until)
        log.info("set_aside_digest_posted", listed=len(digest.entries), more=digest.more)
        return "posted"
