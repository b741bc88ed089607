"""Facebook Pages and Instagram (the professional account linked to the Page) as social platforms.

Both speak through the same Page access token and :class:`~adapters.meta.graph.GraphClient`. What an
answer becomes depends on what it answers: a comment or post gets a public reply (Facebook
``/{id}/comments``, Instagram ``/{id}/replies``); a private message (``dm:<sender>:<mid>``) gets a
message in the same conversation, inside Meta's 24-hour window, after it with the ``HUMAN_AGENT`` tag
only where the Page has that permission (``META_HUMAN_AGENT``); a case moved to private gets one private
reply to the customer's comment (:class:`~bridge.domain.ports.PrivateReplies`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import structlog

from adapters.meta import engagement, reconcile
from adapters.meta.errors import GraphRejected
from adapters.meta.graph import GraphClient, Json
from adapters.meta.ids import dm_parts, inbox_url, post_url, profile_url
from bridge.domain.errors import PlatformError, Rejected
from bridge.domain.model import Mention, PostRef
from bridge.domain.ports import DirectMessage, MentionBatch, PostEngagement

__all__ = ["FacebookPlatform", "InstagramPlatform", "MetaPlatform"]

log = structlog.get_logger(__name__)

HUMAN_AGENT = "HUMAN_AGENT"
RECENT = 10


class MetaPlatform:
    """What Facebook and Instagram share: messages through the Page, private replies, lookups."""

    name = "meta"

    def __init__(
        self,
        graph: GraphClient,
        page_id: str,
        account_id: str,
        handle: str = "",
        *,
        human_agent: bool = False,
    ) -> None:
        self.graph = graph
        self.page_id = page_id  # messages are sent through the Page for both platforms
        self.account_id = account_id  # the Page, or the Instagram professional account
        self.handle = handle or account_id
        self.human_agent = human_agent

    # messages ------------------------------------------------------------------------------------
    def _send(self, recipient: Json, text: str, tag: str = "") -> PostRef:
        body: Json = {"recipient": recipient, "message": {"text": text}}
        body["messaging_type"] = "MESSAGE_TAG" if tag else "RESPONSE"
        if tag:
            body["tag"] = tag
        sent = self.graph.post(f"{self.page_id}/messages", body)
        return PostRef(str(sent.get("message_id") or ""), inbox_url(self.name, self.account_id))

    def send_direct_message(self, user_id: str, text: str) -> PostRef:
        """A message to a person who wrote to us (their page-scoped id), inside the window; after it,
        tagged ``HUMAN_AGENT`` where the Page may (up to 7 days), else refused with the reason."""
        try:
            return self._send({"id": user_id}, text)
        except GraphRejected as exc:
            if not exc.outside_window:
                raise
            if not self.human_agent:
                raise Rejected(
                    f"{self.name.capitalize()} allows answers to a message only within 24 hours of the "
                    "customer's last message, and this Page has no HUMAN_AGENT permission"
                ) from exc
        return self._send({"id": user_id}, text, HUMAN_AGENT)

    def _conversation(self, user_id: str) -> list[Json]:
        """Our conversation with ``user_id``, newest message first."""
        platform = "instagram" if self.name == "instagram" else "messenger"
        fields = f"messages.limit({RECENT}){{id,message,from,created_time}}"
        found = self.graph.get(
            f"{self.page_id}/conversations", user_id=user_id, platform=platform, fields=fields
        )
        convos = [c for c in found.get("data", []) if isinstance(c, dict)]
        return [m for c in convos for m in (c.get("messages") or {}).get("data", []) if isinstance(m, dict)]

    def _ours(self, item: Json) -> bool:
        sender = item.get("from") or {}
        return str(sender.get("id")) in {self.page_id, self.account_id}

    def find_direct_message(self, user_id: str, text: str, newer_than: str = "") -> PostRef | None:
        for message in self._conversation(user_id):
            if message.get("id") == newer_than:
                return None
            if self._ours(message) and str(message.get("message", "")).strip() == text.strip():
                return PostRef(str(message["id"]), inbox_url(self.name, self.account_id))
        return None

    def fetch_direct_messages(self) -> list[DirectMessage]:
        """None here: on Meta every customer message is a mention of its own (webhook and
        :meth:`fetch_mentions`), and joins the customer's open case as a follow-up."""
        return []

    def with_context(self, mention: Mention) -> Mention:
        """A comment with the post or media it is on (text and link) for its card; a private message
        with its author's name. Read once per new item; a failed read leaves the mention as it was."""
        if mention.visibility == "direct":
            if mention.author.name:
                return mention
            name, username = self.profile(mention.author.id)
            author = replace(mention.author, name=name, handle=username or mention.author.handle)
            found = profile_url(self.name, username) if username else mention.author_url
            return replace(mention, author=author, author_url=found)
        parent = mention.conversation_id or ""
        if not parent or parent == mention.post_id:
            return mention
        try:
            text, url = self._parent(parent)
        except PlatformError as exc:
            log.info("meta_parent_unavailable", error=str(exc))
            return mention
        return replace(
            mention,
            on_post=text,
            on_post_url=url,
            url=mention.url if self.name == "facebook" else url or mention.url,
        )

    def _parent(self, object_id: str) -> tuple[str, str]:
        if self.name == "instagram":
            media = self.graph.get(object_id, fields="caption,permalink")
            return str(media.get("caption") or ""), str(media.get("permalink") or "")
        post = self.graph.get(object_id, fields="message,permalink_url")
        return str(post.get("message") or ""), str(post.get("permalink_url") or post_url(object_id))

    def profile(self, user_id: str) -> tuple[str, str]:
        """(name, username) of someone who wrote to us; Meta's deliveries carry only their id."""
        try:
            found = self.graph.get(user_id, fields="name,username")
        except PlatformError as exc:
            log.info("meta_profile_unavailable", error=str(exc))
            return "", ""
        return str(found.get("name") or ""), str(found.get("username") or "")

    # private replies to a comment -----------------------------------------------------------------
    def private_reply(self, comment_id: str, text: str) -> PostRef:
        """The one private message Meta allows in answer to a comment (within 7 days of it)."""
        return self._send({"comment_id": comment_id}, text)

    def find_private_reply(self, comment_id: str) -> PostRef | None:
        """Our private reply to ``comment_id`` if one went out (Facebook names its conversation)."""
        if self.name != "facebook":
            return None
        found = self.graph.get(comment_id, fields="private_reply_conversation")
        convo = found.get("private_reply_conversation") or {}
        return PostRef(str(convo["id"]), inbox_url(self.name, self.account_id)) if convo.get("id") else None

    # answers in public ---------------------------------------------------------------------------
    def reply(self, in_reply_to: str, text: str) -> PostRef:
        dm = dm_parts(in_reply_to)
        if dm is not None:
            return self.send_direct_message(dm[0], text)
        return self._public_reply(in_reply_to, text)

    def _public_reply(self, in_reply_to: str, text: str) -> PostRef:
        raise NotImplementedError

    def post(self, text: str) -> PostRef:
        raise NotImplementedError

    def find_post(self, text: str) -> PostRef | None:
        raise NotImplementedError

    def find_reply(self, in_reply_to: str, newer_than: str = "") -> PostRef | None:
        dm = dm_parts(in_reply_to)
        if dm is not None:
            for message in self._conversation(dm[0]):
                if message.get("id") == newer_than or message.get("id") == dm[1]:
                    return None  # reached our previous answer, or the customer's message itself
                if self._ours(message):
                    return PostRef(str(message["id"]), inbox_url(self.name, self.account_id))
            return None
        for item in self._replies_to(in_reply_to):  # newest first
            if item.get("id") == newer_than:
                return None
            if self._ours(item):
                return self._ref(in_reply_to, item)
        return None

    def _replies_to(self, item_id: str) -> list[Json]:
        raise NotImplementedError

    def _ref(self, in_reply_to: str, item: Json) -> PostRef:
        raise NotImplementedError

    def engagement(self, post_id: str) -> PostEngagement | None:
        """Likes and replies of our public answer ``post_id`` (a comment); None for a message."""
        return engagement.read(self.graph, post_id, self.name)

    def fetch_mentions(self, since_id: str | None) -> MentionBatch:
        """The reconciliation read: what a missed webhook lost (see :mod:`adapters.meta.reconcile`)."""
        return reconcile.read(self, since_id)

    # moderation ----------------------------------------------------------------------------------
    def mute(self, handle: str) -> None:
        raise Rejected(f"{self.name.capitalize()} has no mute; hide the comment, or ban its author")

    def unmute(self, handle: str) -> None:
        self.mute(handle)

    def hide_reply(self, post_id: str, hidden: bool = True) -> None:
        if dm_parts(post_id) is not None:
            raise Rejected("a private message cannot be hidden")
        self.graph.post(post_id, self._hide_body(hidden))

    def _hide_body(self, hidden: bool) -> Json:
        raise NotImplementedError

    def close(self) -> None:
        self.graph.close()


