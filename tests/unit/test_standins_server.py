"""BackgroundServer: any aiohttp app, served for synchronous tests on a free local port."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from aiohttp import web

from standins.server import BackgroundServer


def _app(events: list[str]) -> web.Application:
    async def hello(request: web.Request) -> web.Response:
        return web.json_response({"hello": request.query.get("name", "world")})

    async def on_startup(app: web.Application) -> None:
        events.append("startup")

    async def on_cleanup(app: web.Application) -> None:
        events.append("cleanup")

    app = web.Application()
    app.router.add_get("/hello", hello)
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return bytes(response.read())


def test_start_returns_when_the_app_answers_and_its_startup_hooks_ran() -> None:
    events: list[str] = []
    server = BackgroundServer(_app(events)).start()
    try:
        assert events == ["startup"]
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert _get(server.url + "/hello?name=bridge") == b'{"hello": "bridge"}'
    finally:
        server.stop()
    assert events == ["startup", "cleanup"]


def test_stopped_server_refuses_connections_and_stop_is_idempotent() -> None:
    with BackgroundServer(_app([])) as server:
        url = server.url + "/hello"
        assert _get(url)
    server.stop()
    with pytest.raises(urllib.error.URLError):
        _get(url)


def test_two_servers_get_different_free_ports() -> None:
    with BackgroundServer(_app([])) as first, BackgroundServer(_app([])) as second:
        assert first.port != second.port
        assert _get(first.url + "/hello") == _get(second.url + "/hello")


def test_a_failing_startup_hook_is_raised_by_start() -> None:
    async def broken(app: web.Application) -> None:
        raise LookupError("no redis")

    app = web.Application()
    app.on_startup.append(broken)
    with pytest.raises(RuntimeError, match="failed to start") as raised:
        BackgroundServer(app).start()
    assert isinstance(raised.value.__cause__, LookupError)
