"""A long-running process's start-up heap, set aside from the garbage collector.

Python's full collections walk every object that has survived the younger ones. In the web process
that is some hundreds of thousands of objects (the SDKs, the playbook, the templates), and walking
them stalled every request in flight: a Claim's acknowledgement at concurrency 20, workers running,
had a p99 of 110-190 ms, and 36-60 ms once frozen (``bench/deployed_shape.py``). What exists once a
process is built lives as long as the process, so it is frozen out of the collector
(:func:`gc.freeze`); full collections then walk only what the process made since.
"""

from __future__ import annotations

import gc

__all__ = ["settle_heap"]


def settle_heap() -> None:
    """Collect what start-up left behind, then freeze the rest. Call it once the process is built,
    just before it starts serving."""
    gc.collect()
    gc.freeze()
