"""The web process's pipelined Redis connection (:mod:`bridge.store.pipelined`), on a real Redis: each
reply reaches the request it answers, errors keep the connection in step, and a lost or hung
connection fails what waited on it and is replaced."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bridge.store.pipelined import LuaScript, PipelinedRedis

T = TypeVar("T")


def on(client: PipelinedRedis, work: Callable[[PipelinedRedis], Awaitable[T]]) -> T:
    async def run() -> T:
        try:
            return await work(client)
        finally:
            await client.aclose()

    return asyncio.run(run())


@pytest.fixture
def key(redis_url: str) -> Any:
    name = f"test-pipelined-{uuid.uuid4().hex}"
    yield name
    redis.Redis.from_url(redis_url).delete(*[f"{name}:{i}" for i in range(300)], name)


def test_concurrent_requests_each_get_their_own_reply(redis_url: str, key: str) -> None:
    async def work(client: PipelinedRedis) -> list[Any]:
        async def one(i: int) -> Any:
            await client.execute(("SET", f"{key}:{i}", f"value {i}"))
            return (await client.execute(("GET", f"{key}:{i}")))[0]

        return await asyncio.gather(*(one(i) for i in range(300)))

    assert on(PipelinedRedis(redis_url), work) == [f"value {i}".encode() for i in range(300)]


def test_commands_sent_together_answer_in_order(redis_url: str, key: str) -> None:
    async def work(client: PipelinedRedis) -> list[Any]:
        return await client.execute(("RPUSH", key, "a", "b"), ("LRANGE", key, 0, -1), ("LLEN", key))

    assert on(PipelinedRedis(redis_url), work) == [2, [b"a", b"b"], 2]


def test_an_error_reply_raises_and_the_next_reply_still_reaches_its_request(redis_url: str, key: str) -> None:
    async def work(client: PipelinedRedis) -> tuple[str, list[Any]]:
        with pytest.raises(ResponseError) as refused:
            await client.execute(("SET", key, "text"), ("INCR", key), ("SET", key, "after"))
        return str(refused.value), await client.execute(("GET", key))

    message, after = on(PipelinedRedis(redis_url), work)
    assert "not an integer" in message
    assert after == [b"after"]  # the command after the error ran, and this reply is this request's


def test_a_script_redis_does_not_have_is_loaded_and_run(redis_url: str, key: str) -> None:
    script = LuaScript(f"-- {uuid.uuid4().hex}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])")

    async def work(client: PipelinedRedis) -> list[Any]:
        return [await client.run(script, [key], [5]), await client.run(script, [key], [2])]

    assert on(PipelinedRedis(redis_url), work) == [5, 7]  # the first run loaded it, once


def test_a_request_waiting_when_the_connection_is_killed_fails_and_the_next_call_reconnects(
    redis_url: str, key: str
) -> None:
    admin = redis.Redis.from_url(redis_url)

    async def work(client: PipelinedRedis) -> tuple[type[BaseException], list[Any]]:
        (ours,) = await client.execute(("CLIENT", "ID"))
        waiting = asyncio.create_task(client.execute(("BLPOP", key, 30)))
        await asyncio.sleep(0.2)
        await asyncio.to_thread(admin.client_kill_filter, _id=ours)
        with pytest.raises(RedisConnectionError) as lost:
            await asyncio.wait_for(waiting, 5)
        return lost.type, await client.execute(("SET", key, "again"), ("GET", key))

    failure, after = on(PipelinedRedis(redis_url), work)
    assert failure is RedisConnectionError
    assert after == [b"OK", b"again"]


def test_a_request_without_a_reply_times_out_and_the_connection_is_replaced(redis_url: str, key: str) -> None:
    async def work(client: PipelinedRedis) -> tuple[Any, Any]:
        (first,) = await client.execute(("CLIENT", "ID"))
        with pytest.raises(RedisTimeoutError, match=r"within 0\.3 s"):
            await client.execute(("BLPOP", key, 0))  # blocks for ever
        (second,) = await client.execute(("CLIENT", "ID"))
        return first, second

    first, second = on(PipelinedRedis(redis_url, timeout=0.3), work)
    assert first != second  # a late reply on the old connection could not be taken for a new one's


def test_the_database_named_in_the_url_is_selected(redis_url: str, key: str) -> None:
    other = f"{redis_url}{'&' if '?' in redis_url else '?'}db=7"
    on(PipelinedRedis(other), lambda client: client.execute(("SET", key, "in seven")))
    try:
        assert redis.Redis.from_url(other).get(key) == b"in seven"
        assert redis.Redis.from_url(redis_url).get(key) is None
    finally:
        redis.Redis.from_url(other).delete(key)


def test_a_password_in_the_url_is_sent_and_redis_refusing_it_is_an_error(redis_url: str) -> None:
    scheme, rest = redis_url.split("://", 1)
    with pytest.raises(ResponseError, match=r"AUTH|password"):
        on(PipelinedRedis(f"{scheme}://:wrong@{rest}"), lambda client: client.execute(("PING",)))


def test_nothing_listening_is_a_connection_error() -> None:
    with socket.socket() as taken:  # bound, never listening: a connection to it is refused
        taken.bind(("127.0.0.1", 0))
        url = f"redis://127.0.0.1:{taken.getsockname()[1]}"
        with pytest.raises(RedisConnectionError, match="cannot connect"):
            on(PipelinedRedis(url), lambda client: client.execute(("PING",)))


def test_requests_made_in_one_turn_of_the_loop_leave_in_one_write(redis_url: str, key: str) -> None:
    async def work(client: PipelinedRedis) -> tuple[list[Any], int]:
        await client.execute(("PING",))  # connected
        replies = client._replies
        assert replies is not None and replies.transport is not None
        writes: list[bytes] = []
        write = replies.transport.write

        def counted(data: bytes | bytearray | memoryview) -> None:
            writes.append(bytes(data))
            write(data)

        replies.transport.write = counted  # type: ignore[method-assign]
        answers = await asyncio.gather(*(client.execute(("INCR", key)) for _ in range(10)))
        return answers, len(writes)

    answers, writes = on(PipelinedRedis(redis_url), work)
    assert sorted(a[0] for a in answers) == list(range(1, 11))
    assert writes == 1
