"""Every key name and value under a prefix as one text: what an erasure test searches."""

from __future__ import annotations

from typing import Any

import redis


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def dump(client: redis.Redis, prefix: str) -> str:
    """Key names and values of every type, one per line, sorted so two dumps compare."""
    r: Any = client
    out: list[str] = []
    for key in r.scan_iter(match=prefix + "*", count=1000):
        kind = _s(r.type(key))
        out.append(_s(key))
        if kind == "string":
            out.append(_s(r.get(key)))
        elif kind == "hash":
            out += [f"{_s(k)}={_s(v)}" for k, v in r.hgetall(key).items()]
        elif kind == "list":
            out += [_s(v) for v in r.lrange(key, 0, -1)]
        elif kind == "set":
            out += [_s(v) for v in r.smembers(key)]
        elif kind == "zset":
            out += [_s(v) for v in r.zrange(key, 0, -1)]
        elif kind == "stream":
            out += [f"{_s(k)}={_s(v)}" for _, entry in r.xrange(key) for k, v in entry.items()]
    return "\n".join(sorted(out))