class FacebookPlatform(MetaPlatform):
    """The Page: comments, visitor posts and mentions in, replies and Messenger messages out; banning
    a person from the Page is this platform's block."""

    name = "facebook"

    def _public_reply(self, in_reply_to: str, text: str) -> PostRef:
        made = self.graph.post(f"{in_reply_to}/comments", {"message": text, "fields": "id,permalink_url"})
        return self._ref(in_reply_to, made)

    def _ref(self, in_reply_to: str, item: Json) -> PostRef:
        """Our comment and its link: Meta's permalink, else facebook.com's address for the id."""
        made = str(item.get("id") or "")
        return PostRef(made, str(item.get("permalink_url") or f"https://www.facebook.com/{made}"))

    def _replies_to(self, item_id: str) -> list[Json]:
        answer = self.graph.get(
            f"{item_id}/comments", fields="id,from,created_time,permalink_url", order="reverse_chronological"
        )
        return [c for c in answer.get("data", []) if isinstance(c, dict)]

    def _hide_body(self, hidden: bool) -> Json:
        return {"is_hidden": hidden}

    def post(self, text: str) -> PostRef:
        """A statement on the Page's own feed (crisis mode)."""
        made = self.graph.post(f"{self.page_id}/feed", {"message": text})
        return PostRef(str(made.get("id") or ""), post_url(str(made.get("id") or "")))

    def find_post(self, text: str) -> PostRef | None:
        feed = self.graph.get(f"{self.page_id}/posts", fields="id,message,from,created_time", limit=RECENT)
        for item in feed.get("data", []):
            if isinstance(item, dict) and str(item.get("message", "")).strip() == text.strip():
                return PostRef(str(item["id"]), post_url(str(item["id"])))
        return None

    def block(self, handle: str) -> None:
        """Ban the person from the Page (``POST /{page}/blocked``); undone in the Page's settings."""
        self.graph.post(f"{self.page_id}/blocked", {"user": handle})

    def report(self, handle: str, post_ids: list[str], comment: str) -> None:
        raise Rejected("Facebook offers no reporting through its API; report in the Page's inbox")


