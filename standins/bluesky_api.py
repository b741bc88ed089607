"""A stand-in of a Bluesky PDS (with the AppView and chat service behind it), served by aiohttp; the
real ``atproto`` SDK talks to it over XRPC.

It keeps accounts, posts, mention and reply notifications, mutes, blocks and chat conversations in
memory and answers in the lexicons' shapes (:mod:`standins.bluesky_entities`), with ``RateLimit-*``
headers on every answer. Sessions are JWTs with an expiry the SDK reads, so it refreshes them; an
expired access token is refused with ``ExpiredToken`` as the PDS does. Tests add customers' posts with
:meth:`BlueskyStandIn.add_mention` and read what the bridge did from :attr:`BlueskyStandIn.posts`,
``mutes``, ``blocks`` and :meth:`messages_to`.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from standins import bluesky_entities as entities

APP_PASSWORD = "abcd-efgh-ijkl-mnop"  # the shape of a Bluesky app password
CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"
RATE_LIMIT = 3000  # the PDS's published limit: 3000 requests per 5 minutes per IP
RATE_WINDOW_SECONDS = 300


@dataclass
class Fault:
    """The next post record answers ``status``; with ``after_write`` the post is created first (an
    outcome the bridge cannot know); ``stall_seconds`` holds the answer (a worker may be killed)."""

    status: int
    after_write: bool = False
    stall_seconds: float = 0.0


@dataclass
class BlueskyState:
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)  # did → profile view
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)  # at-uri → {uri, cid, author, ...}
    notifications: list[dict[str, Any]] = field(default_factory=list)
    mutes: set[str] = field(default_factory=set)  # DIDs
    blocks: dict[str, str] = field(default_factory=dict)  # DID → block record uri
    convos: dict[str, list[str]] = field(default_factory=dict)  # convo id → member DIDs
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # convo id → messageViews
    reports: list[dict[str, Any]] = field(default_factory=list)
    sessions: dict[str, float] = field(default_factory=dict)  # access jwt → expiry (epoch)
    refreshes: int = 0
    fault: Fault | None = None
    rate_limited_until: float = 0.0


def _jwt(payload: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part(payload)}.c2lnbmF0dXJl"


class BlueskyStandIn:
    def __init__(
        self,
        handle: str = "acmehelp.bsky.social",
        display_name: str = "Acme Help",
        access_seconds: int = 7200,
    ) -> None:
        self.state = BlueskyState()
        self.access_seconds = access_seconds
        self._lock = threading.Lock()
        self._message_ids = itertools.count(1)
        self.me = self.add_account(handle, display_name)
        self.app = self._app()

    # test API ------------------------------------------------------------------------------------
    def add_account(self, handle: str, display_name: str = "") -> dict[str, Any]:
        did = entities.did_for(handle)
        self.state.accounts[did] = entities.profile(did, handle, display_name)
        return self.state.accounts[did]

    def account_named(self, handle_or_did: str) -> dict[str, Any] | None:
        wanted = handle_or_did.lstrip("@").casefold()
        return next(
            (a for a in self.state.accounts.values() if wanted in (a["did"], a["handle"].casefold())), None
        )

    def create_post(self, author: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
        uri = f"at://{author['did']}/app.bsky.feed.post/{entities.tid()}"
        post = {
            "uri": uri,
            "cid": entities.cid_for(record),
            "author": author,
            "record": record,
            "indexedAt": entities.iso(datetime.now(UTC)),
        }
        self.state.posts[uri] = post
        return post

    def add_post(
        self, handle: str, text: str, *, in_reply_to: str | None = None, facets: list[Any] | None = None
    ) -> dict[str, Any]:
        """Someone's post (``in_reply_to``: the uri of the post it answers, in that post's thread)."""
        author = self.account_named(handle) or self.add_account(handle)
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": entities.iso(datetime.now(UTC)),
            "langs": ["en"],
        }
        if facets:
            record["facets"] = facets
        parent = self.state.posts.get(in_reply_to or "")
        if parent is not None:
            root = (parent["record"].get("reply") or {}).get("root") or _strong_ref(parent)
            record["reply"] = {"root": root, "parent": _strong_ref(parent)}
        return self.create_post(author, record)

    def add_mention(
        self, handle: str, text: str, *, name: str = "", in_reply_to: str | None = None
    ) -> dict[str, Any]:
        """A customer's post naming the brand (``@handle`` is prepended, with its mention facet), or a
        reply in a thread (``in_reply_to``: a post uri), and its notification: ``reply`` when it
        answers one of our posts, else ``mention``."""
        with self._lock:
            if self.account_named(handle) is None:
                self.add_account(handle, name)
            mention = f"@{self.me['handle']}"
            facet = {
                "index": {"byteStart": 0, "byteEnd": len(mention.encode())},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": self.me["did"]}],
            }
            post = self.add_post(handle, f"{mention} {text}", in_reply_to=in_reply_to, facets=[facet])
            parent = self.state.posts.get(in_reply_to or "")
            ours = parent is not None and parent["author"]["did"] == self.me["did"]
            self.state.notifications.append(entities.notification(post, "reply" if ours else "mention"))
            return post

    def set_engagement(
        self, uri: str, *, likes: int = 0, replies: int = 0, reposts: int = 0, quotes: int = 0
    ) -> None:
        """What people did with post ``uri``: its counts in every post view from now on."""
        with self._lock:
            self.state.posts[uri]["counts"] = {
                "likeCount": likes,
                "replyCount": replies,
                "repostCount": reposts,
                "quoteCount": quotes,
            }

    def url_of(self, post: dict[str, Any]) -> str:
        return entities.post_url(post["author"]["handle"], post["uri"])

    @property
    def posts(self) -> list[dict[str, Any]]:
        """The brand's own posts, oldest first."""
        return [p for p in self.state.posts.values() if p["author"]["did"] == self.me["did"]]

    def send_message(self, handle: str, text: str) -> dict[str, Any]:
        """A customer's chat message to the brand."""
        sender = self.account_named(handle) or self.add_account(handle)
        return self.deliver(self.convo_for([sender["did"], self.me["did"]]), sender["did"], text)

    def messages_to(self, handle: str) -> list[dict[str, Any]]:
        """The brand's chat messages to ``handle``, oldest first."""
        other = self.account_named(handle)
        if other is None:
            return []
        convo = self.convo_for([other["did"], self.me["did"]])
        return [m for m in self.state.messages[convo] if m["sender"]["did"] == self.me["did"]]

    def fail_next_post(
        self, status: int = 500, *, after_write: bool = False, stall_seconds: float = 0.0
    ) -> None:
        self.state.fault = Fault(status, after_write, stall_seconds)

    def revoke_sessions(self) -> None:
        """Every session ends (the account owner revoked it, or the PDS restarted its signing key)."""
        self.state.sessions.clear()

    def rate_limit_for(self, seconds: int) -> None:
        self.state.rate_limited_until = time.time() + seconds

    # sessions and chat (used by the routes) -----------------------------------------------------------
    def new_session(self) -> dict[str, Any]:
        now = int(time.time())
        access = _jwt(
            {
                "scope": "com.atproto.appPass",
                "sub": self.me["did"],
                "iat": now,
                "exp": now + self.access_seconds,
            }
        )
        refresh = _jwt(
            {"scope": "com.atproto.refresh", "sub": self.me["did"], "iat": now, "exp": now + 90 * 86400}
        )
        self.state.sessions[access] = now + self.access_seconds
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": self.me["handle"],
            "did": self.me["did"],
            "active": True,
        }

    def convo_for(self, members: list[str]) -> str:
        wanted = sorted(set(members))
        for convo, who in self.state.convos.items():
            if who == wanted:
                return convo
        convo = entities.tid()
        self.state.convos[convo] = wanted
        self.state.messages[convo] = []
        return convo

    def deliver(self, convo: str, sender: str, text: str) -> dict[str, Any]:
        message = entities.message_view(f"m{next(self._message_ids):06d}", sender, text, datetime.now(UTC))
        self.state.messages[convo].append(message)
        return message

    # HTTP ---------------------------------------------------------------------------------------
    def _app(self) -> web.Application:
        from standins.bluesky_routes import routes

        app = web.Application(middlewares=[self._middleware])
        app.add_routes(routes(self))
        return app

    def _auth_error(self, request: web.Request) -> web.Response | None:
        nsid = request.match_info.get("nsid", "")
        if nsid in ("com.atproto.server.createSession", "com.atproto.identity.resolveHandle"):
            return None
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if nsid == "com.atproto.server.refreshSession":
            return None if token.count(".") == 2 else _xrpc_error(401, "InvalidToken", "Bad refresh token")
        expiry = self.state.sessions.get(token)
        if expiry is None:
            return _xrpc_error(401, "InvalidToken", "Token could not be verified")
        if expiry <= time.time():
            return _xrpc_error(400, "ExpiredToken", "Token has expired")
        if nsid.startswith("chat.bsky.") and request.headers.get("atproto-proxy") != CHAT_PROXY:
            return _xrpc_error(400, "InvalidRequest", "chat methods need the atproto-proxy header")
        return None

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        now = time.time()
        limited = self.state.rate_limited_until > now
        reset = int(self.state.rate_limited_until if limited else now + RATE_WINDOW_SECONDS)
        headers = {
            "RateLimit-Limit": str(RATE_LIMIT),
            "RateLimit-Remaining": "0" if limited else str(RATE_LIMIT - 1),
            "RateLimit-Reset": str(reset),
            "RateLimit-Policy": f"{RATE_LIMIT};w={RATE_WINDOW_SECONDS}",
        }
        refused = _xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded") if limited else None
        response: web.StreamResponse | None = refused or self._auth_error(request)
        if response is None:
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                response = _xrpc_error(exc.status, "InvalidRequest", exc.text or exc.reason)
        response.headers.update(headers)
        return response


def _strong_ref(post: dict[str, Any]) -> dict[str, str]:
    return {"uri": post["uri"], "cid": post["cid"]}


def _xrpc_error(status: int, error: str, message: str) -> web.Response:
    return web.json_response({"error": error, "message": message}, status=status)
