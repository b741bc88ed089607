"""One asyncio connection to Redis whose requests are pipelined and whose replies are matched in order:
the web process's client for the clicks it answers on its event loop (:mod:`bridge.store.fast_transitions`).

Why not redis-py's asyncio client there, as everywhere else: each of its calls takes a connection from
a pool, wraps the call in its retry and observability layers and encodes every argument in Python,
about 60 µs of CPU per ``EVALSHA`` on a 2-core machine, while a whole acknowledged click costs the bare
slack-bolt app about 150. This client keeps only what a pipelined connection needs: the arguments are
packed and the replies parsed by hiredis, in C (the same packer and parser redis-py uses), and each
reply settles the oldest waiting request, as Redis answers in order. About 25 µs a call, measured the
same way; coredis, the other maintained asyncio client, measured 120. The requests of one turn of the
event loop (the clicks handled in it) leave in one write.

What redis-py would do is kept where it matters: the URL is read by redis-py's own ``parse_url``
(``redis://``, ``rediss://``, ``unix://``, user, password and database); errors are redis-py's
exceptions (``ResponseError``, ``NoScriptError``, ``ConnectionError``, ``TimeoutError``), so callers
handle one family; a lost connection fails what was waiting on it and the next call opens a new one
(a request is never sent twice: whether a lost one was applied is unknown); a request unanswered
within ``timeout`` drops the connection, since every later reply on it would be matched to the wrong
request.
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import hiredis
from redis.asyncio.connection import SSLConnection, parse_url
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["DEFAULT_TIMEOUT_SECONDS", "Command", "LuaScript", "PipelinedRedis"]

#: How long a request may wait for its reply before the connection is given up.
DEFAULT_TIMEOUT_SECONDS = 10.0

Arg = str | bytes | int | float
Command = Sequence[Arg]


@dataclass(frozen=True)
class LuaScript:
    """A script, run by its SHA-1 and loaded when Redis does not have it (after a restart, say)."""

    source: str
    sha: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha", hashlib.sha1(self.source.encode()).hexdigest())  # noqa: S324


def _error(reply: hiredis.ReplyError) -> ResponseError:
    message = str(reply)
    return NoScriptError(message) if message.startswith("NOSCRIPT") else ResponseError(message)


class _Replies(asyncio.Protocol):
    """The connection's reading side: each complete reply settles the oldest request still waiting."""

    def __init__(self) -> None:
        self.reader = hiredis.Reader()
        self.waiting: deque[asyncio.Future[Any]] = deque()
        self.transport: asyncio.Transport | None = None
        self.lost = False
        self._outbox: list[bytes] = []

    def send(self, packed: bytes) -> None:
        """Queue ``packed`` for the write at the end of this turn of the event loop: the requests of
        the clicks handled in one turn leave in one ``send`` call, not one each (the call was a tenth
        of the web process's CPU per Claim at concurrency 20)."""
        if not self._outbox:
            asyncio.get_running_loop().call_soon(self._flush)
        self._outbox.append(packed)

    def _flush(self) -> None:
        out, self._outbox = b"".join(self._outbox), []
        if self.transport is not None and not self.lost:
            self.transport.write(out)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while (reply := self.reader.gets()) is not False:
            waiter = self.waiting.popleft()
            if waiter.done():  # its caller was cancelled: the reply is still its to take
                continue
            if isinstance(reply, hiredis.ReplyError):
                waiter.set_exception(_error(reply))
            else:
                waiter.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self.fail(RedisConnectionError(f"the connection to Redis was lost: {exc or 'closed by the server'}"))

    def fail(self, error: Exception) -> None:
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_exception(error)


