"""What the desk's decisions teach triage, kept anonymised in Redis (``bridge triage fit``).

A label is a hashed feature vector (numbers, never words), the names of the rules that matched, the
answer people gave (a person was needed or not; which department answers), where it came from, the
platform, the language and the day the post was written: no text, no handle, no id. Labels live in
one hash per month (``P learning:labels:<YYYY-MM>``), each for :data:`LABEL_DAYS` days. A harvested
case carries a random ``label_id`` in its own hash, so a later decision replaces its label; once the
case is gone or erased, nothing links the label to anyone, and ``bridge forget`` need not touch it.
"""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from bridge.store.cases import FIRST_CASE_NUMBER, AuditEntry, Store
from bridge.store.transitions import text as _s

LABEL_DAYS = 400
BATCH = 500
#: The case fields a harvest reads: what the rules look at, and the harvest's own bookkeeping.
CASE_FIELDS = (
    "state",
    "text",
    "platform",
    "lang",
    "created_at",
    "department",
    "author_id",
    "author_handle",
    "label_id",
    "learned",
)


@dataclass(frozen=True)
class Label:
    task: str  # "need": should a person look? "route": which department answers?
    answer: str  # need: "1" or "0"; route: the department
    source: str  # answered, rescued, ignored, set_aside, reassigned
    rules: str  # what the rules said: their verdict (need) or their department (route)
    day: str  # the day the post was written, YYYY-MM-DD
    version: int  # the feature version of ``features``
    features: dict[int, float] = field(default_factory=dict)
    cues: tuple[str, ...] = ()
    weight: float = 1.0
    platform: str = ""
    language: str = ""

    def to_json(self) -> str:
        data = asdict(self)
        data["features"] = _pack(self.features)
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Label:
        data = json.loads(raw)
        data["features"] = _unpack(data["features"])
        data["cues"] = tuple(data["cues"])
        return cls(**data)


def _pack(features: dict[int, float]) -> str:
    """Bucket numbers (4 bytes) and values (half floats, 2 bytes) in base64: about 2 kB a post."""
    indices = sorted(features)
    raw = struct.pack(f"<{len(indices)}I{len(indices)}e", *indices, *(features[i] for i in indices))
    return base64.b64encode(raw).decode()


def _unpack(packed: str) -> dict[int, float]:
    raw = base64.b64decode(packed)
    count = len(raw) // 6
    numbers = struct.unpack(f"<{count}I{count}e", raw)
    return dict(zip(numbers[:count], numbers[count:], strict=True))


@dataclass(frozen=True)
class CaseRecord:
    """A case whose timeline grew since it was last harvested."""

    number: int
    fields: dict[str, str]
    audit: list[AuditEntry]
    audit_length: int


_MARK_IF_PRESENT = """
-- KEYS[1] case hash; ARGV[1] label id, ARGV[2] audit length: never recreate a case retention removed
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'label_id', ARGV[1], 'learned', ARGV[2])
return 1
"""


class LabelStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.r = store.r
        self._mark = store.r.register_script(_MARK_IF_PRESENT)

    def _month_key(self, month: str) -> str:
        return self.store.k("learning", "labels", month)

    def put(self, label_id: str, label: Label, *, month_cap: int | None = None) -> bool:
        """Keep ``label`` (replacing the one this case gave before for the same task); with
        ``month_cap``, only while its month holds fewer labels than that. Whether it was kept."""
        key = self._month_key(label.day[:7])
        if month_cap is not None and self.r.hlen(key) >= month_cap:
            return False
        pipe = self.r.pipeline()
        pipe.hset(key, f"{label_id}:{label.task}", label.to_json())
        pipe.expire(key, LABEL_DAYS * 86_400)
        pipe.execute()
        return True

    def labels(self, task: str | None = None) -> list[Label]:
        """Every label kept, oldest month first."""
        found: list[Label] = []
        for key in sorted(_s(k) for k in self.r.scan_iter(match=self._month_key("*"), count=1000)):
            for name, raw in sorted(self.r.hgetall(key).items()):
                if task is None or _s(name).endswith(f":{task}"):
                    found.append(Label.from_json(raw))
        return found

    def changed_cases(self) -> Iterator[CaseRecord]:
        """Cases whose timeline has entries a harvest has not seen, with their fields and timeline."""
        return self.cases(changed_only=True)

    def cases(self, *, changed_only: bool = False) -> Iterator[CaseRecord]:
        """Every case still in Redis (or only those changed since harvested), read in batches."""
        newest = int(self.r.get(self.store.k("seq")) or FIRST_CASE_NUMBER)
        for first in range(FIRST_CASE_NUMBER + 1, newest + 1, BATCH):
            numbers = range(first, min(first + BATCH, newest + 1))
            pipe = self.r.pipeline()
            for number in numbers:
                pipe.hmget(self.store.k("case", number), CASE_FIELDS)
                pipe.xlen(self.store.k("case", number, "audit"))
            replies = pipe.execute()
            for number, values, length in zip(numbers, replies[::2], replies[1::2], strict=True):
                fields = {k: _s(v) for k, v in zip(CASE_FIELDS, values, strict=True)}
                if fields["state"] and not (changed_only and str(length) == fields["learned"]):
                    yield CaseRecord(number, fields, self.store.audit(number), int(length))

    def mark(self, number: int, label_id: str, audit_length: int) -> None:
        """Note that the case's timeline up to ``audit_length`` entries is harvested."""
        self._mark(keys=[self.store.k("case", number)], args=[label_id, audit_length])


__all__ = ["CASE_FIELDS", "CaseRecord", "Label", "LabelStore"]
