"""The case history with 100,000 closed cases: how long the KPI queries take (dashboard pages must
load in under a second), on SQLite (default) or the database named by ``--database-url``.

Fills a fresh history with a year of synthetic closed cases (platforms, departments, experts,
verdicts, replies, surveys, links) in bulk, then times each query the reports and the dashboard
make: headline totals for all cases and cut by department and period, totals grouped by platform,
department and expert, volume by hour of the week, the forecast's week counts, daily volume, a
whole overview (forecast and Erlang C included), a customer lookup for a card, a case search, and a
full export streamed to nowhere. Prints figures; nothing here passes or fails.

    .venv/bin/python bench/history_reports.py [--cases 100000] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bridge.playbook.model import load_playbook  # noqa: E402
from bridge.reports.export import write_cases  # noqa: E402
from bridge.reports.facts import week_slot  # noqa: E402
from bridge.reports.kpis import Cut  # noqa: E402
from bridge.reports.overview import overview  # noqa: E402
from bridge.reports.query import Reports  # noqa: E402
from bridge.store.history import CaseFacts, CaseRow, History, Search, history_url, open_engine  # noqa: E402
from tests.support.history import postgres_schema  # noqa: E402

PLAYBOOK = ROOT / "playbooks" / "acme.yml"
PLATFORMS = ("x", "x", "x", "mastodon", "bluesky")
DEPARTMENTS = ("social", "billing", "billing", "logistics")
EXPERTS = tuple(f"U0EXP{i}" for i in range(12))
VERDICTS = ("respond", "respond", "respond", "noise", "ignore", "monitor")
INSERT_BATCH = 5000
REPEATS = 5


def synthetic(number: int, now: datetime, rng: random.Random) -> CaseFacts:
    created = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
    verdict = rng.choice(VERDICTS)
    answered = verdict == "respond" and rng.random() < 0.9
    first = rng.expovariate(1 / 900) if answered else None
    hour, week = week_slot(created, None)
    return CaseFacts(
        number=number,
        platform=rng.choice(PLATFORMS),
        created_at=created,
        closed_at=created + timedelta(seconds=(first or 60) + 600),
        state="posted" if answered else "ignored",
        outcome="posted" if answered else "ignored",
        hour_of_week=hour,
        week=week,
        department=rng.choice(DEPARTMENTS),
        expert=rng.choice(EXPERTS) if answered else "",
        service_model="concierge",
        verdict=verdict,
        sentiment_start=rng.uniform(-1, 1),
        sentiment_end=rng.uniform(-1, 1),
        polarity_start=rng.choice(("negative", "neutral", "positive")),
        polarity_end=rng.choice(("negative", "neutral", "positive")),
        author_handle=f"customer{number % 20000}",
        author_handle_folded=f"customer{number % 20000}",
        author_id=str(number % 20000),
        text=f"order {number} arrived broken, please help",
        first_reply_seconds=first,
        first_human_reply_seconds=first,
        response_count=1 if answered else 0,
        response_seconds=first or 0.0,
        handled_count=1 if answered else 0,
        handling_seconds=rng.uniform(60, 1800) if answered else 0.0,
        resolution_seconds=(first or 0) + 600 if answered else None,
        answers=1 if answered else 0,
        reopened=1 if answered and rng.random() < 0.08 else 0,
        needed_response=verdict == "respond",
        set_aside=verdict in ("noise", "ignore"),
        sla_minutes=15,
        sla_met=(first is not None and first <= 900) if verdict == "respond" else None,
        csat=rng.randint(1, 5) if answered and rng.random() < 0.3 else None,
        nps=rng.randint(0, 10) if answered and rng.random() < 0.2 else None,
        link_clicks=rng.randint(0, 3) if answered else 0,
    )


def fill(history: History, count: int, now: datetime) -> float:
    rng = random.Random(12)
    started = time.perf_counter()
    with history.engine.begin() as conn:
        for start in range(0, count, INSERT_BATCH):
            rows = [
                synthetic(1001 + n, now, rng).columns()
                for n in range(start, min(count, start + INSERT_BATCH))
            ]
            conn.execute(insert(CaseRow), rows)
    return time.perf_counter() - started


def timed(name: str, work: Callable[[], Any], repeats: int = REPEATS) -> None:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    print(f"  {name:<44} median {statistics.median(times):8.1f} ms   max {max(times):8.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary folder")
    args = parser.parse_args()
    now = datetime.now(UTC)
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        url = history_url(args.database_url, folder)
        if args.database_url:  # a schema of the bench's own, dropped afterwards: nothing of yours touched
            url = stack.enter_context(postgres_schema(url))
        history = History(open_engine(url))
        seconds = fill(history, args.cases, now)
        print(
            f"history_reports: {args.cases:,} closed cases on {history.engine.dialect.name}, "
            f"filled in {seconds:.1f} s"
        )
        reports, playbook = Reports(history.engine), load_playbook(PLAYBOOK)
        month = Cut(since=now - timedelta(days=30), until=now)
        timed("totals, all cases", lambda: reports.totals(Cut()))
        timed(
            "totals, billing, last 30 days",
            lambda: reports.totals(Cut(since=month.since, department="billing")),
        )
        timed("totals by platform (SLA per platform)", lambda: reports.totals_by(Cut(), "platform"))
        timed("totals by expert, last 30 days", lambda: reports.totals_by(month, "expert"))
        timed("volume by hour of week per department", lambda: reports.volume_by_hour(Cut(), "department"))
        timed("daily volume, last 30 days", lambda: reports.daily_volume(month))
        timed(
            "overview, last 30 days (KPIs, forecast, staff)", lambda: overview(reports, playbook, month, now)
        )
        timed("overview, all 100,000 cases", lambda: overview(reports, playbook, Cut(), now))
        timed("customer history for a card", lambda: history.customer("x", "4242", "customer4242", 10**9))
        timed(
            "search: handle + department",
            lambda: history.search(Search(handle="customer42", department="billing")),
        )
        timed("search: text, 50 newest", lambda: history.search(Search(text="broken")))
        timed(
            "export all cases as CSV (streamed)", lambda: write_cases(history.stream(), "csv", io.StringIO())
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