class InstagramPlatform(MetaPlatform):
    """The professional account: comments on its media and @mentions in, replies, private replies and
    direct messages out, comments hidden. Instagram has no statement post without media."""

    name = "instagram"

    def _public_reply(self, in_reply_to: str, text: str) -> PostRef:
        made = self.graph.post(f"{in_reply_to}/replies", {"message": text})
        return self._ref(in_reply_to, made)

    def _ref(self, in_reply_to: str, item: Json) -> PostRef:
        """Our reply, linked to the media it is under (Instagram comments have no link of their own)."""
        made = str(item.get("id") or "")
        try:
            media = self.graph.get(made, fields="media{id,permalink}").get("media") or {}
        except PlatformError:  # the reply is out: a missing link must not pass for a failed post
            media = {}
        return PostRef(made, str(media.get("permalink") or ""))

    def _replies_to(self, item_id: str) -> list[Json]:
        answer = self.graph.get(f"{item_id}/replies", fields="id,from,username,timestamp")
        replies = [c for c in answer.get("data", []) if isinstance(c, dict)]
        return list(reversed(replies))  # Instagram lists replies oldest first

    def _ours(self, item: Json) -> bool:
        username = str(item.get("username") or "")
        return super()._ours(item) or (bool(username) and username.casefold() == self.handle.casefold())

    def _hide_body(self, hidden: bool) -> Json:
        return {"hide": hidden}

    def post(self, text: str) -> PostRef:
        raise Rejected("Instagram posts need an image or a video; the statement is not posted there")

    def find_post(self, text: str) -> PostRef | None:
        return None

    def mentioned_comment(self, comment_id: str) -> Json:
        """An @mention's comment on someone else's media (the webhook gives only its id)."""
        fields = (
            f"mentioned_comment.comment_id({comment_id}){{id,text,timestamp,username,media{{id,permalink}}}}"
        )
        answer: Any = self.graph.get(self.account_id, fields=fields)
        found = answer.get("mentioned_comment") if isinstance(answer, dict) else None
        return found if isinstance(found, dict) else {}
