"""Mastodon as a social platform: mention notifications in, threaded replies out, through Mastodon.py.

Replies keep the conversation's visibility (a direct mention is answered directly, a followers-only
one stays followers-only) and its content warning, and name the customer (``@acct``) so the
instance delivers them. Status HTML becomes plain text (:mod:`adapters.mastodon.text`) before it
reaches a case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from urllib.parse import quote

import structlog
from mastodon import Mastodon, MastodonNotFoundError

from adapters.mastodon.errors import translate
from adapters.mastodon.streaming import MentionStream
from adapters.mastodon.text import plain_text
from bridge.domain.errors import PlatformError, Rejected
from bridge.domain.model import Author, Mention, PostRef
from bridge.domain.ports import DirectMessage, MentionBatch, PostEngagement
from bridge.text.answer_length import CharacterLimit
from bridge.text.character_length import addressed

log = structlog.get_logger(__name__)

PAGE_SIZE = 40  # Mastodon's most per page
MENTION = ["mention"]
DEFAULT_LIMIT = CharacterLimit(max_characters=500, characters_reserved_per_url=23)


def with_mention(acct: str, text: str) -> str:
    """``text`` opened with ``@acct`` unless it already names them: Mastodon delivers a reply only to
    the accounts it mentions."""
    return addressed(text, acct)


def profile_url(instance: str, acct: str) -> str:
    """The author's profile as our own instance shows it (``/@user`` or ``/@user@their.domain``).

    Built from the instance we connect to and the ``acct``, not taken from the account's ``url``: that
    one is whatever the author's (maybe hostile) server declared, and the card makes it a live link."""
    if not instance.startswith(("https://", "http://")) or not acct:
        return ""
    return f"{instance.rstrip('/')}/@{quote(acct.lstrip('@'), safe='@.-_')}"


def post_url(instance: str, acct: str, status_id: str) -> str:
    """The post as our own instance shows it, for the same reason as :func:`profile_url`: a status's
    ``url`` is whatever the author's server declared, and the card makes it a live link."""
    profile = profile_url(instance, acct)
    return f"{profile}/{quote(status_id, safe='')}" if profile and status_id else ""


def engagement_of(status: Any) -> PostEngagement | None:
    """A status's counts in the core's words (quotes, where the instance has them, as reposts);
    None for a direct status: a private message has no public reactions."""
    if status.get("visibility") == "direct":
        return None

    def count(name: str) -> int:
        return int(status.get(name) or 0)

    return PostEngagement(
        likes=count("favourites_count"),
        replies=count("replies_count"),
        reposts=count("reblogs_count") + count("quotes_count"),
    )


def mention_text(status: Any) -> str:
    """The post as the desk reads it: the content warning first, as the customer's client shows it."""
    body = plain_text(status.get("content") or "")
    spoiler = (status.get("spoiler_text") or "").strip()
    return f"CW: {spoiler}\n\n{body}" if spoiler else body


