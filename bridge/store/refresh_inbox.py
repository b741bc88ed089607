"""Cards waiting to be redrawn, gathered so one job redraws many.

A card is redrawn after every change to its case (a claim, a draft, an approval …). One RQ job per
redraw cost a worker about 1.5 ms of RQ's own bookkeeping for some 0.4 ms of work, and in a crisis,
when a whole desk claims at once, those jobs took the cores the web process needed to acknowledge
the clicks. Now a redraw is a case number added to a set, and only the request that finds no
redrawing job queued queues one (:func:`bridge.app.jobs.refresh_cards`). Two changes to one card
before the job runs make one redraw.

The job clears the "queued" mark before it reads the set, so a number added while it runs either
is read by it or queues the next job; it removes each number only once the card is redrawn (or
handed to a job of its own), so a worker that dies mid-way leaves the rest for the job's rerun. A mark
whose job was lost (the process died between the mark and the queueing) expires after
:data:`QUEUED_MARK_SECONDS`; the next redraw then queues a job again.
"""

from __future__ import annotations

import redis

__all__ = ["QUEUED_MARK_SECONDS", "REFRESHES_PER_JOB", "RefreshInbox"]

#: How long the "a job is queued" mark lives without its job starting.
QUEUED_MARK_SECONDS = 60
#: How many cards one job redraws at most; the rest wait for the job queued after it.
REFRESHES_PER_JOB = 200


class RefreshInbox:
    """The set of case numbers whose cards wait for a redraw, and the mark of a job queued for them."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.r = client
        self.due_key = f"{prefix}refresh:due"
        self.queued_key = f"{prefix}refresh:queued"

    def add(self, number: int) -> bool:
        """Ask for case ``number``'s card to be redrawn; True when no job is queued for it yet (the
        caller queues one)."""
        with self.r.pipeline(transaction=False) as pipe:
            pipe.sadd(self.due_key, number)
            pipe.set(self.queued_key, 1, nx=True, ex=QUEUED_MARK_SECONDS)
            _, queued = pipe.execute()
        return bool(queued)

    def start(self, limit: int = REFRESHES_PER_JOB) -> list[int]:
        """For the job: clear the mark, then the numbers to redraw (up to ``limit``)."""
        with self.r.pipeline(transaction=False) as pipe:
            pipe.delete(self.queued_key)
            pipe.srandmember(self.due_key, limit)
            _, members = pipe.execute()
        return sorted(int(member) for member in members)

    def done(self, numbers: list[int]) -> bool:
        """Remove ``numbers`` (redrawn, or handed on); True when more wait and no job is queued for
        them (the caller queues one: more than ``limit`` were waiting)."""
        with self.r.pipeline(transaction=False) as pipe:
            if numbers:
                pipe.srem(self.due_key, *numbers)
            pipe.scard(self.due_key)
            *_, left = pipe.execute()
        return bool(left) and bool(self.r.set(self.queued_key, 1, nx=True, ex=QUEUED_MARK_SECONDS))

    def waiting(self) -> list[int]:
        return sorted(int(member) for member in self.r.smembers(self.due_key))
