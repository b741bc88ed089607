"""Processes that end with the process that started them, so a killed bridge leaves no orphan.

RQ puts each work horse in a process group of its own, and a process killed with SIGKILL cannot
stop its children: a post in flight went on after ``bridge run`` and its group were killed, racing
the restarted bridge. On Linux the kernel can signal a child when its parent dies
(``PR_SET_PDEATHSIG``); elsewhere this is a no-op and the recovery sweep still finishes the post.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys

__all__ = ["die_with_parent"]

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL, parent: int | None = None) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent ends.

    ``parent`` is the pid the caller expects as its parent: if it has already gone (the parent died
    between the fork and this call), the signal is sent at once.
    """
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), sig)
