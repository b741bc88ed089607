"""The stand-in's XRPC methods: what the bridge asks of a Bluesky PDS (``standins/bluesky_api.py``).

Records are checked as the PDS checks them against ``app.bsky.feed.post``: text at most 300 graphemes
and 3000 UTF-8 bytes, facets inside the text on byte offsets, and reply references that are strong
references (uri and cid) to posts that exist.
"""

from __future__ import annotations

import asyncio
import unicodedata
from typing import TYPE_CHECKING, Any

import emoji
from aiohttp import web

from standins import bluesky_entities as entities

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from standins.bluesky_api import BlueskyStandIn

MAX_GRAPHEMES = 300
MAX_BYTES = 3000
POST = "app.bsky.feed.post"
BLOCK = "app.bsky.graph.block"


def _error(status: int, error: str, message: str) -> web.Response:
    return web.json_response({"error": error, "message": message}, status=status)


def graphemes(text: str) -> int:
    single = emoji.replace_emoji(unicodedata.normalize("NFC", text), replace="e")
    return sum(1 for c in single if not unicodedata.combining(c) and c not in "\u200d\ufe0e\ufe0f")


def record_problem(record: dict[str, Any], posts: dict[str, dict[str, Any]]) -> str | None:
    """Why the PDS would refuse ``record`` as an ``app.bsky.feed.post``; ``None`` when it would not."""
    text = str(record.get("text") or "")
    size = len(text.encode())
    if graphemes(text) > MAX_GRAPHEMES:
        return (
            "Invalid app.bsky.feed.post record: "
            f"Record/text must not be longer than {MAX_GRAPHEMES} graphemes"
        )
    if size > MAX_BYTES:
        return (
            f"Invalid app.bsky.feed.post record: Record/text must not be longer than {MAX_BYTES} characters"
        )
    for facet in record.get("facets") or []:
        index = facet.get("index") or {}
        if not 0 <= index.get("byteStart", -1) < index.get("byteEnd", -1) <= size:
            return "Invalid app.bsky.feed.post record: facet index outside the text"
    reply = record.get("reply") or {}
    for part in ("root", "parent") if "reply" in record else ():
        ref = reply.get(part) or {}
        found = posts.get(ref.get("uri", ""))
        if found is None or found["cid"] != ref.get("cid"):
            return f"Invalid app.bsky.feed.post record: Record/reply/{part} must be a strong ref to a post"
    return None