class MastodonPlatform:
    name = "mastodon"

    def __init__(self, client: Mastodon, handle: str, account_id: str | None = None) -> None:
        self.client = client
        self.handle = handle.lstrip("@")
        self._account_id = account_id

    @property
    def account_id(self) -> str:
        if not self._account_id:
            me: Any = translate(self.client, self.client.account_verify_credentials)
            self._account_id = str(me["id"])
            self.handle = self.handle or str(me["acct"])
        return self._account_id

    # length ------------------------------------------------------------------------------------
    @cached_property
    def _limit(self) -> CharacterLimit:
        instance: Any = translate(self.client, self.client.instance_v2)
        statuses = ((instance or {}).get("configuration") or {}).get("statuses") or {}
        return CharacterLimit(
            max_characters=int(statuses.get("max_characters") or DEFAULT_LIMIT.max_characters),
            characters_reserved_per_url=int(
                statuses.get("characters_reserved_per_url") or DEFAULT_LIMIT.characters_reserved_per_url
            ),
        )

    def character_limit(self) -> CharacterLimit:
        """The instance's own limit (``/api/v2/instance``), read once and kept for the process; while
        the instance cannot be asked, Mastodon's default (500), asked again next time."""
        try:
            return self._limit
        except PlatformError as exc:
            log.warning("mastodon_limit_unknown", error=str(exc), assumed=DEFAULT_LIMIT.max_characters)
            return DEFAULT_LIMIT

    # mentions ----------------------------------------------------------------------------------
    def fetch_mentions(self, since_id: str | None) -> MentionBatch:
        """Mention notifications newer than ``since_id`` (a notification id), every page; without a
        cursor only the newest page, so a first start does not read the account's whole history."""
        if not self.handle:
            _ = self.account_id  # who we are, once: every mention names the account it reached
        mentions: list[Mention] = []
        newest: str | None = None
        max_id: str | None = None
        while True:
            page: Any = translate(
                self.client,
                self.client.notifications,
                types=MENTION,
                since_id=since_id,
                max_id=max_id,
                limit=PAGE_SIZE,
            )
            items = [n for n in page or [] if n.get("type") == "mention" and n.get("status")]
            if page and newest is None:
                newest = str(page[0]["id"])
            mentions.extend(self._mention(n["status"]) for n in items)
            if not page or len(page) < PAGE_SIZE or since_id is None:
                return MentionBatch(mentions, newest)
            max_id = str(page[-1]["id"])

    def _mention(self, status: Any) -> Mention:
        account = status["account"]
        created = status.get("created_at")
        return Mention(
            platform="mastodon",
            post_id=str(status["id"]),
            text=mention_text(status),
            author=Author(
                id=str(account["id"]),
                handle=str(account["acct"]),
                name=str(account.get("display_name") or ""),
                followers=int(account.get("followers_count") or 0),
            ),
            created_at=created.astimezone(UTC) if isinstance(created, datetime) else datetime.now(UTC),
            url=post_url(str(self.client.api_base_url or ""), str(account["acct"]), str(status["id"])),
            account=self.handle,
            lang=status.get("language"),
            in_reply_to=str(status["in_reply_to_id"]) if status.get("in_reply_to_id") else None,
            is_retweet=bool(status.get("reblog")),
            visibility=str(status.get("visibility") or "public"),
            author_url=profile_url(str(self.client.api_base_url or ""), str(account["acct"])),
        )

    # answers -----------------------------------------------------------------------------------
    def reply(self, in_reply_to: str, text: str) -> PostRef:
        """A reply in the customer's thread, with their post's visibility and content warning."""
        original: Any = translate(self.client, self.client.status, in_reply_to)
        return self._post(
            with_mention(original["account"]["acct"], text),
            in_reply_to_id=in_reply_to,
            visibility=original.get("visibility") or "public",
            spoiler_text=original.get("spoiler_text") or None,
        )

    def _post(self, text: str, **options: Any) -> PostRef:
        status: Any = translate(self.client, self.client.status_post, text, **options)
        return PostRef(str(status["id"]), str(status.get("url") or status.get("uri") or ""))

    def _own_statuses(self, since_id: str | None = None) -> list[Any]:
        return list(
            translate(
                self.client, self.client.account_statuses, self.account_id, since_id=since_id, limit=PAGE_SIZE
            )
            or []
        )

    def find_reply(self, in_reply_to: str, newer_than: str = "") -> PostRef | None:
        # status ids grow with time: asking for statuses newer than both skips an earlier round's answer
        since = max((i for i in (in_reply_to, newer_than) if i.isdigit()), key=int, default=None)
        for status in self._own_statuses(since):
            if str(status.get("in_reply_to_id") or "") == str(in_reply_to):
                return PostRef(str(status["id"]), str(status.get("url") or ""))
        return None

    def engagement(self, post_id: str) -> PostEngagement | None:
        """Favourites, replies and boosts of our status ``post_id``; None once it is deleted."""
        try:
            status: Any = translate(self.client, self.client.status, post_id)
        except Rejected as exc:
            if isinstance(exc.__cause__, MastodonNotFoundError):
                return None
            raise
        return engagement_of(status)

    def post(self, text: str) -> PostRef:
        """A statement: a public status of its own (crisis mode)."""
        return self._post(text, visibility="public")

    def find_post(self, text: str) -> PostRef | None:
        for status in self._own_statuses():
            if not status.get("in_reply_to_id") and plain_text(status.get("content") or "") == text.strip():
                return PostRef(str(status["id"]), str(status.get("url") or ""))
        return None

    # private conversation ------------------------------------------------------------------------
    def _acct(self, user_id: str) -> str:
        account: Any = translate(self.client, self.client.account, user_id)
        return str(account["acct"])

    def send_direct_message(self, user_id: str, text: str) -> PostRef:
        """A direct status that names only the customer: Mastodon's private message."""
        return self._post(with_mention(self._acct(user_id), text), visibility="direct")

    def find_direct_message(self, user_id: str, text: str, newer_than: str = "") -> PostRef | None:
        since = newer_than if newer_than.isdigit() else None
        wanted = plain_text(f"<p>{with_mention(self._acct(user_id), text)}</p>")
        for status in self._own_statuses(since):
            named = {str(m.get("id")) for m in status.get("mentions") or []}
            same = " ".join(plain_text(status.get("content") or "").split()) == " ".join(wanted.split())
            if status.get("visibility") == "direct" and user_id in named and same:
                return PostRef(str(status["id"]), str(status.get("url") or ""))
        return None

    def fetch_direct_messages(self) -> list[DirectMessage]:
        """None: on Mastodon a private message is a direct status that mentions us, so it arrives as a
        mention notification and joins the customer's open case there; read here too, it would be
        shown twice."""
        return []

    # moderation --------------------------------------------------------------------------------
    def _account_of(self, handle: str) -> str:
        account: Any = translate(self.client, self.client.account_lookup, handle.lstrip("@"))
        return str(account["id"])

    def mute(self, handle: str) -> None:
        translate(self.client, self.client.account_mute, self._account_of(handle))

    def unmute(self, handle: str) -> None:
        translate(self.client, self.client.account_unmute, self._account_of(handle))

    def block(self, handle: str) -> None:
        translate(self.client, self.client.account_block, self._account_of(handle))

    def unblock(self, handle: str) -> None:
        translate(self.client, self.client.account_unblock, self._account_of(handle))

    def report(self, handle: str, post_ids: list[str], comment: str) -> None:
        """Report an account (and its posts) to the instance's moderators."""
        translate(
            self.client, self.client.report, self._account_of(handle), status_ids=post_ids, comment=comment
        )

    def hide_reply(self, post_id: str, hidden: bool = True) -> None:
        """Mastodon has no hidden replies: nothing to do (the port asks it of every platform)."""

    # streaming ---------------------------------------------------------------------------------
    def stream_mentions(self, on_mention: Callable[[Mention], None]) -> MentionStream | None:
        """Mentions pushed as they happen (:mod:`adapters.mastodon.streaming`), parsed as the poll
        parses them; None when the instance offers no stream (the poll carries on alone)."""
        if not self.handle:
            _ = self.account_id  # who we are, once: every mention names the account it reached
        stream = MentionStream(self.client, self._mention, on_mention)
        return stream if stream.start() else None
