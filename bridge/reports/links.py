"""Tracked links: every link in an approved answer goes through the bridge's own short redirect.

With ``measure.tracked_links`` on and ``BRIDGE_PUBLIC_URL`` set, a draft's ``http(s)`` links are
rewritten when the draft is stored, to ``<BRIDGE_PUBLIC_URL>/r/<token>``: the preview shows the text
exactly as it will be posted, the length check counts it as posted (a link weighs 23 on X, whatever
it says), and the approver signs off those very words. A token is unguessable
(:func:`secrets.token_urlsafe`), names one case and one address, and is reused for the same address
in the same case, so a new draft version does not mint new ones and rewriting is idempotent; our own
redirects are never rewritten again.

``GET /r/<token>`` counts a click on the token and on its case (``link_clicks``) and redirects; a
conversion from the brand's shop (:mod:`bridge.reports.signatures`) counts once per order
(``link_conversions``). Nothing about the person who clicks is kept: no address, no user agent.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import structlog

from bridge.domain.clock import Clock
from bridge.playbook.model import Playbook
from bridge.store.cases import Store
from bridge.store.transitions import text as _s

__all__ = [
    "LINK",
    "TOKEN",
    "Counted",
    "LinkCounts",
    "TrackedLink",
    "TrackedLinks",
    "find_links",
    "rewrite_links",
]

log = structlog.get_logger(__name__)

TOKEN_BYTES = 8  # 11 characters of URL-safe base64: 2^64 possibilities
#: What a token looks like; anything else is refused before Redis is asked.
TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
LINK = re.compile(r"https?://[^\s<>\"'`{}|\\^]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"*_~"
_PAIRS = {")": "(", "]": "[", "}": "{"}
MAX_URL_CHARS = 2000

_CLICK = """
-- KEYS[1] link hash, KEYS[2] case hash prefix; returns {url, case} or {} for an unknown token
local found = redis.call('HMGET', KEYS[1], 'url', 'case')
if not found[1] then return {} end
redis.call('HINCRBY', KEYS[1], 'clicks', 1)
local case_key = KEYS[2] .. found[2]
if redis.call('EXISTS', case_key) == 1 then redis.call('HINCRBY', case_key, 'link_clicks', 1) end
return {found[1], found[2]}
"""

_CONVERT = """
-- KEYS[1] link hash, KEYS[2] case hash prefix, KEYS[3] order key ('' for none);
-- ARGV[1] value, ARGV[2] order key ttl (s); returns {'unknown'} | {'duplicate', case} | {'counted', case}
local number = redis.call('HGET', KEYS[1], 'case')
if not number then return {'unknown'} end
if KEYS[3] ~= '' and not redis.call('SET', KEYS[3], number, 'NX', 'EX', ARGV[2]) then
  return {'duplicate', number}
end
redis.call('HINCRBY', KEYS[1], 'conversions', 1)
redis.call('HINCRBYFLOAT', KEYS[1], 'conversion_value', ARGV[1])
local case_key = KEYS[2] .. number
if redis.call('EXISTS', case_key) == 1 then
  redis.call('HINCRBY', case_key, 'link_conversions', 1)
  redis.call('HINCRBYFLOAT', case_key, 'link_conversion_value', ARGV[1])
