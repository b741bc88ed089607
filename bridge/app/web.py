"""The aiohttp application: routes only. Adapters supply the handlers for their platforms' paths."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from functools import cache

import structlog
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from bridge.app.health import Health, start_with
from bridge.app.heap import settle_heap
from bridge.app.metrics import HTTP_REQUESTS, HTTP_SECONDS
from bridge.app.redirects import CLICK_PATH, tracked_link_routes
from bridge.app.runtime import Runtime
from bridge.reports.chart import warm_up
from bridge.reports.chart_links import CHART_ROUTE

__all__ = ["AccessLogger", "Handler", "Route", "access_log", "create_app", "serve_until_stopped"]

access_log = structlog.get_logger("aiohttp.access")

#: How long a stopping web process waits for the chart warm-up it started (it takes about a second).
WARM_UP_JOIN_SECONDS = 15.0

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


class AccessLogger(AbstractAccessLogger):
    """aiohttp's access log as one structured ``request`` event (no query string: it may hold
    tokens), through the same renderer as every other line."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        access_log.info(
            "request",
            method=request.method,
            path=request.path,
            status=response.status,
            bytes=response.body_length,
            seconds=round(time, 4),
            remote=None if _private(request) else request.remote,
        )


def _private(request: web.BaseRequest) -> bool:
    """A tracked link's click: who clicked is not ours to keep, not even in a log line."""
    return request.path.startswith(CLICK_PATH.split("{", 1)[0])


def create_app(rt: Runtime, routes: Iterable[Route]) -> web.Application:
    """The app; ``/healthz`` and ``/metrics`` answer from a status refreshed in the background, so
    they never wait for Redis (see :mod:`bridge.app.health`)."""
    app = web.Application(middlewares=[_measure], client_max_size=1_000_000)
    health = Health.beside(rt.redis, rt.settings.bridge_queue, rt.settings.bridge_key_prefix)
    start_with(app, health)
    shared = CollectorRegistry(auto_describe=False)
    shared.register(health)

    async def healthz(_request: web.Request) -> web.Response:
        body, status = health.report()
        body["playbook_reload_error"] = rt.playbooks.last_error or None
        return web.json_response(body, status=status)

    async def metrics(_request: web.Request) -> web.Response:
        text = generate_latest(REGISTRY) + generate_latest(shared)
        return web.Response(body=text, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def chart(request: web.Request) -> web.Response:
        """A report's chart, by its unguessable token (:mod:`bridge.reports.chart_links`)."""
        png = await asyncio.to_thread(rt.charts.get, request.match_info["token"])
        if png is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=png, content_type="image/png", headers={"Cache-Control": "private, max-age=86400"}
        )

    warming = threading.Thread(target=_warm_up_charts, name="chart-warm-up", daemon=True)
    warming.start()

    async def warmed(_app: web.Application) -> None:
        """A stop soon after the start waits for the warm-up (about a second): a thread still inside
        matplotlib when the interpreter shuts down crashed it (exit 134 or 139, not 0)."""
        await asyncio.to_thread(warming.join, WARM_UP_JOIN_SECONDS)

    app.on_cleanup.append(warmed)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get(CHART_ROUTE.replace("{token}", "{token:[A-Za-z0-9_-]+}"), chart)
    for method, path, handler in [*tracked_link_routes(rt), *routes]:
        app.router.add_route(method, path, handler)
    return app


@cache
def _warm_up_charts() -> None:
    """matplotlib, loaded and exercised, then set aside from the garbage collector as the start-up
    heap was (:func:`~bridge.app.heap.settle_heap`): loaded after that, its objects were walked by
    every full collection, an 11 ms pause that was the p99 of a Claim round at concurrency 20. Once
    per process (tests build many apps)."""
    warm_up()
    settle_heap()


def serve_until_stopped(app: web.Application, host: str, port: int) -> None:
    """Serve ``app`` until SIGTERM (or Ctrl-C, unless the process was started ignoring it: a child of
    ``bridge run``, which stops its children with SIGTERM). The first signal starts the clean-up and
    later ones are ignored: aiohttp's own handlers raised again inside the clean-up, and the process
    then exited 1 instead of 0 (the group's Ctrl-C and SIGTERM arrive together)."""
    loop = asyncio.new_event_loop()
    stopping = False

    def stop() -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            raise web.GracefulExit()

    signals = [signal.SIGTERM]
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signals.append(signal.SIGINT)
    for number in signals:
        loop.add_signal_handler(number, stop)
    web.run_app(
        app,
        host=host,
        port=port,
        print=None,
        access_log_class=AccessLogger,
        handle_signals=False,
        loop=loop,
    )
