"""A stand-in of Meta's Graph API for one Facebook Page and its linked Instagram account.

It keeps posts, media, comments, conversations, hidden comments and bans in memory and answers in the
Graph API's shapes (the ones recorded in ``../shared/data/meta``), with an ``X-App-Usage`` header on
every answer. It enforces what the bridge must respect: the Page token, the 24-hour messaging window
(error 10 / 2018278, ``HUMAN_AGENT`` allowed for 7 days), one private reply per comment within 7 days
(error 10900). Tests add customers' words with :meth:`add_comment`, :meth:`add_message` and read what
the bridge did from :attr:`replies`, :attr:`sent`, :attr:`hidden` and :attr:`banned`.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

__all__ = ["IG_ID", "PAGE_ID", "TOKEN", "GraphError", "MetaGraphStandIn"]

TOKEN = "meta-page-access-token"
PAGE_ID = "104000000000001"
IG_ID = "17841400000000001"
WINDOW = timedelta(hours=24)
HUMAN_AGENT = timedelta(days=7)
PRIVATE_REPLY = timedelta(days=7)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


class GraphError(Exception):
    """An error answer, in the Graph API's body shape."""

    def __init__(self, code: int, message: str, subcode: int = 0, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.subcode, self.status = code, subcode, status

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.args[0], "type": "OAuthException", "code": self.code}
        if self.subcode:
            error["error_subcode"] = self.subcode
        return {"error": {**error, "fbtrace_id": "AbCdEfGh"}}


@dataclass
class MetaState:
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[str, dict[str, Any]] = field(default_factory=dict)
    conversations: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)  # every Send API body that went out
    banned: set[str] = field(default_factory=set)
    people: dict[str, dict[str, str]] = field(default_factory=dict)  # who wrote privately: name, username
    fail_next: GraphError | None = None
    fail_after_write: GraphError | None = None  # the next write is done, then answered with this error
    usage_percent: int = 10
    token_expired: bool = False  # every call answers 190 (subcode 463), as after the token expired