end
return {'counted', number}
"""


class Counted(StrEnum):
    COUNTED = "counted"
    DUPLICATE = "duplicate"  # this order was counted before: a retried or replayed webhook
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class TrackedLink:
    token: str
    case: int
    url: str
    platform: str = ""
    department: str = ""


def find_links(text: str) -> list[tuple[int, int]]:
    """Where the ``http(s)`` links in ``text`` are, as (start, end): trailing punctuation and an
    unbalanced closing bracket belong to the sentence, not to the link."""
    spans = []
    for match in LINK.finditer(text):
        start, end = match.span()
        while end > start:
            last = text[end - 1]
            opener = _PAIRS.get(last)
            if last in _TRAILING or (opener and text[start:end].count(opener) < text[start:end].count(last)):
                end -= 1
                continue
            break
        if end - start > len("https://"):
            spans.append((start, end))
    return spans


def rewrite_links(text: str, ours: str, token_for: Callable[[str], str]) -> str:
    """``text`` with each link not already ``ours`` (the redirect prefix) replaced by ``ours + token``."""
    pieces, at = [], 0
    for start, end in find_links(text):
        url = text[start:end]
        pieces.append(text[at:start])
        pieces.append(url if url.startswith(ours) else ours + token_for(url))
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


@dataclass(frozen=True)
class LinkCounts:
    link: TrackedLink
    clicks: int
    conversions: int
    conversion_value: float


class TrackedLinks:
    """Tokens in Redis: ``link:<token>`` (its case, address and counts) and, per case, address → token."""

    def __init__(
        self,
        store: Store,
        playbook: Callable[[], Playbook],
        public_url: str | None,
        clock: Clock,
        on_counted: Callable[[int], object] | None = None,
    ) -> None:
        """``on_counted`` is told the case of every click and conversion counted (the application
        re-archives a closed case, so the case history sees the new counts)."""
        self.store = store
        self.on_counted = on_counted or (lambda _number: None)
        self._playbook = playbook
        self.public_url = (public_url or "").strip().rstrip("/")
        if self.public_url and not LINK.fullmatch(self.public_url):
            log.warning("public_url_not_a_web_address", setting="BRIDGE_PUBLIC_URL", value=self.public_url)
            self.public_url = ""  # a link customers cannot follow is worse than an untracked one
        self.clock = clock
        self._click = store.r.register_script(_CLICK)
        self._convert = store.r.register_script(_CONVERT)

    @property
    def prefix(self) -> str:
        """What every tracked link starts with; '' when the bridge has no public address."""
        return f"{self.public_url}/r/" if self.public_url else ""

    def rewrite(self, number: int, text: str) -> str:
        """A draft of case ``number`` as it will be posted: its links tracked when the playbook says so."""
        if not self._playbook().measure.tracked_links:
            return text
        if not self.prefix:
            log.warning("tracked_links_need_public_url", case=number, setting="BRIDGE_PUBLIC_URL")
            return text
        return rewrite_links(text, self.prefix, lambda url: self.token_for(number, url))

    def token_for(self, number: int, url: str) -> str:
        """The token of ``url`` in case ``number``: the same one every time, made on first use."""
        by_case = self.store.k("links", "case", number)
        known = self.store.r.hget(by_case, url[:MAX_URL_CHARS])
        if known:
            return _s(known)
        ttl = self._playbook().measure.link_days * 86_400
        case = self.store.get(number)
        while True:  # 2^64 tokens: a clash is all but impossible, and then we draw again
            token = secrets.token_urlsafe(TOKEN_BYTES)
            if self.store.r.hsetnx(self._key(token), "case", str(number)):
                break
        with self.store.r.pipeline() as pipe:
            pipe.hset(
                self._key(token),
                mapping={
                    "url": url[:MAX_URL_CHARS],
                    "platform": case.platform,
                    "department": case.department,
                    "created_at": self.clock.now().isoformat(),
                },
            )
            pipe.expire(self._key(token), ttl)
            pipe.hsetnx(by_case, url[:MAX_URL_CHARS], token)
            pipe.expire(by_case, ttl)
            pipe.hget(by_case, url[:MAX_URL_CHARS])
            chosen = _s(pipe.execute()[-1])
        if chosen != token:  # another draft of the same case made one first: use theirs
            self.store.r.delete(self._key(token))
        return chosen

    def get(self, token: str) -> TrackedLink | None:
        if not TOKEN.match(token):
            return None
        raw = {_s(k): _s(v) for k, v in self.store.r.hgetall(self._key(token)).items()}
        if "url" not in raw:
            return None
        return TrackedLink(
            token, int(raw["case"]), raw["url"], raw.get("platform", ""), raw.get("department", "")
        )

    def click(self, token: str) -> TrackedLink | None:
        """Count a click; the link to redirect to, or None for a token we never made (or forgot)."""
        link = self.get(token)
        if link is None:
            return None
        found = self._click(keys=[self._key(token), self.store.k("case", "")])
        if not found:
            return None
        self.on_counted(link.case)
        return link

    def convert(self, token: str, order_id: str, value: float) -> tuple[Counted, TrackedLink | None]:
        """Count a conversion on ``token`` once per ``order_id`` (every time when there is none)."""
        link = self.get(token)
        if link is None:
            return Counted.UNKNOWN, None
        order_key = self.store.k("conversion", order_id) if order_id else ""
        ttl = self._playbook().measure.link_days * 86_400
        result = self._convert(
            keys=[self._key(token), self.store.k("case", ""), order_key], args=[repr(float(value)), ttl]
        )
        outcome = Counted(_s(result[0]))
        if outcome is Counted.COUNTED:
            self.store.record(link.case, "conversion", "shop", token=token, order_id=order_id, value=value)
            self.on_counted(link.case)
        return outcome, link

    def of_case(self, number: int) -> list[LinkCounts]:
        """Each tracked link of case ``number`` with its clicks and conversions: the per-answer report."""
        tokens = [_s(t) for t in self.store.r.hvals(self.store.k("links", "case", number))]
        with self.store.r.pipeline(transaction=False) as pipe:
            for token in tokens:
                pipe.hgetall(self._key(token))
            found = pipe.execute()
        counts = []
        for token, raw in zip(tokens, found, strict=True):
            data = {_s(k): _s(v) for k, v in (raw or {}).items()}
            if "url" in data:
                counts.append(
                    LinkCounts(
                        TrackedLink(
                            token, number, data["url"], data.get("platform", ""), data.get("department", "")
                        ),
                        int(data.get("clicks", 0)),
                        int(data.get("conversions", 0)),
                        float(data.get("conversion_value", 0)),
                    )
                )
        return sorted(counts, key=lambda c: c.link.url)

    def _key(self, token: str) -> str:
        return self.store.k("link", token)
