"""Near-duplicate clusters: many people posting nearly the same words is how a mass problem looks
before anyone has named it.

Text is normalised (case, links, handles, punctuation), cut into word shingles, and summarised as a
MinHash signature; locality-sensitive hashing over bands of that signature finds earlier mentions
with a similar signature in one Redis round trip. Two mentions whose shingle sets overlap by 80 %
(Jaccard) share a band nine times in ten, at 50 % less than one time in five. Pure Python, small and
fast: no model, no training, nothing to download.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections.abc import Sequence

import redis

__all__ = [
    "BANDS",
    "FORGET_PER_CALL",
    "LABEL_CHARS",
    "MIN_TOKENS",
    "NUM_PERMUTATIONS",
    "ROWS_PER_BAND",
    "SHINGLE_WORDS",
    "ClusterIndex",
    "bands",
    "estimated_similarity",
    "jaccard",
    "normalise",
    "shingles",
    "signature",
]

NUM_PERMUTATIONS = 30
BANDS = 6
ROWS_PER_BAND = NUM_PERMUTATIONS // BANDS  # threshold ≈ (1/BANDS) ** (1/ROWS_PER_BAND) ≈ 0.70
SHINGLE_WORDS = 2
MIN_TOKENS = 3  # shorter texts ("help!!") are too generic to cluster
LABEL_CHARS = 60
FORGET_PER_CALL = 4  # idle clusters forgotten per mention: more than one, so a backlog drains
_MERSENNE = (1 << 61) - 1
_MASK = (1 << 32) - 1

_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"@\w+")
_NON_WORD = re.compile(r"[^\w]+")

_rng = random.Random(20240601)  # fixed: signatures must agree across processes and restarts
_PERMUTATIONS = [
    (_rng.randrange(1, _MERSENNE), _rng.randrange(0, _MERSENNE)) for _ in range(NUM_PERMUTATIONS)
]

_ASSIGN = """
-- KEYS: band keys; ARGV: 1 key prefix (…crisis:), 2 ttl seconds, 3 label, 4 now (s, the bridge's
-- clock), 5 the mention's minute, 6 how many idle clusters to forget
local p, ttl, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[4])
local votes, best, best_votes = {}, nil, 0
for i, key in ipairs(KEYS) do
  local id = redis.call('GET', key)
  if id then
    votes[id] = (votes[id] or 0) + 1
    if votes[id] > best_votes or (votes[id] == best_votes and tonumber(id) < tonumber(best)) then
      best, best_votes = id, votes[id]
    end
  end
end
local new = 0
if not best then
  best = tostring(redis.call('INCR', p .. 'lsh:seq'))
  new = 1
  redis.call('SET', p .. 'lsh:label:' .. best, ARGV[3], 'EX', ttl)
else
  redis.call('EXPIRE', p .. 'lsh:label:' .. best, ttl)
end
local owned = p .. 'lsh:bands:' .. best  -- the band keys naming this cluster, by when last matched
for i, key in ipairs(KEYS) do
  redis.call('SET', key, best, 'NX', 'EX', ttl)
  if redis.call('GET', key) == best then
    redis.call('EXPIRE', key, ttl)
    redis.call('ZADD', owned, now, key)
  end
end
for _, key in ipairs(redis.call('ZRANGEBYSCORE', owned, '-inf', now - ttl, 'LIMIT', 0, 20)) do
  if redis.call('GET', key) == best then redis.call('DEL', key) end  -- a band not matched for ttl
  redis.call('ZREM', owned, key)
