"""The aiohttp application: routes only. Adapters supply the handlers for their platforms' paths."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bridge.app.metrics import HTTP_REQUESTS, HTTP_SECONDS
from bridge.app.runtime import Runtime

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Route = tuple[str, str, Handler]


@web.middleware
async def _measure(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    route = request.match_info.route.resource.canonical if request.match_info.route.resource else "unknown"
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        HTTP_REQUESTS.labels(route, str(exc.status)).inc()
        raise
    HTTP_REQUESTS.labels(route, str(response.status)).inc()
    HTTP_SECONDS.labels(route).observe(time.perf_counter() - started)
    return response


def create_app(rt: Runtime, routes: Iterable[Route]) -> web.Application:
    app = web.Application(middlewares=[_measure], client_max_size=1_000_000)

    async def healthz(_request: web.Request) -> web.Response:
        try:
            rt.redis.ping()
        except Exception as exc:  # a health check reports every failure, whatever its kind
            return web.json_response({"ok": False, "redis": str(exc)}, status=503)
        playbook = rt.playbooks.last_error
        return web.json_response({"ok": True, "playbook_reload_error": playbook or None})

    async def metrics(_request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
    return app
