"""Mentions ingested → card requests: throughput and mention-to-card latency.

Runs the real pipeline (tweepy polling the X stand-in, ingest into Redis, RQ jobs posting cards with
slack-sdk to the Slack stand-in) and prints figures. Nothing here passes or fails.

    .venv/bin/python bench/ingest_throughput.py [--mentions 500]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bridge.app.logs import configure  # noqa: E402
from standins.harness import LocalBridge  # noqa: E402

WORDS = ["refund", "parcel", "invoice", "app", "delivery", "store", "charged", "tracking"]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mentions", type=int, default=500)
    parser.add_argument("--redis-url", default=None, help="default: embedded Redis")
    args = parser.parse_args()
    configure("WARNING")
    with (
        tempfile.TemporaryDirectory() as tmp,
        LocalBridge(
            playbook=ROOT / "playbooks" / "acme.yml", redis_url=args.redis_url, data_dir=Path(tmp)
        ) as bridge,
    ):
        for i in range(args.mentions):
            bridge.x.add_mention(
                f"@AcmeHelp question {i} about my {WORDS[i % len(WORDS)]}",
                author_handle=f"user{i}",
                author_name=f"User {i}",
            )
        started = time.perf_counter()
        bridge.poll()
        ingested = time.perf_counter()
        bridge.drain()
        finished = time.perf_counter()
        latencies = []
        for number in bridge.rt.store.open_cases():
            audit = {e.action: e.at for e in bridge.rt.store.audit(number)}
            if "ingested" in audit and "card_posted" in audit:
                latencies.append((audit["card_posted"] - audit["ingested"]).total_seconds() * 1000)
        cards = len(bridge.slack.calls_to("chat.postMessage"))
        total = finished - started
        print(f"mentions: {args.mentions}  cards requested: {cards}")
        print(
            f"poll+ingest: {ingested - started:.2f} s  card jobs: {finished - ingested:.2f} s  "
            f"total: {total:.2f} s"
        )
        print(f"throughput: {cards / total:.1f} mentions→card requests per second (one in-process worker)")
        if latencies:
            print(
                f"mention→card latency: p50 {statistics.median(latencies):.0f} ms  "
                f"p99 {percentile(latencies, 99):.0f} ms  max {max(latencies):.0f} ms"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
