"""Running the retention sweep: the playbook's policy in the store's terms, the hourly job, and
the check the workers make in their maintenance to start it (once an hour across all workers)."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog
from rq import Queue

from bridge.app import runtime
from bridge.app.enqueue import enqueue
from bridge.playbook.retention_rules import RetentionRules
from bridge.reports.archive import Archiver
from bridge.store.cases import Store
from bridge.store.retention import Policy, Retention, Swept
from bridge.triage.learning.harvest import Harvester

__all__ = [
    "BACKFILL_PER_SWEEP",
    "JOB_BUDGET_SECONDS",
    "SWEEP_EVERY_SECONDS",
    "policy_from",
    "start_hourly",
    "sweep",
    "sweep_job",
]

log = structlog.get_logger(__name__)

SWEEP_EVERY_SECONDS = 3600
#: The hourly job stops starting new batches after this long (the job may run 120 s); a large
#: backlog, such as a year of cases when a policy is first set, goes over several hours.
JOB_BUDGET_SECONDS = 80
#: Cases in Redis looked at per hourly sweep for closed ones the history has not seen (closed before
#: the history existed, or whose archiving job was lost).
BACKFILL_PER_SWEEP = 5000


def policy_from(rules: RetentionRules | None, data_dir: Path) -> Policy | None:
    if rules is None:
        return None
    folder = Path(rules.export_folder)
    return Policy(
        closed_case_days=rules.closed_case_days,
        audit=rules.audit,
        audit_days=rules.audit_kept_days,
        export_dir=folder if folder.is_absolute() else data_dir / folder,
        compact_after_days=rules.compact_after_days,
    )


def sweep(
    store: Store,
    rules: RetentionRules | None,
    data_dir: Path,
    now: datetime,
    budget_seconds: float | None = None,
    archiver: Archiver | None = None,
) -> Swept | None:
    """Apply the playbook's policy; None (and no expiry on closing cases) when it has none. With an
    ``archiver`` every case goes to the case history before it leaves Redis, closed cases it holds
    are compacted once quiet ``compact_after_days``, and the history drops cases closed longer ago
    than ``history_days``."""
    policy = policy_from(rules, data_dir)
    before = None if archiver is None else (lambda numbers: archiver.archive_many(numbers, now))
    retention = Retention(store, before_removal=before, confirm=None if archiver is None else archiver.holds)
    if policy is None or rules is None:
        retention.publish(None)
        return None
    swept = retention.sweep(policy, now, budget_seconds)
    if archiver is not None:
        removed = archiver.history.remove_closed_before(now - timedelta(days=rules.history_kept_days))
        if removed:
            log.info("history_retention", removed=removed, days=rules.history_kept_days)
    return swept


def sweep_job() -> str:
    """The job body, in a child process: the labels harvested, then one sweep with the process's
    playbook. The harvest loads triage's language data (about 80 MB), which a worker running jobs in
    its own process would otherwise keep for as long as it lives; the child gives it back."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return str(pool.apply(_sweep_now))


def _sweep_now() -> str:
    rt = runtime.current()
    now = datetime.now(UTC)
    # the desk's decisions become triage's anonymous labels before their cases may leave Redis
    Harvester(rt.store, rt.playbook).run(now)
    # closed cases whose archiving was missed, or that closed before the history existed
    rt.archiver.drain(now)
    rt.archiver.backfill(now, count=BACKFILL_PER_SWEEP)
    rt.report_digests.ensure_scheduled()
    swept = sweep(
        rt.store, rt.playbook.retention, rt.settings.bridge_data_dir, now, JOB_BUDGET_SECONDS, rt.archiver
    )
    if swept is None:
        return "no retention policy"
    return (
        f"removed {len(swept.removed)} cases, compacted {len(swept.compacted)}, "
        f"trimmed {swept.audit_trimmed} audit entries"
    )


def start_hourly(store: Store, queue: Queue, now: datetime) -> bool:
    """Queue the sweep unless some worker already did this hour; True when this call queued it."""
    if not store.first_time(f"retention-sweep:{now:%Y%m%d%H}", SWEEP_EVERY_SECONDS * 2):
        return False
    enqueue(queue, sweep_job)
    return True
