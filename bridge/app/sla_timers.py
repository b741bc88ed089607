"""Firing the SLA timers that are due (:mod:`bridge.store.timers`), in the worker's liveness pass.

A timer's check is the ``sla_check`` job body run in place: it reminds, alerts, or sets the timer
again when it is not due yet. A check that fails is logged; its timer fires again when its lease
ends, as a failed job would be retried.
"""

from __future__ import annotations

import math

import redis
import structlog

from bridge.app import jobs
from bridge.app.runtime import Runtime
from bridge.domain.errors import UnknownCase

__all__ = ["fire_due"]

log = structlog.get_logger(__name__)


def fire_due(rt: Runtime, *, everything: bool = False) -> int:
    """Check the timers due now (every timer with ``everything``: the test harness's time passing);
    returns how many were checked."""
    now = math.inf if everything else rt.clock.now().timestamp()
    due, lease = rt.timers.claim_due(now)
    for number, kind in due:
        try:
            if kind == "card":  # a batched card's safety net (bridge.app.dispatch)
                jobs.card_due(number)
            else:
                jobs.sla_check(number, kind)
        except UnknownCase:  # the case was erased or expired meanwhile: nothing to remind of
            pass
        except (redis.ConnectionError, redis.TimeoutError):
            raise  # the worker waits for Redis; the lease brings the timer back
        except Exception:
            log.exception("sla_check_failed", case=number, kind=kind)
            continue
        rt.timers.done(number, kind, lease)
    return len(due)
