"""What crisis mode adds to erasing a customer (:mod:`bridge.store.erasure`): its keys, which quote
customers as examples and labels, and the form a customer's words take in a cluster's label."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bridge.crisis.clusters import LABEL_CHARS, normalise
from bridge.store.cases import Store

__all__ = ["SCAN_COUNT", "CrisisErasure"]

SCAN_COUNT = 1000


class CrisisErasure:
    """Implements :class:`bridge.store.erasure.ErasurePart`. Crisis keys mostly expire within days
    (a month for an episode), so scanning them is bounded by the recent fires, not by history."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def keys(self) -> Iterator[str]:
        for raw in self.store.r.scan_iter(match=self.store.k("crisis", "*"), count=SCAN_COUNT):
            yield raw.decode() if isinstance(raw, bytes) else str(raw)

    def variants(self, text: str) -> Iterable[str]:
        words = normalise(text)
        return [" ".join(words)[:LABEL_CHARS]] if words else []