class MetaGraphStandIn:
    def __init__(self, page_name: str = "Acme Help", ig_username: str = "acmehelp") -> None:
        self.state = MetaState()
        self.page = {"id": PAGE_ID, "name": page_name}
        self.ig = {"id": IG_ID, "username": ig_username}
        self._ids = itertools.count(900_000_001)
        self._lock = threading.Lock()
        self.app = self._app()

    def next_id(self) -> str:
        return str(next(self._ids))

    # customers (test API) ------------------------------------------------------------------------
    def page_post(self, message: str = "Our new autumn range is in the shops now.") -> dict[str, Any]:
        with self._lock:
            post_id = f"{PAGE_ID}_{self.next_id()}"
            post = {"id": post_id, "message": message, "from": dict(self.page), "created_time": iso(_now())}
            self.state.posts[post_id] = post
            return post

    def brand_media(self, caption: str = "Autumn range, out now") -> dict[str, Any]:
        with self._lock:
            media_id = self.next_id()
            media = {
                "id": media_id,
                "caption": caption,
                "permalink": f"https://www.instagram.com/p/C{media_id}/",
                "timestamp": iso(_now()),
                "media_product_type": "FEED",
            }
            self.state.media[media_id] = media
            return media

    def add_comment(
        self,
        author: dict[str, str],
        text: str,
        *,
        platform: str = "facebook",
        on: str = "",
        created: datetime | None = None,
    ) -> dict[str, Any]:
        """A customer's comment on a Page post (``on``, else a new one) or on brand media (Instagram);
        ``author`` is ``{"id", "name"}`` on Facebook, ``{"id", "username"}`` on Instagram."""
        if not on:
            on = self.brand_media()["id"] if platform == "instagram" else self.page_post()["id"]
        with self._lock:
            comment_id = (
                f"{on.rsplit('_', 1)[-1]}_{self.next_id()}" if platform == "facebook" else self.next_id()
            )
            comment = {
                "id": comment_id,
                "from": dict(author),
                "created_time" if platform == "facebook" else "timestamp": iso(created or _now()),
                "parent_id": on,
                "object_id": on,
                "platform": platform,
                "hidden": False,
                "private_reply": "",
            }
            comment["message" if platform == "facebook" else "text"] = text
            if platform == "instagram":
                comment["username"] = author.get("username", "")
            self.state.comments[comment_id] = comment
            return comment

    def set_engagement(self, comment_id: str, *, likes: int = 0, replies: int = 0) -> None:
        """What people did with comment ``comment_id`` (ours, usually): its likes and replies."""
        with self._lock:
            self.state.comments[comment_id].update(likes_set=likes, replies_set=replies)

    def add_message(
        self, platform: str, sender: str, text: str, *, name: str = "", created: datetime | None = None
    ) -> dict[str, Any]:
        """A customer's private message to the Page (``messenger``/``facebook``) or Instagram account."""
        kind = "instagram" if platform == "instagram" else "messenger"
        with self._lock:
            if name:
                who = {"name": name, **({"username": name.split()[0].lower()} if kind == "instagram" else {})}
                self.state.people[sender] = who
            message = {
                "id": f"m_{self.next_id()}",
                "message": text,
                "from": {"id": sender, "name": name},
                "created_time": iso(created or _now()),
            }
            self.state.conversations.setdefault((kind, sender), []).insert(0, message)
            return message

    # what the bridge did -------------------------------------------------------------------------
    @property
    def replies(self) -> list[dict[str, Any]]:
        """Our own public comments and replies, oldest first."""
        return [c for c in self.state.comments.values() if c["from"].get("id") in (PAGE_ID, IG_ID)]

    @property
    def sent(self) -> list[dict[str, Any]]:
        return list(self.state.sent)

    @property
    def hidden(self) -> set[str]:
        return {cid for cid, c in self.state.comments.items() if c["hidden"]}

    @property
    def banned(self) -> set[str]:
        return set(self.state.banned)

    def fail_next(
        self, code: int, message: str, subcode: int = 0, status: int = 400, *, after_write: bool = False
    ) -> None:
        """The next call fails; with ``after_write`` the next write is done first (an outcome the
        bridge cannot know)."""
        error = GraphError(code, message, subcode, status)
        if after_write:
            self.state.fail_after_write = error
        else:
            self.state.fail_next = error

    # answers (called by the routes) ----------------------------------------------------------------
    def reply_to(self, object_id: str, text: str, platform: str) -> dict[str, Any]:
        with self._lock:
            parent = self.state.comments.get(object_id) or self.state.posts.get(object_id)
            if parent is None and object_id not in self.state.media:
                raise GraphError(
                    100, f"Unsupported post request. Object with ID '{object_id}' does not exist"
                )
            base = object_id.rsplit("_", 1)[0] if platform == "facebook" else ""
            new_id = f"{base}_{self.next_id()}" if base else self.next_id()
            ours = (
                dict(self.page) if platform == "facebook" else {"id": IG_ID, "username": self.ig["username"]}
            )
            stamp = "created_time" if platform == "facebook" else "timestamp"
            comment = {
                "id": new_id,
                "from": ours,
                stamp: iso(_now()),
                "parent_id": object_id,
                "object_id": parent.get("object_id", object_id) if parent else object_id,
                "platform": platform,
                "hidden": False,
                "private_reply": "",
                "message" if platform == "facebook" else "text": text,
            }
            if platform == "instagram":
                comment["username"] = self.ig["username"]
            self.state.comments[new_id] = comment
            return comment

    def send(self, body: dict[str, Any]) -> dict[str, Any]:
        """The Send API: to a person (inside the window, or tagged) or a private reply to a comment."""
        recipient = body.get("recipient") or {}
        text = str((body.get("message") or {}).get("text") or "")
        with self._lock:
            if "comment_id" in recipient:
                return self._private_reply(str(recipient["comment_id"]), text, body)
            person = str(recipient.get("id") or "")
            kind, thread = self._thread_of(person)
            last = next((m for m in thread if m["from"].get("id") == person), None)
            if last is None:
                raise GraphError(100, "(#100) No matching user found", 2018001)
            age = _now() - datetime.fromisoformat(last["created_time"].replace("+0000", "+00:00"))
            tagged = body.get("messaging_type") == "MESSAGE_TAG" and body.get("tag") == "HUMAN_AGENT"
            if age > (HUMAN_AGENT if tagged else WINDOW):
                raise GraphError(10, "(#10) This message is sent outside of allowed window.", 2018278)
            message = {
                "id": f"m_{self.next_id()}",
                "message": text,
                "from": self._us(kind),
                "created_time": iso(_now()),
            }
            thread.insert(0, message)
            self.state.sent.append(body)
            return {"recipient_id": person, "message_id": message["id"]}

    def _private_reply(self, comment_id: str, text: str, body: dict[str, Any]) -> dict[str, Any]:
        comment = self.state.comments.get(comment_id)
        if comment is None:
            raise GraphError(100, f"Object with ID '{comment_id}' does not exist")
        if comment["private_reply"]:
            raise GraphError(10900, "Activity already replied to")
        stamp = comment.get("created_time") or comment.get("timestamp")
        if _now() - datetime.fromisoformat(str(stamp).replace("+0000", "+00:00")) > PRIVATE_REPLY:
            raise GraphError(10, "(#10) This message is sent outside of allowed window.", 2018278)
        kind = "instagram" if comment["platform"] == "instagram" else "messenger"
        person = str(comment["from"].get("id"))
        message = {
            "id": f"m_{self.next_id()}",
            "message": text,
            "from": self._us(kind),
            "created_time": iso(_now()),
        }
        self.state.conversations.setdefault((kind, person), []).insert(0, message)
        comment["private_reply"] = f"t_{self.next_id()}"
        self.state.sent.append(body)
        return {"recipient_id": person, "message_id": message["id"]}

    def _thread_of(self, person: str) -> tuple[str, list[dict[str, Any]]]:
        for (kind, who), thread in self.state.conversations.items():
            if who == person:
                return kind, thread
        return "messenger", []

    def _us(self, kind: str) -> dict[str, str]:
        return (
            {"id": PAGE_ID, "name": self.page["name"]}
            if kind == "messenger"
            else {"id": IG_ID, "username": self.ig["username"]}
        )

    # HTTP ----------------------------------------------------------------------------------------
    def _app(self) -> web.Application:
        from standins.meta_graph_routes import routes

        app = web.Application()
        app.add_routes(routes(self))
        return app


def _now() -> datetime:
    return datetime.now(UTC)
