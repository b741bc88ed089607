"""The X API v2 endpoints the bridge uses, answering as X answers.

Each handler reads its request, changes the store and returns X's JSON; refusals are raised as
``XProblem`` and rendered by the pipeline in ``x_api``. The route table also says which endpoints
need a user context (X refuses app-only bearer tokens there) and each one's 15-minute limit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from standins import x_query as q
from standins import x_vocabulary as v
from standins.x_errors import (
    DUPLICATE_CONTENT,
    REPLY_TARGET_GONE,
    invalid_request,
    not_found_error,
    problem,
)
from standins.x_render import includes, render_dm, render_post, render_user
from standins.x_store import XPost, XStore, XUser

OAUTH_TOKEN = re.compile(r'oauth_token="([^"]*)"')  # the user's access token in an OAuth 1.0a header
Handler = Callable[[web.Request], Awaitable[web.Response]]
DEFAULT_PAGE_SIZE = 10
DM_PAGE_SIZE = 100


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: str
    user_context: bool
    limit: int  # requests per 15-minute window, X's published per-user figure


ROUTES = (
    Route("GET", "/2/users/me", "get_me", True, 75),
    Route("GET", "/2/users/by/username/{username}", "get_user_by_username", False, 900),
    Route("GET", "/2/users/{id}/mentions", "get_mentions", False, 450),
    Route("GET", "/2/users/{id}/tweets", "get_user_tweets", False, 1500),
    Route("GET", "/2/tweets", "get_tweets", False, 900),
    Route("GET", "/2/tweets/{id}", "get_tweet", False, 900),
    Route("POST", "/2/tweets", "create_tweet", True, 200),
    Route("DELETE", "/2/tweets/{id}", "delete_tweet", True, 50),
    Route("PUT", "/2/tweets/{id}/hidden", "hide_reply", True, 50),
    Route("GET", "/2/users/{id}/muting", "get_muted", True, 15),
    Route("POST", "/2/users/{id}/muting", "mute", True, 50),
    Route("DELETE", "/2/users/{source_user_id}/muting/{target_user_id}", "unmute", True, 50),
    Route("POST", "/2/dm_conversations/with/{participant_id}/messages", "send_dm", True, 200),
    Route("POST", "/2/dm_conversations/{dm_conversation_id}/messages", "send_dm", True, 200),
    Route("GET", "/2/dm_events", "get_dm_events", True, 300),
    Route("GET", "/2/dm_conversations/with/{participant_id}/dm_events", "get_dm_events", True, 300),
)


def _ok(data: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(data, status=status)


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.text() or "{}")
    except json.JSONDecodeError as error:
        raise invalid_request(f"$: invalid JSON: {error.msg}", {"$": [""]}) from error
    if not isinstance(body, dict):
        raise invalid_request("$: must be an object", {"$": [str(body)]})
    return body


def _required_text(body: dict[str, Any]) -> str:
    text = body.get("text")
    if not isinstance(text, str) or not text:
        raise invalid_request("$.text: is missing but it is required", {"$.text": [json.dumps(body)]})
    return text


class XEndpoints:
    def __init__(self, store: XStore) -> None:
        self.store = store

    def _actor(self, request: web.Request) -> XUser:
        """The account acting: the one whose OAuth 1.0a access token signed the request, else the brand."""
        found = OAUTH_TOKEN.search(request.headers.get("Authorization", ""))
        token = unquote(found.group(1)) if found else ""
        user_id = self.store.account_tokens.get(token, self.store.brand.id)
        return self.store.users[user_id]

    def _me(self, request: web.Request) -> str:
        return self._actor(request).id

    def _timeline(
        self, request: web.Request, posts: list[XPost], extra: tuple[str, ...] = ()
    ) -> web.Response:
        query = request.query
        q.check_params(query, (*v.TIMELINE_PARAMS, *extra))
        limit = q.max_results(query, default=DEFAULT_PAGE_SIZE, low=5, high=100)
        since, until = q.optional_id(query, "since_id"), q.optional_id(query, "until_id")
        start, end = q.time_bound(query, "start_time"), q.time_bound(query, "end_time")
        tweet_fields = q.field_set(query, "tweet.fields", v.TWEET_FIELDS)
        user_fields = q.field_set(query, "user.fields", v.USER_FIELDS)
        expansions = q.field_set(query, "expansions", v.TWEET_EXPANSIONS)
        kept = [
            p
            for p in posts
            if (since is None or int(p.id) > since)
            and (until is None or int(p.id) < until)
            and (start is None or p.created_at >= start)
            and (end is None or p.created_at <= end)
        ]
        chosen, meta = q.paginate(kept, query, limit=limit)
        if not chosen:
            return _ok({"meta": meta})
        body: dict[str, Any] = {"data": [render_post(p, tweet_fields, self.store) for p in chosen]}
        extra_objects = includes(
            chosen, expansions, tweet_fields=tweet_fields, user_fields=user_fields, store=self.store
        )
        if extra_objects:
            body["includes"] = extra_objects
        body["meta"] = meta
        return _ok(body)

    def _known_user(self, user_id: str) -> web.Response | None:
        q.check_id(user_id)
        if user_id not in self.store.users:
            return _ok({"errors": [not_found_error("user", "id", user_id)]})
        return None

    async def get_mentions(self, request: web.Request) -> web.Response:
        user_id = request.match_info["id"]
        missing = self._known_user(user_id)
        if missing is not None:
            return missing
        brand = self.store.brand.id
        posts = self.store.select(
            lambda p: (p.mentions_brand and user_id == brand) or p.mentions_account == user_id
        )
        return self._timeline(request, posts)

    async def get_user_tweets(self, request: web.Request) -> web.Response:
        user_id = request.match_info["id"]
        missing = self._known_user(user_id)
        if missing is not None:
            return missing
        exclude = q.field_set(request.query, "exclude", frozenset({"replies", "retweets"}))
        posts = self.store.select(
            lambda p: p.author_id == user_id and not ("replies" in exclude and p.in_reply_to)
        )
        return self._timeline(request, posts, ("exclude",))

    def _lookup(self, request: web.Request, ids: list[str]) -> tuple[list[XPost], list[dict[str, Any]]]:
        q.check_params(request.query, ("ids", "expansions", "tweet.fields", "user.fields", *v.OPAQUE_PARAMS))
        found = self.store.select(lambda p: p.id in ids)
        by_id = {p.id: p for p in found}
        posts = [by_id[i] for i in ids if i in by_id]
        errors = [not_found_error("tweet", "id", i) for i in ids if i not in by_id]
        return posts, errors

    def _lookup_response(self, request: web.Request, ids: list[str], single: bool) -> web.Response:
        posts, errors = self._lookup(request, ids)
        tweet_fields = q.field_set(request.query, "tweet.fields", v.TWEET_FIELDS)
        user_fields = q.field_set(request.query, "user.fields", v.USER_FIELDS)
        expansions = q.field_set(request.query, "expansions", v.TWEET_EXPANSIONS)
        body: dict[str, Any] = {}
        if posts:
            rendered = [render_post(p, tweet_fields, self.store) for p in posts]
            body["data"] = rendered[0] if single else rendered
            extra = includes(
                posts, expansions, tweet_fields=tweet_fields, user_fields=user_fields, store=self.store
            )
            if extra:
                body["includes"] = extra
        if errors:
            body["errors"] = errors
        return _ok(body)

    async def get_tweet(self, request: web.Request) -> web.Response:
        return self._lookup_response(request, [q.check_id(request.match_info["id"])], single=True)

    async def get_tweets(self, request: web.Request) -> web.Response:
        raw = request.query.get("ids", "")
        ids = [q.check_id(i, "ids") for i in raw.split(",") if i]
        if not 1 <= len(ids) <= 100:
            raise invalid_request("The `ids` query parameter value must hold 1 to 100 ids", {"ids": [raw]})
        return self._lookup_response(request, ids, single=False)

    async def create_tweet(self, request: web.Request) -> web.Response:
        body = await _body(request)
        text = _required_text(body)
        reply = body.get("reply") or {}
        target = reply.get("in_reply_to_tweet_id")
        if target is not None and not (isinstance(target, str) and target.isdigit()):
            raise invalid_request(
                "$.reply.in_reply_to_tweet_id: does not match the regex pattern ^[0-9]{1,19}$",
                {"$.reply.in_reply_to_tweet_id": [str(target)]},
            )
        store, actor = self.store, self._actor(request)
        with store.lock:
            if target is not None and target not in store.posts:
                raise problem(403, REPLY_TARGET_GONE)
            if any(p.author_id == actor.id and p.text == text for p in store.posts.values()):
                raise problem(403, DUPLICATE_CONTENT)
            post = store.add_post(text, actor, in_reply_to=target)
        return _ok({"data": {"id": post.id, "text": post.text, "edit_history_tweet_ids": [post.id]}}, 201)

    async def delete_tweet(self, request: web.Request) -> web.Response:
        post_id = q.check_id(request.match_info["id"])
        with self.store.lock:
            post = self.store.posts.get(post_id)
            if post is None:
                raise problem(404, f"Could not find tweet with id: [{post_id}].")
            if post.author_id != self._me(request):
                raise problem(403, "You are not allowed to delete a Tweet you did not create.")
            self.store.delete_post(post_id)
        return _ok({"data": {"deleted": True}})

    async def hide_reply(self, request: web.Request) -> web.Response:
        post_id = q.check_id(request.match_info["id"])
        hidden = (await _body(request)).get("hidden")
        if not isinstance(hidden, bool):
            raise invalid_request("$.hidden: is missing but it is required", {"$.hidden": [str(hidden)]})
        with self.store.lock:
            post = self.store.posts.get(post_id)
            if post is None:
                raise problem(404, f"Could not find tweet with id: [{post_id}].")
            root = self.store.posts.get(post.conversation_id)
            if post.in_reply_to is None or root is None or root.author_id != self._me(request):
                raise problem(403, "You can only hide or unhide replies to conversations you authored.")
            post.hidden = hidden
        return _ok({"data": {"hidden": hidden}})

    def _acting_as_brand(self, request: web.Request, user_id: str) -> None:
        q.check_id(user_id)
        if user_id != self._me(request):
            raise problem(403, "You can only act on behalf of the authenticated user.")

    async def mute(self, request: web.Request) -> web.Response:
        self._acting_as_brand(request, request.match_info["id"])
        target = (await _body(request)).get("target_user_id")
        if not isinstance(target, str) or not target.isdigit():
            raise invalid_request(
                "$.target_user_id: is missing but it is required", {"$.target_user_id": [str(target)]}
            )
        with self.store.lock:
            self.store.muted.setdefault(self._me(request), set()).add(target)
        return _ok({"data": {"muting": True}})

    async def unmute(self, request: web.Request) -> web.Response:
        self._acting_as_brand(request, request.match_info["source_user_id"])
        target = q.check_id(request.match_info["target_user_id"], "target_user_id")
        with self.store.lock:
            self.store.muted.get(self._me(request), set()).discard(target)
        return _ok({"data": {"muting": False}})

    async def get_muted(self, request: web.Request) -> web.Response:
        self._acting_as_brand(request, request.match_info["id"])
        user_fields = q.field_set(request.query, "user.fields", v.USER_FIELDS)
        with self.store.lock:
            ids = sorted(self.store.muted.get(self._me(request), set()))
            users = [render_user(self.store.users[i], user_fields) for i in ids if i in self.store.users]
        if not users:
            return _ok({"meta": {"result_count": 0}})
        return _ok({"data": users, "meta": {"result_count": len(users)}})

    async def get_me(self, request: web.Request) -> web.Response:
        q.check_params(request.query, ("expansions", "tweet.fields", "user.fields"))
        q.field_set(request.query, "expansions", v.USER_EXPANSIONS)
        q.field_set(request.query, "tweet.fields", v.TWEET_FIELDS)
        user_fields = q.field_set(request.query, "user.fields", v.USER_FIELDS)
        return _ok({"data": render_user(self._actor(request), user_fields)})

    async def get_user_by_username(self, request: web.Request) -> web.Response:
        q.check_params(request.query, ("expansions", "tweet.fields", "user.fields"))
        user_fields = q.field_set(request.query, "user.fields", v.USER_FIELDS)
        username = request.match_info["username"]
        user = self.store.user_by_handle(username)
        if user is None:
            return _ok({"errors": [not_found_error("user", "username", username)]})
        return _ok({"data": render_user(user, user_fields)})

    async def send_dm(self, request: web.Request) -> web.Response:
        text = _required_text(await _body(request))
        participant, me = request.match_info.get("participant_id"), self._me(request)
        if participant is None:
            members = request.match_info["dm_conversation_id"].split("-")
            if me not in members or len(members) != 2:
                raise problem(403, "You are not a participant of this conversation.")
            participant = next((m for m in members if m != me), me)
        q.check_id(participant, "participant_id")
        message = self.store.add_direct_message(me, participant, text)
        return _ok(
            {"data": {"dm_conversation_id": message.dm_conversation_id, "dm_event_id": message.id}}, 201
        )

    async def get_dm_events(self, request: web.Request) -> web.Response:
        query = request.query
        q.check_params(
            query,
            (
                "dm_event.fields",
                "event_types",
                "expansions",
                "max_results",
                "pagination_token",
                "tweet.fields",
                "user.fields",
                *v.OPAQUE_PARAMS,
            ),
        )
        fields = q.field_set(query, "dm_event.fields", v.DM_EVENT_FIELDS)
        expansions = q.field_set(query, "expansions", v.DM_EXPANSIONS)
        user_fields = q.field_set(query, "user.fields", v.USER_FIELDS)
        q.field_set(
            query, "event_types", frozenset({"MessageCreate", "ParticipantsJoin", "ParticipantsLeave"})
        )
        limit = q.max_results(query, default=DM_PAGE_SIZE, low=1, high=100)
        participant, me = request.match_info.get("participant_id"), self._me(request)
        with self.store.lock:
            events = [
                m
                for m in reversed(self.store.direct_messages)
                if me in m.participant_ids and (participant is None or participant in m.participant_ids)
            ]
            chosen, meta = q.paginate(events, query, limit=limit)
            user_ids = [
                uid
                for m in chosen
                for uid in ([m.sender_id] if "sender_id" in expansions else [])
                + (m.participant_ids if "participant_ids" in expansions else [])
            ]
            users = [self.store.users[i] for i in dict.fromkeys(user_ids) if i in self.store.users]
        if not chosen:
            return _ok({"meta": meta})
        body: dict[str, Any] = {"data": [render_dm(m, fields) for m in chosen]}
        if users:
            body["includes"] = {"users": [render_user(u, user_fields) for u in users]}
        body["meta"] = meta
        return _ok(body)