class Methods:
    """One method per XRPC method, on the stand-in's state."""

    def __init__(self, stand: BlueskyStandIn) -> None:
        self.stand = stand
        self.state = stand.state

    # sessions -------------------------------------------------------------------------------------
    async def create_session(self, request: web.Request) -> web.Response:
        body = await request.json()
        me = self.stand.me
        from standins.bluesky_api import APP_PASSWORD

        if body.get("identifier") not in (me["handle"], me["did"]) or body.get("password") != APP_PASSWORD:
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        return web.json_response(self.stand.new_session())

    async def refresh_session(self, _: web.Request) -> web.Response:
        self.state.refreshes += 1
        return web.json_response(self.stand.new_session())

    async def get_profile(self, request: web.Request) -> web.Response:
        found = self.stand.account_named(request.query.get("actor", ""))
        return web.json_response(found) if found else _error(400, "InvalidRequest", "Profile not found")

    async def resolve_handle(self, request: web.Request) -> web.Response:
        found = self.stand.account_named(request.query.get("handle", ""))
        if found is None:
            return _error(400, "InvalidRequest", "Unable to resolve handle")
        return web.json_response({"did": found["did"]})

    # reading ------------------------------------------------------------------------------------
    async def list_notifications(self, request: web.Request) -> web.Response:
        """Newest first; ``cursor`` pages to older ones, as the AppView does."""
        hidden = self.state.mutes | set(self.state.blocks)
        items = [n for n in reversed(self.state.notifications) if n["author"]["did"] not in hidden]
        start = int(request.query.get("cursor") or 0)
        limit = min(int(request.query.get("limit") or 50), 100)
        page = items[start : start + limit]
        answer: dict[str, Any] = {"notifications": page, "seenAt": entities.iso_now()}
        if start + limit < len(items):
            answer["cursor"] = str(start + limit)
        return web.json_response(answer)

    async def get_posts(self, request: web.Request) -> web.Response:
        uris = request.query.getall("uris", [])
        return web.json_response(
            {"posts": [entities.post_view(self.state.posts[u]) for u in uris if u in self.state.posts]}
        )

    async def get_post_thread(self, request: web.Request) -> web.Response:
        found = self.state.posts.get(request.query.get("uri", ""))
        if found is None:
            return _error(400, "NotFound", f"Post not found: {request.query.get('uri')}")
        replies = [
            {"$type": "app.bsky.feed.defs#threadViewPost", "post": entities.post_view(p), "replies": []}
            for p in self.state.posts.values()
            if ((p["record"].get("reply") or {}).get("parent") or {}).get("uri") == found["uri"]
        ]
        thread = {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": entities.post_view(found),
            "replies": replies,
        }
        return web.json_response({"thread": thread})

    async def list_records(self, request: web.Request) -> web.Response:
        collection = request.query.get("collection")
        limit = min(int(request.query.get("limit") or 50), 100)
        if collection == BLOCK:
            blocks = [
                (uri, {"$type": BLOCK, "subject": did, "createdAt": entities.iso_now()})
                for did, uri in self.state.blocks.items()
            ]
            records = [{"uri": uri, "cid": entities.cid_for(value), "value": value} for uri, value in blocks]
            return web.json_response({"records": records[:limit]})
        mine = [p for p in reversed(self.stand.posts) if collection == POST]
        records = [{"uri": p["uri"], "cid": p["cid"], "value": p["record"]} for p in mine[:limit]]
        return web.json_response({"records": records})

    # writing ------------------------------------------------------------------------------------
    async def create_record(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("repo") not in (self.stand.me["did"], self.stand.me["handle"]):
            return _error(400, "InvalidRequest", "Can only write to your own repo")
        record = body.get("record") or {}
        if body.get("collection") == BLOCK:
            subject = str(record.get("subject") or "")
            uri = f"at://{self.stand.me['did']}/{BLOCK}/{entities.tid()}"
            self.state.blocks[subject] = uri
            return web.json_response({"uri": uri, "cid": entities.cid_for(record)})
        if body.get("collection") != POST:
            return _error(400, "InvalidRequest", f"Unsupported collection {body.get('collection')}")
        problem = record_problem(record, self.state.posts)
        if problem:
            return _error(400, "InvalidRecord", problem)
        fault, self.state.fault = self.state.fault, None
        if fault is None:
            post = self.stand.create_post(self.stand.me, record)
            return web.json_response({"uri": post["uri"], "cid": post["cid"], "validationStatus": "valid"})
        if fault.after_write:
            self.stand.create_post(self.stand.me, record)  # recorded, but the answer will say otherwise
        if fault.stall_seconds:
            await asyncio.sleep(fault.stall_seconds)
        return _error(fault.status, "UpstreamFailure", "Upstream Failure")

    async def delete_record(self, request: web.Request) -> web.Response:
        body = await request.json()
        wanted = f"at://{self.stand.me['did']}/{body.get('collection')}/{body.get('rkey')}"
        self.state.blocks = {d: u for d, u in self.state.blocks.items() if u != wanted}
        self.state.posts.pop(wanted, None)
        return web.json_response({})

    async def mute_actor(self, request: web.Request) -> web.Response:
        found = self.stand.account_named(str((await request.json()).get("actor") or ""))
        if found is None:
            return _error(400, "InvalidRequest", "Actor not found")
        self.state.mutes.add(found["did"])
        return web.Response(status=200)

    async def unmute_actor(self, request: web.Request) -> web.Response:
        found = self.stand.account_named(str((await request.json()).get("actor") or ""))
        self.state.mutes.discard(found["did"] if found else "")
        return web.Response(status=200)

    async def create_report(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.state.reports.append(body)
        return web.json_response(
            {
                **body,
                "id": len(self.state.reports),
                "reportedBy": self.stand.me["did"],
                "createdAt": entities.iso_now(),
            }
        )

    # chat ---------------------------------------------------------------------------------------
    def _convo_view(self, convo: str) -> dict[str, Any]:
        members = [self.state.accounts[d] for d in self.state.convos[convo]]
        messages = self.state.messages[convo]
        view: dict[str, Any] = {
            "id": convo,
            "rev": convo,
            "members": members,
            "muted": False,
            "unreadCount": 0,
        }
        if messages:
            view["lastMessage"] = messages[-1]
        return view

    async def get_convo_for_members(self, request: web.Request) -> web.Response:
        members = [*request.query.getall("members", []), self.stand.me["did"]]
        if not all(d in self.state.accounts for d in members):
            return _error(400, "InvalidRequest", "Unknown member")
        return web.json_response({"convo": self._convo_view(self.stand.convo_for(members))})

    async def send_message(self, request: web.Request) -> web.Response:
        body = await request.json()
        convo = str(body.get("convoId") or "")
        if convo not in self.state.convos:
            return _error(400, "InvalidConvo", "Convo not found")
        text = str((body.get("message") or {}).get("text") or "")
        return web.json_response(self.stand.deliver(convo, self.stand.me["did"], text))

    async def get_messages(self, request: web.Request) -> web.Response:
        convo = request.query.get("convoId", "")
        if convo not in self.state.convos:
            return _error(400, "InvalidConvo", "Convo not found")
        limit = min(int(request.query.get("limit") or 50), 100)
        return web.json_response({"messages": list(reversed(self.state.messages[convo]))[:limit]})

    async def list_convos(self, _: web.Request) -> web.Response:
        mine = [c for c, who in self.state.convos.items() if self.stand.me["did"] in who]
        return web.json_response({"convos": [self._convo_view(c) for c in reversed(mine)]})


def routes(stand: BlueskyStandIn) -> list[web.RouteDef]:
    m = Methods(stand)
    table: dict[str, Callable[[web.Request], Awaitable[web.StreamResponse]]] = {
        "com.atproto.server.createSession": m.create_session,
        "com.atproto.server.refreshSession": m.refresh_session,
        "com.atproto.identity.resolveHandle": m.resolve_handle,
        "app.bsky.actor.getProfile": m.get_profile,
        "app.bsky.notification.listNotifications": m.list_notifications,
        "app.bsky.feed.getPosts": m.get_posts,
        "app.bsky.feed.getPostThread": m.get_post_thread,
        "com.atproto.repo.listRecords": m.list_records,
        "com.atproto.repo.createRecord": m.create_record,
        "com.atproto.repo.deleteRecord": m.delete_record,
        "app.bsky.graph.muteActor": m.mute_actor,
        "com.atproto.moderation.createReport": m.create_report,
        "app.bsky.graph.unmuteActor": m.unmute_actor,
        "chat.bsky.convo.getConvoForMembers": m.get_convo_for_members,
        "chat.bsky.convo.sendMessage": m.send_message,
        "chat.bsky.convo.getMessages": m.get_messages,
        "chat.bsky.convo.listConvos": m.list_convos,
    }

    async def dispatch(request: web.Request) -> web.StreamResponse:
        method = table.get(request.match_info["nsid"])
        if method is None:
            return _error(
                501, "MethodNotImplemented", f"Method Not Implemented: {request.match_info['nsid']}"
            )
        return await method(request)

    return [web.get("/xrpc/{nsid}", dispatch), web.post("/xrpc/{nsid}", dispatch)]