end
redis.call('EXPIRE', owned, ttl)
redis.call('ZADD', p .. 'lsh:seen', now, best)
redis.call('ZADD', p .. 'lsh:born', 'LT', tonumber(ARGV[5]), best)
-- forget clusters idle for longer than ttl by the bridge's clock (not Redis' expiry alone, which
-- a replay in compressed time never reaches): their bands, label, counts, examples and cases
local idle = redis.call('ZRANGEBYSCORE', p .. 'lsh:seen', '-inf', now - ttl, 'LIMIT', 0, tonumber(ARGV[6]))
for _, id in ipairs(idle) do
  local topic = p .. 't:cluster-' .. id .. ':'
  if redis.call('EXISTS', p .. 'active:cluster-' .. id) == 1 then
    redis.call('ZADD', p .. 'lsh:seen', now, id)  -- an open alert keeps its cluster
  else
    for _, key in ipairs(redis.call('ZRANGE', p .. 'lsh:bands:' .. id, 0, -1)) do
      if redis.call('GET', key) == id then redis.call('DEL', key) end
    end
    local last = math.floor(tonumber(redis.call('ZSCORE', p .. 'lsh:seen', id)) / 60)
    local first = math.max(tonumber(redis.call('ZSCORE', p .. 'lsh:born', id) or last), last - 1440)
    for m = first, last do redis.call('DEL', topic .. 'm:' .. m) end
    for h = math.floor(first / 60), math.floor(last / 60) do redis.call('DEL', topic .. 'h:' .. h) end
    redis.call('DEL', p .. 'lsh:bands:' .. id, p .. 'lsh:label:' .. id, topic .. 'recent', topic .. 'cases',
      topic .. 'pruned')
    redis.call('ZREM', p .. 'lsh:seen', id)
    redis.call('ZREM', p .. 'lsh:born', id)
  end
end
return {best, new}
"""


def normalise(text: str) -> list[str]:
    """The words that make two posts "the same": no links, no handles, no punctuation, no case."""
    text = _HANDLE.sub(" ", _URL.sub(" ", text.casefold()))
    return [word for word in _NON_WORD.sub(" ", text).split() if word]


def shingles(tokens: Sequence[str]) -> set[str]:
    if len(tokens) < SHINGLE_WORDS:
        return set(tokens)
    return {" ".join(tokens[i : i + SHINGLE_WORDS]) for i in range(len(tokens) - SHINGLE_WORDS + 1)}


def _hash64(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")


def signature(tokens: Sequence[str]) -> tuple[int, ...]:
    """MinHash of the shingle set: one 32-bit minimum per permutation."""
    hashed = [_hash64(s) for s in shingles(tokens)]
    if not hashed:
        return ()
    return tuple(min(((a * h + b) % _MERSENNE) & _MASK for h in hashed) for a, b in _PERMUTATIONS)


def bands(sig: tuple[int, ...]) -> list[str]:
    """One bucket name per band; mentions sharing any bucket are cluster candidates."""
    out = []
    for band in range(BANDS):
        rows = sig[band * ROWS_PER_BAND : (band + 1) * ROWS_PER_BAND]
        digest = hashlib.blake2b(repr(rows).encode(), digest_size=6).hexdigest()
        out.append(f"{band}:{digest}")
    return out


def estimated_similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """The share of equal MinHash rows: an estimate of the Jaccard similarity of the shingle sets."""
    if not a or not b:
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def jaccard(a: str, b: str) -> float:
    sa, sb = shingles(normalise(a)), shingles(normalise(b))
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


class ClusterIndex:
    """The LSH buckets of recent mentions: clusters that stop growing are forgotten (by the bridge's
    clock, with everything counted for them, so the state is bounded by the window, not by the
    traffic; Redis' expiry as a backstop), clusters that keep growing keep their id."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.r = client
        self.prefix = prefix
        self._assign = client.register_script(_ASSIGN)

    def assign(
        self, text: str, ttl_seconds: int, now: float | None = None, minute: int | None = None
    ) -> tuple[str, bool] | None:
        """The cluster id for ``text`` and whether it is new; None for text too short to cluster.

        ``now`` (the bridge's clock, epoch seconds) and ``minute`` (the mention's, as counted) date
        the cluster; clusters idle for ``ttl_seconds`` by that clock are forgotten, a few per call."""
        tokens = normalise(text)
        if len(tokens) < MIN_TOKENS:
            return None
        sig = signature(tokens)
        keys = [f"{self.prefix}lsh:{b}" for b in bands(sig)]
        label = " ".join(tokens)[:LABEL_CHARS]
        now = time.time() if now is None else now
        minute = int(now // 60) if minute is None else minute
        best, new = self._assign(
            keys=keys, args=[self.prefix, ttl_seconds, label, now, minute, FORGET_PER_CALL]
        )
        cluster = best.decode() if isinstance(best, bytes) else str(best)
        return f"cluster-{cluster}", bool(int(new))

    def label(self, topic: str) -> str:
        """The first words of the mention that started a cluster, for people to recognise it."""
        raw = self.r.get(f"{self.prefix}lsh:label:{topic.removeprefix('cluster-')}")
        if not raw:
            return topic
        return raw.decode() if isinstance(raw, bytes) else str(raw)
