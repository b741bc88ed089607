"""Dashboard page timings with many closed cases in the history.

Fills a fresh SQLite history (or ``--database-url``, e.g. the machine's PostgreSQL) with ``--cases``
closed cases, the same synthetic year as ``bench/history_reports.py``, starts the real
web app on a private embedded Redis, and times every dashboard page and the export through HTTP with
the dashboard token, warm (after one unmeasured load). Figures only; the target is under 1 s a page
with 100,000 cases. With ``--database-url`` the cases go into a schema of the bench's own, dropped at
the end.

    .venv/bin/python bench/dashboard_pages.py [--cases 100000] [--rounds 5] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.history_reports import fill  # noqa: E402
from bridge.app.logs import configure  # noqa: E402
from bridge.app.settings import Settings  # noqa: E402
from bridge.store.history import History, history_url, open_engine  # noqa: E402
from bridge.store.redis_conn import embedded_url  # noqa: E402
from bridge.wiring import build, build_web_app  # noqa: E402
from standins.server import BackgroundServer  # noqa: E402
from tests.support.history import postgres_schema  # noqa: E402

TOKEN = "bench-dashboard-token"  # noqa: S105  # a local bench's own
PAGES = (
    "/dashboard",
    "/dashboard?since=2000-01-01",  # every case, not the default last 30 days
    "/dashboard/volume",
    "/dashboard/volume?since=2000-01-01",
    "/dashboard/people",
    "/dashboard/people?since=2000-01-01",
    "/dashboard/surveys",
    "/dashboard/cases",
    "/dashboard/cases?text=broken",
    "/dashboard/cases?handle=customer77",
    "/dashboard/cases/4242",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    configure(level="WARNING")
    with ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        # PostgreSQL: a schema of the bench's own, dropped afterwards, so nothing of yours is touched
        named = history_url(args.database_url, data_dir) if args.database_url else None
        database_url = stack.enter_context(postgres_schema(named)) if named else None
        url = history_url(database_url, data_dir)
        took = fill(History(open_engine(url)), args.cases, datetime.now(UTC))  # history_reports' year
        print(f"history: {args.cases:,} closed cases in {url.split(':')[0]}, filled in {took:.1f} s")
        settings = Settings(
            redis_url=embedded_url(data_dir / "redis"),
            bridge_data_dir=data_dir,
            database_url=database_url,
            bridge_dashboard_token=TOKEN,
            bridge_key_prefix="bench-dashboard:",
        )
        server = BackgroundServer(build_web_app(build(settings))).start()
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {TOKEN}"
        try:
            print(f"{'page':40} {'p50 ms':>8} {'max ms':>8} {'bytes':>9}")
            for page in (*PAGES, "/dashboard/export?format=csv"):
                first = session.get(server.url + page, timeout=120)
                first.raise_for_status()
                seconds = []
                for _ in range(args.rounds):
                    started = time.perf_counter()
                    session.get(server.url + page, timeout=120).raise_for_status()
                    seconds.append(time.perf_counter() - started)
                p50, worst = statistics.median(seconds) * 1000, max(seconds) * 1000
                print(f"{page:40} {p50:8.0f} {worst:8.0f} {len(first.content):9,}")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
