"""``bridge export cases``, ``bridge history backfill`` and ``bridge case``: the case history from
the command line.

Export reads only the history (no Redis needed), streamed; backfill walks Redis for closed cases the
history does not have yet (those closed before it existed) and writes them.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bridge.app.runtime import Runtime
from bridge.app.settings import Settings

__all__ = ["add_history_commands", "backfill", "case_timeline", "export_cases", "parse_moment"]

_DAYS_AGO = re.compile(r"^(\d{1,4})d$")


def parse_moment(text: str, now: datetime) -> datetime:
    """``2026-11-01``, ``2026-11-01T08:00``, ``2026-11-01T08:00+01:00`` (UTC when no zone) or ``30d``
    (that many days before now)."""
    ago = _DAYS_AGO.match(text.strip())
    if ago:
        return now - timedelta(days=int(ago[1]))
    moment = datetime.fromisoformat(text.strip())
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def export_cases(args: argparse.Namespace) -> int:
    from bridge.reports.export import write_cases
    from bridge.store.history import History, history_url, open_engine

    now = datetime.now(UTC)
    try:
        since = parse_moment(args.since, now)
        until = parse_moment(args.until, now) if args.until else None
    except ValueError as exc:
        print(f"bridge: --since/--until: {exc} (try 2026-11-01 or 30d)", file=sys.stderr)
        return 2
    settings = Settings()
    history = History(open_engine(history_url(settings.database_url, settings.bridge_data_dir)))
    rows = history.stream(since, until)
    if args.output:
        with Path(args.output).open("w", encoding="utf-8", newline="") as out:
            count = write_cases(rows, args.format, out)
        print(f"Exported {count} cases to {args.output}.", file=sys.stderr)
    else:
        count = write_cases(rows, args.format, sys.stdout)
        sys.stdout.flush()
    return 0


def backfill(runtime: Callable[[], Runtime]) -> int:
    rt = runtime()
    now = datetime.now(UTC)
    drained = rt.archiver.drain(now)
    written, _next = rt.archiver.backfill(now, start=None)
    print(f"Case history: {drained + written} closed cases written ({rt.history.count()} in the history).")
    return 0


def _help_of(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """A command group run without its subcommand prints its help and exits 2."""

    def print_help(_args: argparse.Namespace) -> int:
        parser.print_help()
        return 2

    return print_help


def add_history_commands(sub: Any, runtime: Callable[[], Runtime]) -> None:
    """The ``export`` and ``history`` commands on the ``bridge`` parser."""
    export = sub.add_parser("export", help="export closed cases from the case history")
    what = export.add_subparsers(title="what to export")
    cases = what.add_parser("cases", help="closed cases as CSV or JSON lines (streamed)")
    cases.add_argument("--since", required=True, help="first day (2026-11-01, an ISO time, or 30d)")
    cases.add_argument("--until", help="up to, not including (default: now)")
    cases.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="default: %(default)s")
    cases.add_argument("--output", "-o", help="write to this file instead of standard output")
    cases.set_defaults(func=export_cases)
    export.set_defaults(func=_help_of(export))
    history = sub.add_parser("history", help="the case history (SQL): backfill")
    tools = history.add_subparsers(title="history commands")
    tools.add_parser(
        "backfill", help="write closed cases still in Redis that the history does not have yet"
    ).set_defaults(func=lambda _args: backfill(runtime))
    history.set_defaults(func=_help_of(history))


def case_timeline(rt: Runtime, reference: str) -> int:
    """``bridge case 1042``: the case's timeline from Redis while it is there, else from the case
    history (a compacted or removed case)."""
    from bridge.domain.errors import UnknownCase
    from bridge.store.timeline import format_archived_timeline, format_timeline

    number = reference.lstrip("#")
    if not number.isdigit():
        print(f"A case number looks like 1042 or #1042, not {reference!r}.", file=sys.stderr)
        return 2
    try:
        print(format_timeline(rt.store.get(int(number)), rt.store.audit(int(number))))
    except UnknownCase as exc:
        facts = rt.history.get(int(number))
        if facts is not None:
            print(format_archived_timeline(facts, rt.history.events(int(number))))
            return 0
        print(str(exc), file=sys.stderr)
        if rt.settings.redis_url is None:
            print(
                f"(Looked in the embedded Redis under {rt.settings.bridge_data_dir}. `bridge demo` keeps "
                "none of its cases: it runs on a throwaway Redis, deleted when it ends.)",
                file=sys.stderr,
            )
        return 1
    return 0
