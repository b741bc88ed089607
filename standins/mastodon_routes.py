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


def routes(stand: MastodonStandIn) -> list[web.RouteDef]:  # one closure per endpoint
    state = stand.state

    async def verify_credentials(_: web.Request) -> web.Response:
        return web.json_response(stand.me)

    async def instance(_: web.Request) -> web.Response:
        return web.json_response(entities.instance(entities_base(), stand.max_characters))

    def entities_base() -> str:
        from standins.mastodon_api import BASE

        return BASE

    async def notifications(request: web.Request) -> web.Response:
        types = request.query.getall("types[]", [])
        items = [n for n in state.notifications if not types or n["type"] in types]
        items = [n for n in items if n["account"]["id"] not in state.mutes | state.blocks]
        return web.json_response(_newer(items, request.query))

    async def get_status(request: web.Request) -> web.Response:
        found = state.statuses.get(request.match_info["id"])
        return web.json_response(found) if found else _error(404, "Not Found")

    async def post_status(request: web.Request) -> web.Response:
        form = await request.post()
        text = str(form.get("status") or "")
        if not text.strip():
            return _error(422, "Validation failed: Text can't be blank")
        if len(text) > stand.max_characters:
            return _error(422, f"Validation failed: Text character limit of {stand.max_characters} exceeded")
        parent = state.statuses.get(str(form.get("in_reply_to_id") or ""))
        if form.get("in_reply_to_id") and parent is None:
            return _error(404, "Not Found")
        fault, state.fault = state.fault, None
        if fault is not None and not fault.after_write:
            await asyncio.sleep(fault.stall_seconds)
            return _error(fault.status, "Internal Server Error")
        named = [a for w in text.split() if w.startswith("@") and (a := stand.account_named(w))]
        status = entities.status(
            entities_base(), stand.next_id(), stand.me, text, created=datetime.now(UTC),
            visibility=str(form.get("visibility") or "public"), in_reply_to=parent,
            spoiler_text=str(form.get("spoiler_text") or ""), named=named,
        )  # fmt: skip
        state.statuses[status["id"]] = status
        if fault is not None:
            await asyncio.sleep(fault.stall_seconds)
            return _error(fault.status, "Internal Server Error")
        return web.json_response(status)

    async def account_statuses(request: web.Request) -> web.Response:
        owner = request.match_info["id"]
        items = [s for s in state.statuses.values() if s["account"]["id"] == owner]
        return web.json_response(_newer(items, request.query))

    async def get_account(request: web.Request) -> web.Response:
        found = state.accounts.get(request.match_info["id"])
        return web.json_response(found) if found else _error(404, "Record not found")

    async def lookup(request: web.Request) -> web.Response:
        found = stand.account_named(request.query.get("acct", ""))
        return web.json_response(found) if found else _error(404, "Record not found")

    async def relate(request: web.Request) -> web.Response:
        account_id, verb = request.match_info["id"], request.match_info["verb"]
        if account_id not in state.accounts:
            return _error(404, "Record not found")
        chosen = state.mutes if verb.endswith("mute") else state.blocks
        (chosen.discard if verb.startswith("un") else chosen.add)(account_id)
        return web.json_response(
            entities.relationship(
                account_id, blocking=account_id in state.blocks, muting=account_id in state.mutes
            )
        )

    async def report(request: web.Request) -> web.Response:
        form = await request.post()
        account_id = str(form.get("account_id") or "")
        if account_id not in state.accounts:
            return _error(404, "Record not found")
        filed = {
            "id": str(len(state.reports) + 1), "action_taken": False, "category": "other",
            "comment": str(form.get("comment") or ""), "forwarded": False,
            "created_at": entities.iso(datetime.now(UTC)),
            "status_ids": [str(v) for v in form.getall("status_ids[]", [])],
            "target_account": state.accounts[account_id],
        }  # fmt: skip
        state.reports.append(filed)
        return web.json_response(filed)

    async def conversations(_: web.Request) -> web.Response:
        direct = [s for s in state.statuses.values() if s["visibility"] == "direct"]
        latest = sorted(direct, key=lambda s: int(s["id"]), reverse=True)
        return web.json_response(
            [
                {"id": s["id"], "unread": True, "accounts": [s["account"]], "last_status": s}
                for s in latest[:40]
            ]
        )

    table = [
        web.get("/api/v1/accounts/verify_credentials", verify_credentials),
        web.get("/api/v1/accounts/lookup", lookup),
        web.get("/api/v2/instance", instance),
        web.get("/api/v1/notifications", notifications),
        web.get("/api/v1/statuses/{id}", get_status),
        web.post("/api/v1/statuses", post_status),
        web.get("/api/v1/accounts/{id}/statuses", account_statuses),
        web.get("/api/v1/accounts/{id}", get_account),
        web.post("/api/v1/accounts/{id}/{verb:mute|unmute|block|unblock}", relate),
        web.post("/api/v1/reports", report),
        web.get("/api/v1/conversations", conversations),
    ]
    # Mastodon.py asks for some paths with a trailing slash (``/api/v2/instance/``): Mastodon accepts both
    slashed = [web.route(r.method, r.path + "/", r.handler) for r in table if isinstance(r, web.RouteDef)]
    return table + slashed
