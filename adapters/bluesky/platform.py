"""Bluesky as a social platform: mention and reply notifications in, threaded replies out, direct
messages through the chat service, through the atproto SDK.

A post's id in the core is its AT URI. A reply carries strong references (uri and cid) to its parent
and to the thread's root, read from the parent post at the moment of answering. What we posted is
looked up in our own repository (``com.atproto.repo.listRecords`` on the PDS), which is current at
once, unlike the AppView's thread views, so an answer whose outcome was lost is found before it is
posted again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import structlog
from atproto import models

from adapters.bluesky.client import BlueskySession
from adapters.bluesky.text import RichText, plain_text, rich_text
from bridge.domain.errors import Rejected
from bridge.domain.model import Author, Mention, PostRef
from bridge.domain.ports import DirectMessage, MentionBatch, PostEngagement
from bridge.text.character_length import addressed

log = structlog.get_logger(__name__)

APP = "https://bsky.app"
PAGE_SIZE = 50
OWN_RECORDS = 50
REASONS = {"mention", "reply"}
POST = "app.bsky.feed.post"
BLOCK = "app.bsky.graph.block"
CONVOS = 20
MESSAGES = 20


def post_url(handle: str, uri: str) -> str:
    return f"{APP}/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


def profile_url(handle: str) -> str:
    return f"{APP}/profile/{handle}"


def rkey(uri: str) -> str:
    """A record key: TIDs sort by the time the record was made."""
    return uri.rsplit("/", 1)[-1] if uri.startswith("at://") else ""


def _created(value: str | None) -> datetime:
    try:
        return datetime.fromisoformat(value or "").astimezone(UTC)
    except ValueError:
        return datetime.now(UTC)


def engagement_of(view: Any) -> PostEngagement:
    """An ``app.bsky.feed.defs#postView``'s counts in the core's words (quotes count as reposts);
    the lexicon makes every count optional."""

    def count(name: str) -> int:
        return int(getattr(view, name, None) or 0)

    return PostEngagement(
        likes=count("like_count"),
        replies=count("reply_count"),
        reposts=count("repost_count") + count("quote_count"),
    )


def _strong(uri: str, cid: str) -> models.ComAtprotoRepoStrongRef.Main:
    return models.ComAtprotoRepoStrongRef.Main(uri=uri, cid=cid)


class BlueskyPlatform:
    name = "bluesky"

    def __init__(self, session: BlueskySession, handle: str = "") -> None:
        self.session = session
        self.handle = (handle or session.handle).lstrip("@")

    @property
    def did(self) -> str:
        if not self.session.did:
            self.session.client()  # logs in: the session knows our DID from then on
        return self.session.did

    def close(self) -> None:
        """Close the session's connections (a new call logs in again)."""
        self.session.close()

    # mentions ----------------------------------------------------------------------------------
    def fetch_mentions(self, since_id: str | None) -> MentionBatch:
        """Mentions and replies indexed at or after ``since_id`` (the newest ``indexedAt`` seen), every
        page; without a cursor only the newest page, so a first start does not read the account's
        history. Posts seen again at the boundary are the same posts: the core keeps one case each."""
        mentions: list[Mention] = []
        newest: str | None = None
        cursor: str | None = None
        while True:
            page = self._notifications(cursor)
            items = list(page.notifications or [])
            if items and newest is None:
                newest = max(n.indexed_at for n in items)
            fresh = [n for n in items if since_id is None or n.indexed_at >= since_id]
            mentions.extend(
                self._mention(n) for n in fresh if n.reason in REASONS and n.author.did != self.did
            )
            cursor = page.cursor
            if since_id is None or not cursor or len(fresh) < len(items):
                return MentionBatch(mentions, newest or since_id)

    def _notifications(self, cursor: str | None) -> Any:
        params = {"limit": PAGE_SIZE, "cursor": cursor}
        return self.session.call(lambda c: c.app.bsky.notification.list_notifications(params))

    def _mention(self, note: Any) -> Mention:
        record, author = note.record, note.author
        reply = getattr(record, "reply", None)
        return Mention(
            platform="bluesky",
            post_id=note.uri,
            text=plain_text(getattr(record, "text", "") or "", getattr(record, "facets", None)),
            author=Author(id=author.did, handle=author.handle, name=author.display_name or "", followers=0),
            created_at=_created(getattr(record, "created_at", None)),
            url=post_url(author.handle, note.uri),
            account=self.handle,
            lang=(getattr(record, "langs", None) or [None])[0],
            conversation_id=reply.root.uri if reply else note.uri,
            in_reply_to=reply.parent.uri if reply else None,
            visibility="public",
            author_url=profile_url(author.handle),
        )

    # answers -----------------------------------------------------------------------------------
    def _resolve(self, handle: str) -> str | None:
        try:
            return str(self.session.call(lambda c: c.resolve_handle(handle)).did)
        except Rejected:
            return None  # not a handle that exists: the text stays, without a mention facet

    def _create_post(self, rich: RichText, reply: models.AppBskyFeedPost.ReplyRef | None) -> PostRef:
        record = models.AppBskyFeedPost.Record(
            text=rich.text,
            facets=rich.facets or None,
            reply=reply,
            created_at=datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        )
        made = self.session.call(lambda c: c.app.bsky.feed.post.create(self.did, record))
        return PostRef(made.uri, post_url(self.handle, made.uri))

    def reply(self, in_reply_to: str, text: str) -> PostRef:
        """A reply naming the customer, with strong references to their post and the thread's root."""
        found = self.session.call(lambda c: c.get_posts([in_reply_to])).posts
        if not found:
            raise Rejected(f"Bluesky post {in_reply_to} is gone (deleted, or its author blocked us)")
        parent = found[0]
        thread = getattr(parent.record, "reply", None)
        root = _strong(thread.root.uri, thread.root.cid) if thread else _strong(parent.uri, parent.cid)
        rich = rich_text(addressed(text, parent.author.handle), self._resolve)
        return self._create_post(
            rich, models.AppBskyFeedPost.ReplyRef(root=root, parent=_strong(parent.uri, parent.cid))
        )

    def engagement(self, post_id: str) -> PostEngagement | None:
        """Likes, replies and reposts of our post ``post_id`` (its at:// uri); None once it is gone
        (getPosts leaves out what it cannot find)."""
        found = self.session.call(lambda c: c.get_posts([post_id])).posts
        return engagement_of(found[0]) if found else None

    def _own_posts(self) -> list[Any]:
        params = {"repo": self.did, "collection": POST, "limit": OWN_RECORDS}
        return list(self.session.call(lambda c: c.com.atproto.repo.list_records(params)).records or [])

    def find_reply(self, in_reply_to: str, newer_than: str = "") -> PostRef | None:
        after = rkey(newer_than)
        for item in self._own_posts():
            reply = getattr(item.value, "reply", None)
            if reply and reply.parent.uri == in_reply_to and rkey(item.uri) > after:
                return PostRef(item.uri, post_url(self.handle, item.uri))
        return None

    def post(self, text: str) -> PostRef:
        """A statement: a post of its own (crisis mode)."""
        return self._create_post(rich_text(text, self._resolve), None)

    def find_post(self, text: str) -> PostRef | None:
        wanted = rich_text(text, lambda _: None).text.strip()
        for item in self._own_posts():
            if not getattr(item.value, "reply", None) and (item.value.text or "").strip() == wanted:
                return PostRef(item.uri, post_url(self.handle, item.uri))
        return None

    # private conversation (chat.bsky.convo, through the PDS's chat proxy) ---------------------------
    def _convo(self, user_id: str) -> str:
        params = {"members": [user_id]}
        return str(
            self.session.call(lambda c: c.chat.bsky.convo.get_convo_for_members(params), chat=True).convo.id
        )

    def send_direct_message(self, user_id: str, text: str) -> PostRef:
        convo = self._convo(user_id)
        data = {"convo_id": convo, "message": {"text": text}}
        sent = self.session.call(lambda c: c.chat.bsky.convo.send_message(data), chat=True)
        return PostRef(sent.id, "")

    def _messages(self, convo: str) -> list[Any]:
        params = {"convo_id": convo, "limit": MESSAGES}
        answer = self.session.call(lambda c: c.chat.bsky.convo.get_messages(params), chat=True)
        return [m for m in answer.messages or [] if getattr(m, "text", None) is not None]

    def find_direct_message(self, user_id: str, text: str, newer_than: str = "") -> PostRef | None:
        for message in self._messages(self._convo(user_id)):  # newest first
            if message.id == newer_than:
                return None
            if message.sender.did == self.did and message.text.strip() == text.strip():
                return PostRef(message.id, "")
        return None

    def fetch_direct_messages(self) -> list[DirectMessage]:
        """The customers' recent chat messages to the brand, newest first."""
        convos = self.session.call(
            lambda c: c.chat.bsky.convo.list_convos({"limit": CONVOS}), chat=True
        ).convos
        found: list[tuple[str, DirectMessage]] = []
        for convo in convos or []:
            last = getattr(convo, "last_message", None)
            if last is None or getattr(getattr(last, "sender", None), "did", self.did) == self.did:
                continue  # nothing new from the customer there
            found.extend(
                (m.sent_at, DirectMessage("bluesky", m.id, m.sender.did, m.text))
                for m in self._messages(convo.id)
                if m.sender.did != self.did
            )
        return [m for _, m in sorted(found, key=lambda pair: pair[0], reverse=True)]

    # moderation --------------------------------------------------------------------------------
    def mute(self, handle: str) -> None:
        self.session.call(lambda c: c.app.bsky.graph.mute_actor({"actor": handle.lstrip("@")}))

    def unmute(self, handle: str) -> None:
        self.session.call(lambda c: c.app.bsky.graph.unmute_actor({"actor": handle.lstrip("@")}))

    def _did_of(self, handle: str) -> str:
        did = self._resolve(handle.lstrip("@"))
        if did is None:
            raise Rejected(f"Bluesky knows no account @{handle.lstrip('@')}")
        return did

    def block(self, handle: str) -> None:
        """A block record in our repository (blocks on Bluesky are public records)."""
        record = models.AppBskyGraphBlock.Record(
            subject=self._did_of(handle),
            created_at=datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        )
        self.session.call(lambda c: c.app.bsky.graph.block.create(self.did, record))

    def unblock(self, handle: str) -> None:
        subject = self._did_of(handle)
        params = {"repo": self.did, "collection": BLOCK, "limit": 100}
        records = self.session.call(lambda c: c.com.atproto.repo.list_records(params)).records or []
        for uri in [item.uri for item in records if getattr(item.value, "subject", None) == subject]:
            self._delete_block(uri)

    def _delete_block(self, uri: str) -> None:
        self.session.call(lambda c: c.app.bsky.graph.block.delete(self.did, rkey(uri)))

    def report(self, handle: str, post_ids: list[str], comment: str) -> None:
        """A report to Bluesky's moderation service about the account."""
        data = {
            "reason_type": "com.atproto.moderation.defs#reasonOther",
            "reason": comment,
            "subject": models.ComAtprotoAdminDefs.RepoRef(did=self._did_of(handle)),
        }
        self.session.call(lambda c: c.com.atproto.moderation.create_report(data))

    def hide_reply(self, post_id: str, hidden: bool = True) -> None:
        """Hiding replies needs a threadgate on our own post; not done here (the port asks it of every
        platform)."""
