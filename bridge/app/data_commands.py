"""Commands about what the bridge keeps: erasure for a data-protection request, retention, and
what triage learns from the desk. ``bridge forget``, ``bridge retention``, ``bridge triage fit`` and
``bridge playbook suggest`` print what these return.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from bridge.app.runtime import Runtime

__all__ = ["forget", "playbook_suggest", "retention", "triage_fit"]


def forget(args: argparse.Namespace, runtime: Callable[[], Runtime]) -> int:
    """Erase one customer's words and identity from the store (a data-protection request)."""
    from datetime import UTC, datetime

    from bridge.app.job_erasure import erase_jobs
    from bridge.app.retention import policy_from
    from bridge.crisis.erasure import CrisisErasure
    from bridge.store.erasure import Customer, Eraser
    from bridge.store.scrub import Scrubber

    who = (args.who or "").strip()
    if not (who.startswith("@") and len(who) > 1) and not args.author_id:
        print("Name the customer as @handle, or give --author-id.", file=sys.stderr)
        return 2
    rt = runtime()
    customer = Customer(handle=who.lstrip("@"), author_id=args.author_id or "", platform=args.platform or "")
    eraser = Eraser(rt.store, datetime.now(UTC).date(), [CrisisErasure(rt.store)])
    policy = policy_from(rt.playbook.retention, rt.settings.bridge_data_dir)
    plan = eraser.plan(customer, policy.export_dir if policy else None)
    archived = sorted(set(rt.history.find_customer(customer.handle, customer.author_id, customer.platform)))
    refs = ", ".join(f"#{n}" for n in plan.cases) or "none"
    if plan.exported_cases:
        refs += " (exported by retention: " + ", ".join(f"#{n}" for n in plan.exported_cases) + ")"
    texts = len(plan.needles.texts)
    print(f"{customer.describe()}: cases {refs}; {texts} texts and their ids, names and handles")
    if plan.index_keys:
        print(f"Index keys to delete: {len(plan.index_keys)}")
    if archived:
        print(f"In the case history: {', '.join(f'#{n}' for n in archived)}")
    if plan.open_cases:
        print(f"Open cases to resolve: {', '.join(f'#{n}' for n in plan.open_cases)}")
    if args.dry_run:
        print("Dry run: nothing was changed (the audit stream and crisis records would be searched too).")
        return 0
    erased = eraser.erase(plan, by=args.by)
    jobs = erase_jobs(rt.queue, Scrubber(rt.redis, plan.needles, plan.cases), plan.cases)
    in_history = sorted({*archived, *plan.cases})
    history_rows = rt.history.erase(
        in_history, plan.needles.tombstone, eraser.today.isoformat(), plan.needles.pattern(own=True)
    )
    for number in erased.cases:
        if rt.store.get(number).card is not None:
            rt.dispatch.refresh_card(number)  # the card shows the tombstone instead of their words
    print(
        f"Erased: {len(erased.cases)} cases, {erased.values} values replaced by "
        f"{plan.needles.tombstone}, {erased.deleted_keys} index keys and {jobs} queued jobs deleted, "
        f"{history_rows} rows of the case history rewritten"
        + (f", resolved {', '.join(f'#{n}' for n in erased.resolved)}" if erased.resolved else "")
        + "."
    )
    return 0


def retention(rt: Runtime) -> int:
    """Apply the playbook's retention policy now (the workers also do it every hour)."""
    from datetime import UTC, datetime

    from bridge.app.retention import sweep

    rules = rt.playbook.retention
    if rules is None:
        print("The playbook has no retention: section: nothing is removed.")
    swept = sweep(rt.store, rules, rt.settings.bridge_data_dir, datetime.now(UTC))
    if swept is None or rules is None:
        return 0
    print(
        f"Retention: closed cases kept {rules.closed_case_days} days, audit {rules.audit}. "
        f"Removed {len(swept.removed)} closed cases"
        + (f" ({', '.join(f'#{n}' for n in swept.removed[:20])})" if swept.removed else "")
        + f"; noted {swept.backfilled} cases closed before the policy; "
        f"trimmed {swept.audit_trimmed} audit entries."
    )
    for path in swept.exported:
        print(f"Exported to {path}")
    return 0


def triage_fit(args: argparse.Namespace, runtime: Callable[[], Runtime]) -> int:
    """Harvest the desk's decisions into labels, fit triage's model, save it only when it is better."""
    from datetime import UTC, datetime

    from bridge.store.labels import LabelStore
    from bridge.triage.learning.fitting import fit
    from bridge.triage.learning.harvest import Harvester
    from bridge.triage.learning.model import MODEL_FILE

    if args.folds < 2:
        print("Cross-validation needs at least 2 folds.", file=sys.stderr)
        return 2
    rt = runtime()
    now = datetime.now(UTC)
    if not args.no_harvest:
        print(Harvester(rt.store, rt.playbook).run(now).describe())
    result = fit(LabelStore(rt.store).labels("need"), now.date(), folds=args.folds)
    print(f"Labels: {result.labels}, of which {result.needed} needed a person.")
    if result.rules is not None and result.model is not None:
        print(f"Rules alone ({args.folds}-fold):      {result.rules.describe()}")
        print(f"Rules with the model ({args.folds}-fold): {result.model.describe()}")
    print(result.verdict)
    if result.fitted is not None:
        path = rt.settings.bridge_data_dir / MODEL_FILE
        if args.dry_run:
            print(f"Dry run: {path} is left as it is.")
        else:
            result.fitted.save(path)
            print(f"Saved {path}: triage uses it from now on where the rules say noise.")
    return 0


def playbook_suggest(rt: Runtime) -> int:
    """Print routing keywords and phrases that people's reassignments suggest; never writes."""
    from bridge.triage.learning.suggest import suggest

    print(suggest(rt.playbook, rt.store))
    return 0