class PipelinedRedis:
    """The client; connects on first use, from the event loop that uses it."""

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.options: dict[str, Any] = dict(parse_url(url))
        self.timeout = timeout
        self._replies: _Replies | None = None
        self._connecting: asyncio.Lock | None = None

    async def execute(self, *commands: Command) -> list[Any]:
        """Send ``commands`` in one write and return their replies, in order. An error reply raises
        once every reply has arrived (the connection stays in step)."""
        replies = await self._connected()
        if replies.transport is None:
            raise RedisConnectionError("not connected to Redis")
        loop = asyncio.get_running_loop()
        waiters = [loop.create_future() for _ in commands]
        replies.waiting.extend(waiters)
        replies.send(b"".join([_packed(command) for command in commands]))
        results: list[Any] = []
        failed: ResponseError | None = None
        try:
            async with asyncio.timeout(self.timeout):
                for waiter in waiters:
                    try:
                        results.append(await waiter)
                    except ResponseError as exc:
                        failed = failed or exc
                        results.append(exc)
        except TimeoutError as exc:
            self._drop(replies, RedisTimeoutError(f"no reply from Redis within {self.timeout:g} s"))
            raise RedisTimeoutError(f"no reply from Redis within {self.timeout:g} s") from exc
        if failed is not None:
            raise failed
        return results

    async def run(self, script: LuaScript, keys: Sequence[Arg], args: Sequence[Arg]) -> Any:
        """``script``'s reply for ``keys`` and ``args``: by its SHA-1, or loaded first when Redis has it
        not (a script reply is never asked for twice unless Redis refused it unrun)."""
        command = ("EVALSHA", script.sha, len(keys), *keys, *args)
        try:
            return (await self.execute(command))[0]
        except NoScriptError:
            await self.execute(("SCRIPT", "LOAD", script.source))
            return (await self.execute(command))[0]

    async def aclose(self) -> None:
        """Close the connection (requests still waiting fail)."""
        if self._replies is not None and self._replies.transport is not None:
            self._replies.transport.close()
        self._replies = None

    async def _connected(self) -> _Replies:
        replies = self._replies
        if replies is not None and not replies.lost:
            return replies
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            if self._replies is None or self._replies.lost:
                self._replies = await self._connect()
            return self._replies

    async def _connect(self) -> _Replies:
        loop, options = asyncio.get_running_loop(), self.options
        try:
            async with asyncio.timeout(self.timeout):
                if "path" in options:
                    _, replies = await loop.create_unix_connection(_Replies, options["path"])
                else:
                    host, port = options.get("host", "localhost"), options.get("port", 6379)
                    tls = _tls(options) if options.get("connection_class") is SSLConnection else None
                    _, replies = await loop.create_connection(_Replies, host, port, ssl=tls)
        except (OSError, TimeoutError) as exc:
            raise RedisConnectionError(f"cannot connect to Redis: {exc or 'timed out'}") from exc
        self._replies = replies
        greeting: list[Command] = []
        if options.get("password"):
            user = [options["username"]] if options.get("username") else []
            greeting.append(("AUTH", *user, options["password"]))
        if options.get("db"):
            greeting.append(("SELECT", int(options["db"])))
        if greeting:
            try:
                await self.execute(*greeting)
            except Exception:
                await self.aclose()
                raise
        return replies

    def _drop(self, replies: _Replies, error: Exception) -> None:
        replies.lost = True
        replies.fail(error)
        if replies.transport is not None:
            replies.transport.close()


def _packed(command: Command) -> bytes:
    """``command`` in Redis' protocol, packed by hiredis (its stub types the tuple as one element)."""
    return cast(bytes, hiredis.pack_command(tuple(command)))  # type: ignore[arg-type]


def _tls(options: dict[str, Any]) -> ssl.SSLContext:
    """A TLS context for ``rediss://``: verified unless the URL says ``ssl_cert_reqs=none``."""
    context = ssl.create_default_context(cafile=options.get("ssl_ca_certs"))
    if str(options.get("ssl_cert_reqs", "required")).lower() in {"none", str(int(ssl.CERT_NONE))}:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
