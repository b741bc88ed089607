"""Redis bytes per case, before and after retention, measured with MEMORY USAGE.

Runs whole cases through the real bridge (X stand-in → Slack stand-in: ingest, card, claim, draft,
approve, post, a follow-up, resolve), then sums ``MEMORY USAGE`` over every key of the bridge's
prefix: all of them, and the case's own keys. Then, with ``audit: keep``, the hourly job's steps run
as if 8 days had passed (triage's harvest, the case history, the sweep): closed cases are compacted
(``compact_after_days``, 7 by default) and measured again; ``post`` is the post keys that still
recognise their posts; the triage labels the harvest keeps (anonymous, ``LABEL_DAYS``) are shown
apart. Then the sweep runs as if 91 days had passed and the same is measured again,
once with ``audit: keep`` and once with ``audit: drop``. Figures only.

    .venv/bin/python bench/retention_bytes.py [--cases 200]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.slack.cards import ACTION_IDS  # noqa: E402
from bridge.app.logs import configure  # noqa: E402
from bridge.app.retention import sweep  # noqa: E402
from bridge.domain.model import utcnow  # noqa: E402
from bridge.playbook.retention_rules import RetentionRules  # noqa: E402
from bridge.store.retention import Policy, Retention  # noqa: E402
from bridge.triage.learning.harvest import Harvester  # noqa: E402
from standins.harness import LocalBridge  # noqa: E402

TEXT = "@AcmeHelp I was charged twice for order {i}, I need a refund for the second payment please"


def usage(bridge: LocalBridge) -> Counter[str]:
    """Bytes by kind of key: the case's own keys, the audit stream, everything else."""
    r: Any = bridge.rt.redis
    prefix = bridge.rt.settings.bridge_key_prefix
    sizes: Counter[str] = Counter()
    for key in r.scan_iter(match=prefix + "*", count=1000):
        name = key.decode()[len(prefix) :]
        kind = "case" if name.startswith("case:") else "audit" if name == "audit" else "other"
        kind = "post" if name.startswith("post:") else "labels" if name.startswith("learning:") else kind
        sizes[kind] += int(r.memory_usage(key, samples=0) or 0)
    return sizes


def whole_case(bridge: LocalBridge, i: int) -> None:
    post = bridge.x.add_mention(TEXT.format(i=i), author_handle=f"user{i}", author_name=f"User {i}")
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post)
    assert number is not None
    bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    bridge.reply_in_thread("U0EXP1", number, f"Hi @user{i}, sorry! The second charge is refunded today.")
    bridge.drain()
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1")
    bridge.drain()
    reply = bridge.rt.store.get(number).reply_id
    bridge.x.add_mention("@AcmeHelp thanks, got it!", author_handle=f"user{i}", in_reply_to=reply)
    bridge.poll()
    bridge.drain()
    bridge.slash("U0SOC1", "C0SOCIAL", f"resolve {number} done")


def report(label: str, sizes: Counter[str], cases: int) -> None:
    total = sum(sizes.values())
    print(
        f"{label:<32} {total / cases:>8.0f} B/case  (case keys {sizes['case'] / cases:.0f}, "
        f"post keys {sizes['post'] / cases:.0f}, audit stream {sizes['audit'] / cases:.0f}, "
        f"triage labels {sizes['labels'] / cases:.0f}, other {sizes['other'] / cases:.0f})"
    )


def compact(bridge: LocalBridge, cases: int) -> None:
    """The hourly job's steps a week and a day after the cases closed: harvest, history, sweep."""
    later = utcnow() + timedelta(days=8)
    rt = bridge.rt
    Harvester(rt.store, rt.playbook).run(later)
    rt.archiver.drain(later)
    swept = sweep(rt.store, RetentionRules(), rt.settings.bridge_data_dir, later, archiver=rt.archiver)
    assert swept is not None and len(swept.compacted) == cases, swept
    sizes = usage(bridge)
    report("compacted after 7 quiet days", sizes, cases)
    left = (sizes["case"] + sizes["post"]) / cases
    print(f"{'  left of each closed case':<32} {left:>8.0f} B/case  (stub + post keys)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--redis-url", default=None, help="default: embedded Redis")
    args = parser.parse_args()
    configure("ERROR")  # the X stand-in's DM rate limit is hit by polling this fast: not the point here
    for audit in ("keep", "drop"):
        with (
            tempfile.TemporaryDirectory() as tmp,
            LocalBridge(
                playbook=ROOT / "playbooks" / "acme.yml", redis_url=args.redis_url, data_dir=Path(tmp)
            ) as bridge,
        ):
            for i in range(args.cases):
                whole_case(bridge, i)
            if audit == "keep":
                report(f"{args.cases} resolved cases, closed", usage(bridge), args.cases)
                compact(bridge, args.cases)
            policy = Policy(closed_case_days=90, audit=audit, audit_days=90)
            swept = Retention(bridge.rt.store).sweep(policy, utcnow() + timedelta(days=91))
            assert len(swept.removed) == args.cases, swept
            report(f"after 90 days, audit: {audit}", usage(bridge), args.cases)
            bridge.cleanup_redis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
