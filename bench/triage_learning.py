"""Does triage learn from the desk, and what does the fitted model cost? Prints figures; never fails.

A simulated month of one brand's desk decisions (``tests/support/desk_month.py``: invented posts,
triaged by the acme playbook's rules, answered, rescued from the set-aside digest, ignored with a
reason or moved to another department) is harvested into labels. Printed:

(a) the 5-fold cross-validated precision/recall/F1 of the rules and of the rules with the model, as
    ``bridge triage fit`` prints them;
(b) held back by time: a model fitted on the month's first three weeks, scored with the rules on the
    last week's labels (the same brand, posts it never saw);
(c) how long harvesting and fitting take, and the size of a label;
(d) triage plus the whole decision (``bridge.triage.decision.decide``) per mention, p50 and p99 in
    microseconds on one core, with the fitted model in use, and without it.

Run ``.venv/bin/python bench/triage_learning.py`` (``--posts 1200`` for a busier month).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bridge.domain.model import Author, Mention  # noqa: E402
from bridge.playbook.model import Playbook, load_playbook  # noqa: E402
from bridge.store.cases import Store  # noqa: E402
from bridge.store.labels import Label, LabelStore  # noqa: E402
from bridge.store.redis_conn import connect, embedded_url, shutdown_embedded  # noqa: E402
from bridge.triage.decision import decide  # noqa: E402
from bridge.triage.learning.active import use_model_file  # noqa: E402
from bridge.triage.learning.fitting import evaluate, fit, train  # noqa: E402
from bridge.triage.learning.harvest import WEAK_AFTER_DAYS, Harvester  # noqa: E402
from bridge.triage.learning.model import MODEL_FILE  # noqa: E402
from tests.support.desk_month import KINDS, simulate_month  # noqa: E402

PLAYBOOK = ROOT / "playbooks" / "acme.yml"
TIMED_MENTIONS = 3000


def _timings(playbook: Playbook) -> tuple[float, float]:
    """p50 and p99 of one ``decide`` per mention, in microseconds, over the simulated kinds of post."""
    import random

    rng = random.Random(7)
    makers = [make for _, make in KINDS.values()]
    now = datetime(2026, 11, 20, 10, tzinfo=UTC)
    mentions = [
        Mention(
            "x", str(n), rng.choice(makers)(rng), Author("1", "someone", "S"), now, "u", account="AcmeHelp"
        )
        for n in range(TIMED_MENTIONS)
    ]
    for mention in mentions[:200]:  # warm caches: the compiled rules, the model's first load
        decide(playbook, mention, now)
    spent = []
    for mention in mentions:
        start = time.perf_counter()
        decide(playbook, mention, now)
        spent.append((time.perf_counter() - start) * 1e6)
    cuts = statistics.quantiles(spent, n=100)
    return cuts[49], cuts[98]


def _harvest(store: Store, playbook: Playbook, posts: int) -> tuple[list[Label], float, float]:
    start = time.perf_counter()
    month = simulate_month(store, playbook, posts)
    simulated = time.perf_counter() - start
    start = time.perf_counter()
    harvest = Harvester(store, playbook).run(datetime.now(UTC) + timedelta(days=WEAK_AFTER_DAYS + 1))
    harvested = time.perf_counter() - start
    print(
        f"Simulated {posts} posts in {simulated:.1f} s; "
        f"the rules set aside {month.rules_missed} the desk wanted."
    )
    print(harvest.describe())
    return LabelStore(store).labels("need"), harvested, simulated


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--posts", type=int, default=600)
    args = options.parse_args()
    playbook = load_playbook(PLAYBOOK)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        store = Store(connect(embedded_url(data / "redis")), "bench:")
        labels, harvested, _ = _harvest(store, playbook, args.posts)
        start = time.perf_counter()
        fitted = fit(labels, datetime.now(UTC).date())
        fitting = time.perf_counter() - start
        print(f"\n(a) {fitted.verdict}")
        if fitted.rules and fitted.model:
            print(f"    rules alone      {fitted.rules.describe()}")
            print(f"    rules and model  {fitted.model.describe()}")
        labels.sort(key=lambda label: label.day)
        cut = sum(label.day < "2026-11-23" for label in labels)
        rules, model = evaluate(train(labels[:cut]), labels[cut:])
        print(f"\n(b) fitted on {cut} labels before 23 November, scored on the {len(labels) - cut} after:")
        print(f"    rules alone      {rules.describe()}")
        print(f"    rules and model  {model.describe()}")
        size = sum(len(label.to_json()) for label in labels) / len(labels)
        print(f"\n(c) harvest {harvested:.2f} s; fit with 5-fold cross-validation {fitting:.2f} s")
        print(f"    a label takes {size:.0f} bytes in Redis")
        use_model_file(None)
        p50, p99 = _timings(playbook)
        print(f"\n(d) triage + decision per mention, rules alone:  p50 {p50:.0f} µs, p99 {p99:.0f} µs")
        if fitted.fitted is not None:
            fitted.fitted.save(data / MODEL_FILE)
            use_model_file(data / MODEL_FILE)
            p50, p99 = _timings(playbook)
            print(f"    with the fitted model in use:                  p50 {p50:.0f} µs, p99 {p99:.0f} µs")
        use_model_file(None)
        shutdown_embedded(data / "redis")


if __name__ == "__main__":
    main()
