"""A local stand-in of the X API v2, spoken to over real HTTP by the real ``tweepy.Client``.

tweepy hard-codes ``https://api.twitter.com``; ``adapters.x.transport.point_tweepy_at`` rewrites
that host to this server's ``url``. Tests arrange people, mentions and failures here and read back
what the bridge did: posts, mutes, hidden replies, private messages and every request made.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Literal

from aiohttp import web

from standins.x_endpoints import ROUTES, XEndpoints
from standins.x_pipeline import RATE_WINDOW_SECONDS, TIMEOUT, Credentials, XFault, XPipeline, XRequest
from standins.x_store import XDirectMessage, XPost, XStore, XUser

DEFAULT_USER_ID = "2244994945"
DEFAULT_HANDLE = "AcmeHelp"
DEFAULT_NAME = "Acme Help"

__all__ = ["TIMEOUT", "XDirectMessage", "XPost", "XRequest", "XStandIn", "XUser"]


class XStandIn:
    """The brand's X account and the people who mention it, behind X API v2 endpoints.

    ``bearer_token``/``consumer_key``, when given, must match what clients send (else 401);
    OAuth 1.0a signatures are not verified. Bearer tokens are app-only unless listed in
    ``user_bearer_tokens``; X refuses app-only tokens where it needs a user (posting, muting …).
    ``rate_limits`` overrides a window's size by route, e.g. ``{"GET /2/users/{id}/mentions": 2}``.
    """

    def __init__(
        self,
        *,
        user_id: str = DEFAULT_USER_ID,
        handle: str = DEFAULT_HANDLE,
        name: str = DEFAULT_NAME,
        bearer_token: str | None = None,
        consumer_key: str | None = None,
        user_bearer_tokens: Collection[str] = (),
        rate_limits: Mapping[str, int] | None = None,
    ) -> None:
        brand = XUser(
            id=user_id,
            username=handle,
            name=name,
            created_at=datetime(2013, 12, 1, tzinfo=UTC),
            followers_count=1000,
            verified=True,
        )
        self.store = XStore(brand=brand)
        credentials = Credentials(bearer_token, consumer_key, frozenset(user_bearer_tokens))
        self._pipeline = XPipeline(credentials, rate_limits)
        endpoints = XEndpoints(self.store)
        self.app = web.Application(middlewares=[self._pipeline.middleware])
        for route in ROUTES:
            self.app.router.add_route(route.method, route.path, getattr(endpoints, route.handler))

    @property
    def user_id(self) -> str:
        return self.store.brand.id

    @property
    def handle(self) -> str:
        return self.store.brand.username

    # -- what tests arrange ----------------------------------------------------------------------

    def add_user(
        self,
        handle: str,
        name: str | None = None,
        *,
        user_id: str | None = None,
        followers_count: int = 0,
        verified: bool = False,
    ) -> str:
        """A person on X (created, or updated when the handle or id is known); returns the id."""
        fields = {"followers_count": followers_count, "verified": verified}
        return self.store.ensure_user(handle, name or handle, user_id, **fields).id

    def add_account(self, handle: str, name: str, *, user_id: str, access_token: str) -> str:
        """Another account of the brand (the main account beside the care handle). Requests signed
        with ``access_token`` (OAuth 1.0a) act as it: posts, mutes and messages are its own."""
        user = self.store.ensure_user(handle, name, user_id, verified=True, followers_count=100_000)
        with self.store.lock:
            self.store.account_tokens[access_token] = user.id
        return user.id

    def posts_by(self, handle_or_id: str) -> list[XPost]:
        """Live posts by one account, oldest first."""
        user = self.user(handle_or_id)
        return [p for p in self.posts() if user is not None and p.author_id == user.id]

    def add_mention(
        self,
        text: str,
        *,
        author_handle: str,
        author_name: str | None = None,
        author_id: str | None = None,
        created_at: datetime | str | None = None,
        conversation_id: str | None = None,
        in_reply_to: str | None = None,
        lang: str = "en",
        followers_count: int | None = None,
        verified: bool | None = None,
        to: str | None = None,
    ) -> str:
        """A post by someone that mentions the brand; returns its id (newer posts, larger ids).

        ``to`` names another account of ours (added with :meth:`add_account`) that the post
        mentions instead of the brand (care) account: it appears in that account's mentions.

        ``in_reply_to`` makes it a reply (e.g. the customer answering the brand's reply), which
        sets ``conversation_id``, ``referenced_tweets`` and ``in_reply_to_user_id`` as X does.
        """
        changes = {"followers_count": followers_count, "verified": verified}
        fields = {k: v for k, v in changes.items() if v is not None}
        author = self.store.ensure_user(author_handle, author_name or author_handle, author_id, **fields)
        if isinstance(created_at, str):
            created_at = datetime.fromisoformat(created_at)
        post = self.store.add_post(
            text,
            author,
            created_at=created_at,
            conversation_id=conversation_id,
            in_reply_to=in_reply_to,
            lang=lang,
            mentions_brand=to is None,
            mentions_account=self._account_id(to) if to else None,
        )
        return post.id

    def _account_id(self, handle: str) -> str:
        user = self.store.user_by_handle(handle)
        if user is None or user.id not in self.store.account_tokens.values():
            raise KeyError(f"@{handle} is not an account added with add_account")
        return user.id

    def add_direct_message(self, text: str, *, sender_id: str) -> str:
        """A private message from a customer to the brand; returns its ``dm_event_id``."""
        return self.store.add_direct_message(sender_id, self.user_id, text).id

    def fail_next(
        self,
        target: str,
        *,
        status: int | Literal["timeout"],
        times: int = 1,
        reset_in: int = RATE_WINDOW_SECONDS,
        after_effect: bool = False,
        stall_seconds: float = 0.0,
    ) -> None:
        """Make the next ``times`` matching requests fail.

        ``target`` is a path prefix (``"/2/tweets"``) or a method and path prefix
        (``"POST /2/tweets"``). ``status`` 429 answers X's rate-limit error with
        ``x-rate-limit-remaining: 0`` and ``x-rate-limit-reset`` ``reset_in`` seconds ahead;
        5xx answers a server error; ``TIMEOUT`` waits ``stall_seconds`` and closes the connection
        without an answer. ``after_effect=True`` performs the request first (the post IS created)
        and then fails: the "unknown outcome" a publisher must survive without double-posting.
        """
        fault = XFault(
            status=status, reset_in=reset_in, after_effect=after_effect, stall_seconds=stall_seconds
        )
        self._pipeline.faults.add(target, fault, times)

    def pending_faults(self) -> int:
        return self._pipeline.faults.pending()

    def reset(self) -> None:
        """Forget posts, users, mutes, DMs, requests, faults and rate windows; keep the brand."""
        self.store.clear()
        self._pipeline.clear()

    # -- what tests read -------------------------------------------------------------------------

    @property
    def requests(self) -> list[XRequest]:
        return self._pipeline.requests

    def requests_to(self, method: str, path_prefix: str) -> list[XRequest]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    def post(self, post_id: str) -> XPost | None:
        """A copy of a live post, or None if it is unknown or was deleted."""
        with self.store.lock:
            found = self.store.posts.get(post_id)
            return dataclasses.replace(found) if found else None

    def set_engagement(
        self, post_id: str, *, likes: int = 0, replies: int = 0, reposts: int = 0, quotes: int = 0
    ) -> None:
        """What people did with post ``post_id``: its ``public_metrics`` from now on."""
        with self.store.lock:
            post = self.store.posts[post_id]
            post.like_count, post.reply_count = likes, replies
            post.retweet_count, post.quote_count = reposts, quotes

    def posts(self) -> list[XPost]:
        """Copies of every live post, oldest first."""
        return list(reversed(self.store.select(lambda p: True)))

    def brand_posts(self) -> list[XPost]:
        return [p for p in self.posts() if p.author_id == self.user_id]

    def replies_to(self, post_id: str) -> list[XPost]:
        """Every live reply to ``post_id``, oldest first (``.author_id`` tells whose)."""
        return [p for p in self.posts() if p.in_reply_to == post_id]

    def direct_messages(self) -> list[XDirectMessage]:
        """Private messages both ways, oldest first."""
        with self.store.lock:
            return [dataclasses.replace(m) for m in self.store.direct_messages]

    def user(self, handle_or_id: str) -> XUser | None:
        with self.store.lock:
            found = self.store.users.get(handle_or_id) or self.store.user_by_handle(handle_or_id)
            return dataclasses.replace(found) if found else None

    @property
    def deleted_ids(self) -> set[str]:
        with self.store.lock:
            return set(self.store.deleted_ids)

    @property
    def muted_user_ids(self) -> set[str]:
        with self.store.lock:
            return set(self.store.muted.get(self.user_id, set()))
