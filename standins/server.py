"""Run any aiohttp application on a free local port from synchronous code.

Tests and the demo drive real SDKs (slack_sdk, tweepy) that block on HTTP, so the server answering
them has to live on its own event loop in its own thread. The same class runs the platform
stand-ins and the project's own web app, which is why it accepts any ``web.Application``.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from types import TracebackType

from aiohttp import web

DEFAULT_HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 10.0
SHUTDOWN_GRACE_SECONDS = 0.5


class BackgroundServer:
    """An aiohttp app served on ``127.0.0.1:<free port>`` by a daemon thread with its own loop.

    The listening socket is bound before the thread starts, so ``url`` is known at once and
    ``start()`` returns only once the app's startup hooks have run and connections are accepted.
    """

    def __init__(self, app: web.Application, *, host: str = DEFAULT_HOST, port: int = 0) -> None:
        self.app = app
        self._host = host
        self._port = port
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None

    @property
    def port(self) -> int:
        if self._sock is None:
            raise RuntimeError("server not started")
        return int(self._sock.getsockname()[1])

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. ``http://127.0.0.1:54321``."""
        return f"http://{self._host}:{self.port}"

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The server's event loop, for code that must run coroutines next to the app."""
        if self._loop is None:
            raise RuntimeError("server not started")
        return self._loop

    def start(self) -> BackgroundServer:
        if self._thread is not None:
            raise RuntimeError("server already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._port))
        sock.listen(128)
        sock.setblocking(False)
        self._sock = sock
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name=f"aiohttp:{self.port}", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_SECONDS):
            raise TimeoutError(f"server on {self.url} did not start in {START_TIMEOUT_SECONDS} s")
        if self._startup_error is not None:
            url, error = self.url, self._startup_error
            self._thread.join(STOP_TIMEOUT_SECONDS)
            self.stop()
            raise RuntimeError(f"server on {url} failed to start") from error
        return self

    def stop(self) -> None:
        """Run the app's cleanup hooks, close the socket and end the thread; safe to call twice."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if thread.is_alive():
            if self._runner is not None:
                future = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), loop)
                future.result(STOP_TIMEOUT_SECONDS)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(STOP_TIMEOUT_SECONDS)
        loop.close()
        if self._sock is not None:
            self._sock.close()
        self._loop = None
        self._thread = None
        self._runner = None

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _serve(self) -> None:
        loop = self.loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._setup())
        except BaseException as error:  # noqa: BLE001  # reported to the starting thread, not lost here
            self._startup_error = error
            self._ready.set()
            return
        self._ready.set()
        loop.run_forever()

    async def _setup(self) -> None:
        assert self._sock is not None
        runner = web.AppRunner(
            self.app,
            handle_signals=False,
            access_log=None,
            shutdown_timeout=SHUTDOWN_GRACE_SECONDS,
        )
        await runner.setup()
        self._runner = runner
        await web.SockSite(runner, self._sock).start()
