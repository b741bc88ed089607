"""The stand-in's endpoints: what the bridge asks of a Mastodon instance (``standins/mastodon_api.py``)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from standins import mastodon_entities as entities

if TYPE_CHECKING:
    from standins.mastodon_api import MastodonStandIn


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _newer(items: list[dict[str, Any]], query: Any) -> list[dict[str, Any]]:
    """Newest first, after ``since_id`` and before ``max_id``, at most ``limit``."""
    since, before = int(query.get("since_id") or 0), int(query.get("max_id") or 0)
    limit = min(int(query.get("limit") or 20), 40)
    chosen = [i for i in items if int(i["id"]) > since and (not before or int(i["id"]) < before)]
    return sorted(chosen, key=lambda i: int(i["id"]), reverse=True)[:limit]


class Endpoints:
    """One method per endpoint, on the stand-in's state."""

    def __init__(self, stand: MastodonStandIn) -> None:
        self.stand = stand
        self.state = stand.state

    async def verify_credentials(self, _: web.Request) -> web.Response:
        return web.json_response(self.stand.me)

    async def instance(self, request: web.Request) -> web.Response:
        found = entities.instance(entities.BASE, self.stand.max_characters)
        found["configuration"]["urls"]["streaming"] = f"ws://{request.host}"  # where this stand-in listens
        return web.json_response(found)

    async def stream_user(self, request: web.Request) -> web.StreamResponse:
        """The user stream as server-sent events: ``:)`` on connecting, then each event as it happens
        (``event: notification`` / ``data: {...}``), and ``:thump`` while nothing does."""
        if not self.stand.streaming:
            return _error(503, "Service Unavailable")
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        queue = self.stand.open_stream()
        try:
            await response.write(b":)\n")
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), self.stand.heartbeat_seconds)
                except TimeoutError:
                    item = b":thump\n"
                if item is None:
                    break
                await response.write(item)
        except ConnectionResetError:
            pass  # the client went away
        finally:
            self.stand.close_stream(queue)
        return response

    async def notifications(self, request: web.Request) -> web.Response:
        types = request.query.getall("types[]", [])
        items = [n for n in self.state.notifications if not types or n["type"] in types]
        items = [n for n in items if n["account"]["id"] not in self.state.mutes | self.state.blocks]
        return web.json_response(_newer(items, request.query))

    async def get_status(self, request: web.Request) -> web.Response:
        found = self.state.statuses.get(request.match_info["id"])
        return web.json_response(found) if found else _error(404, "Not Found")

    async def post_status(self, request: web.Request) -> web.Response:
        form = await request.post()
        text = str(form.get("status") or "")
        if not text.strip():
            return _error(422, "Validation failed: Text can't be blank")
        if len(text) > self.stand.max_characters:
            return _error(
                422, f"Validation failed: Text character limit of {self.stand.max_characters} exceeded"
            )
        parent = self.state.statuses.get(str(form.get("in_reply_to_id") or ""))
        if form.get("in_reply_to_id") and parent is None:
            return _error(404, "Not Found")
        fault, self.state.fault = self.state.fault, None
        if fault is not None and not fault.after_write:
            await asyncio.sleep(fault.stall_seconds)
            return _error(fault.status, "Internal Server Error")
        named = [a for w in text.split() if w.startswith("@") and (a := self.stand.account_named(w))]
        status = entities.status(
            entities.BASE, self.stand.next_id(), self.stand.me, text, created=datetime.now(UTC),
            visibility=str(form.get("visibility") or "public"), in_reply_to=parent,
            spoiler_text=str(form.get("spoiler_text") or ""), named=named,
        )  # fmt: skip
        self.state.statuses[status["id"]] = status
        if fault is not None:
            await asyncio.sleep(fault.stall_seconds)
            return _error(fault.status, "Internal Server Error")
        return web.json_response(status)

    async def account_statuses(self, request: web.Request) -> web.Response:
        owner = request.match_info["id"]
        items = [s for s in self.state.statuses.values() if s["account"]["id"] == owner]
        return web.json_response(_newer(items, request.query))

    async def get_account(self, request: web.Request) -> web.Response:
        found = self.state.accounts.get(request.match_info["id"])
        return web.json_response(found) if found else _error(404, "Record not found")

    async def lookup(self, request: web.Request) -> web.Response:
        found = self.stand.account_named(request.query.get("acct", ""))
        return web.json_response(found) if found else _error(404, "Record not found")

    async def relate(self, request: web.Request) -> web.Response:
        account_id, verb = request.match_info["id"], request.match_info["verb"]
        if account_id not in self.state.accounts:
            return _error(404, "Record not found")
        chosen = self.state.mutes if verb.endswith("mute") else self.state.blocks
        (chosen.discard if verb.startswith("un") else chosen.add)(account_id)
        return web.json_response(
            entities.relationship(
                account_id,
                blocking=account_id in self.state.blocks,
                muting=account_id in self.state.mutes,
            )
        )

    async def report(self, request: web.Request) -> web.Response:
        form = await request.post()
        account_id = str(form.get("account_id") or "")
        if account_id not in self.state.accounts:
            return _error(404, "Record not found")
        filed = {
            "id": str(len(self.state.reports) + 1), "action_taken": False, "category": "other",
            "comment": str(form.get("comment") or ""), "forwarded": False,
            "created_at": entities.iso(datetime.now(UTC)),
            "status_ids": [str(v) for v in form.getall("status_ids[]", [])],
            "target_account": self.state.accounts[account_id],
        }  # fmt: skip
        self.state.reports.append(filed)
        return web.json_response(filed)

    def table(self) -> list[web.RouteDef]:
        table = [
            web.get("/api/v1/accounts/verify_credentials", self.verify_credentials),
            web.get("/api/v1/accounts/lookup", self.lookup),
            web.get("/api/v2/instance", self.instance),
            web.get("/api/v1/streaming/user", self.stream_user),
            web.get("/api/v1/notifications", self.notifications),
            web.get("/api/v1/statuses/{id}", self.get_status),
            web.post("/api/v1/statuses", self.post_status),
            web.get("/api/v1/accounts/{id}/statuses", self.account_statuses),
            web.get("/api/v1/accounts/{id}", self.get_account),
            web.post("/api/v1/accounts/{id}/{verb:mute|unmute|block|unblock}", self.relate),
            web.post("/api/v1/reports", self.report),
        ]
        # Mastodon.py asks for some paths with a trailing slash (``/api/v2/instance/``); Mastodon takes both
        slashed = [web.route(r.method, r.path + "/", r.handler) for r in table]
        return table + slashed


def routes(stand: MastodonStandIn) -> list[web.RouteDef]:
    return Endpoints(stand).table()
