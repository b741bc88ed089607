"""The ``bridge`` command: run the processes, inspect cases, check playbooks, run the demo."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog

from bridge.app.logs import configure as configure_logs
from bridge.app.runtime import Runtime
from bridge.app.settings import Settings
from bridge.domain.errors import ConfigurationError, MentionsFileError, PlaybookError
from bridge.playbook.coverage import warn_missing_chats

log = structlog.get_logger("bridge")


def _runtime(settings: Settings | None = None) -> Runtime:
    from bridge.app import runtime
    from bridge.wiring import build

    rt = build(settings or Settings())
    runtime.install(rt)
    return rt


def _runtime_on_reachable_redis() -> Runtime:
    """The runtime, once the configured Redis answers: a malformed or unreachable ``REDIS_URL``
    is one ``bridge:`` line, not a traceback from deep inside redis-py or RQ."""
    from bridge.app.health import redis_problem

    settings = Settings()
    if settings.redis_url:
        problem = redis_problem(settings.redis_url)
        if problem:
            raise ConfigurationError(problem)
    return _runtime(settings)


def cmd_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bridge.app.web import AccessLogger
    from bridge.wiring import build_web_app, start_socket_mode

    rt = _runtime_on_reachable_redis()
    warn_missing_chats(rt.playbook, rt.chats)
    if rt.settings.slack_app_token and rt.settings.slack_configured:
        start_socket_mode(rt)
        log.info("slack_socket_mode_connected")
    if not rt.chats:
        log.warning(
            "no_chat_platform", hint="set SLACK_BOT_TOKEN (and SLACK_SIGNING_SECRET) to receive Slack"
        )
    app = build_web_app(rt)  # refuses a configuration it cannot serve before saying it serves
    port = args.port or rt.settings.bridge_port
    log.info("serving", host=args.host, port=port)
    web.run_app(app, host=args.host, port=port, print=None, access_log_class=AccessLogger)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from bridge.app.workers import BridgeWorker

    rt = _runtime_on_reachable_redis()
    warn_missing_chats(rt.playbook, rt.chats)
    worker = BridgeWorker(rt.dispatch.queues, connection=rt.redis)  # case work first, then tells
    level = logging.getLevelName(logging.getLogger().level)
    worker.work(with_scheduler=True, burst=args.burst, logging_level=level)
    return 0


def cmd_poll(args: argparse.Namespace) -> int:
    """Poll until asked to stop (SIGTERM or Ctrl-C: exit 0 after the poll under way).

    Redis being away (a restart, a fail-over) is waited out with a short back-off, never a crash:
    a dead poller used to take the whole of ``bridge run`` down with it.
    """
    import redis

    from bridge.app.poller import Backoff, poll_once

    rt = _runtime()
    if not rt.socials:
        print("No social platform is configured: set X_BEARER_TOKEN (and the X_* keys).", file=sys.stderr)
        return 2
    stopping = _StopRequest()
    backoff = Backoff()
    redis_wait = REDIS_RETRY_FIRST_SECONDS
    while not stopping.requested:
        try:
            delay = poll_once(rt, backoff)
            redis_wait = REDIS_RETRY_FIRST_SECONDS
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            if args.once:
                print(f"bridge: Redis is not answering: {exc}", file=sys.stderr)
                return 1
            log.warning("poll_redis_unavailable", error=str(exc), retry_in_seconds=redis_wait)
            delay, redis_wait = redis_wait, min(redis_wait * 2, REDIS_RETRY_MAX_SECONDS)
        if args.once:
            return 0
        stopping.wait(delay)
    return 0


REDIS_RETRY_FIRST_SECONDS = 0.5
REDIS_RETRY_MAX_SECONDS = 5.0


class _StopRequest:
    """Set by SIGTERM or SIGINT: the process finishes what it is doing and ends with 0.

    A plain flag, not a ``threading.Event``: setting an event from a signal handler can deadlock
    on the lock its own ``wait`` holds at that instant.
    """

    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGTERM, self._request)
        signal.signal(signal.SIGINT, self._request)

    def _request(self, *_: object) -> None:
        self.requested = True

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, waking within a tenth of a second of a stop request."""
        deadline = time.monotonic() + seconds
        while not self.requested and time.monotonic() < deadline:
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))


STOP_GRACE_SECONDS = 15


def cmd_run(_args: argparse.Namespace) -> int:
    """Web, worker and poller as child processes of one group, sharing one Redis.

    Ctrl-C reaches every process of the group; the children ignore it and stop on the SIGTERM this
    process sends them, so one orderly path stops everything and a requested stop exits 0. Each
    child also ends when this process dies, even of SIGKILL, and the embedded Redis (when
    ``REDIS_URL`` is unset) is shut down, saving its file, once the children have stopped.
    """
    from bridge.store.redis_conn import resolve_url, shutdown_embedded

    settings = Settings()
    names = ["serve", "worker"] + (["poll"] if settings.x_configured else [])
    asked_to_stop = False
    children: list[subprocess.Popen[bytes]] = []

    def stop(*_: object) -> None:
        nonlocal asked_to_stop
        asked_to_stop = True
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)  # before the embedded Redis starts: a stop then still stops it
    signal.signal(signal.SIGINT, stop)
    crashed = False
    try:
        env = dict(os.environ, REDIS_URL=resolve_url(settings.redis_url, settings.bridge_data_dir))
        for name in names:
            if not asked_to_stop:  # a stop may arrive between two starts
                children.append(_start_child(name, env))  # noqa: PERF401
        while not asked_to_stop and all(child.poll() is None for child in children):
            time.sleep(0.2)
        crashed = not asked_to_stop
    finally:
        stop()
        _wait_for(children)
        if not settings.redis_url:
            shutdown_embedded(settings.bridge_data_dir)
    return group_exit_code([child.returncode for child in children], crashed=crashed)


def _start_child(name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A child that ignores the terminal's Ctrl-C (our SIGTERM stops it) and ends when we do."""
    from bridge.app.lifeline import die_with_parent

    parent = os.getpid()

    def in_the_child() -> None:  # between fork and exec; this process runs no threads
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # kept across exec, until the child chooses
        die_with_parent(signal.SIGTERM, parent=parent)

    return subprocess.Popen([sys.executable, "-m", "bridge.cli", name], env=env, preexec_fn=in_the_child)  # noqa: PLW1509  # before any thread starts


def _wait_for(children: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:  # a job that will not end: it is retried elsewhere
            log.warning("child_killed", args=child.args, grace_seconds=STOP_GRACE_SECONDS)
            child.kill()
            child.wait()


def group_exit_code(codes: list[int], *, crashed: bool) -> int:
    """One exit code for the group: 0 for a requested stop, else the first failure.

    A child still importing when SIGTERM arrives dies of the signal (-15) instead of
    shutting down gracefully; after a requested stop that is a clean end, not a failure.
    Negative codes never reach ``sys.exit``, which would turn -15 into 241.
    """
    stopped_by_us = (0, -signal.SIGTERM, -signal.SIGINT)
    failures = [code for code in codes if code not in stopped_by_us]
    if failures:
        return failures[0] if failures[0] > 0 else 128 - failures[0]
    return 1 if crashed else 0


def cmd_case(args: argparse.Namespace) -> int:
    from bridge.domain.errors import UnknownCase
    from bridge.store.timeline import format_timeline

    rt = _runtime()
    number = args.number.lstrip("#")
    if not number.isdigit():
        print(f"A case number looks like 1042 or #1042, not {args.number!r}.", file=sys.stderr)
        return 2
    try:
        print(format_timeline(rt.store.get(int(number)), rt.store.audit(int(number))))
    except UnknownCase as exc:
        print(str(exc), file=sys.stderr)
        if rt.settings.redis_url is None:
            print(
                f"(Looked in the embedded Redis under {rt.settings.bridge_data_dir}. `bridge demo` keeps "
                "none of its cases: it runs on a throwaway Redis, deleted when it ends.)",
                file=sys.stderr,
            )
        return 1
    return 0


def cmd_forget(args: argparse.Namespace) -> int:
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
    rt = _runtime()
    customer = Customer(handle=who.lstrip("@"), author_id=args.author_id or "", platform=args.platform or "")
    eraser = Eraser(rt.store, datetime.now(UTC).date(), [CrisisErasure(rt.store)])
    policy = policy_from(rt.playbook.retention, rt.settings.bridge_data_dir)
    plan = eraser.plan(customer, policy.export_dir if policy else None)
    refs = ", ".join(f"#{n}" for n in plan.cases) or "none"
    if plan.exported_cases:
        refs += " (exported by retention: " + ", ".join(f"#{n}" for n in plan.exported_cases) + ")"
    texts = len(plan.needles.texts)
    print(f"{customer.describe()}: cases {refs}; {texts} texts and their ids, names and handles")
    if plan.index_keys:
        print(f"Index keys to delete: {len(plan.index_keys)}")
    if plan.open_cases:
        print(f"Open cases to resolve: {', '.join(f'#{n}' for n in plan.open_cases)}")
    if args.dry_run:
        print("Dry run: nothing was changed (the audit stream and crisis records would be searched too).")
        return 0
    erased = eraser.erase(plan, by=args.by)
    jobs = erase_jobs(rt.queue, Scrubber(rt.redis, plan.needles, plan.cases), plan.cases)
    for number in erased.cases:
        if rt.store.get(number).card is not None:
            rt.dispatch.refresh_card(number)  # the card shows the tombstone instead of their words
    print(
        f"Erased: {len(erased.cases)} cases, {erased.values} values replaced by "
        f"{plan.needles.tombstone}, {erased.deleted_keys} index keys and {jobs} queued jobs deleted"
        + (f", resolved {', '.join(f'#{n}' for n in erased.resolved)}" if erased.resolved else "")
        + "."
    )
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    """Apply the playbook's retention policy now (the workers also do it every hour)."""
    from datetime import UTC, datetime

    from bridge.app.retention import sweep

    rt = _runtime()
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


def cmd_playbook_check(args: argparse.Namespace) -> int:
    from bridge.playbook.model import load_playbook

    failed = 0
    for path in args.files:
        try:
            playbook = load_playbook(Path(path))
        except PlaybookError as exc:
            print(str(exc), file=sys.stderr)
            failed += 1
            continue
        print(f"{path}: OK ({playbook.brand.name}, {len(playbook.departments)} departments)")
    return 1 if failed else 0


def cmd_playbook_schema(args: argparse.Namespace) -> int:
    import json

    from bridge.playbook.model import playbook_schema

    text = json.dumps(playbook_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_playbook_test(args: argparse.Namespace) -> int:
    """Dry-run a playbook on a file of mentions: decisions and a summary, no platform contacted."""
    from datetime import datetime

    from bridge.playbook.model import load_playbook
    from bridge.triage.dry_run import as_json, describe, summary, summary_json, try_mentions

    playbook = load_playbook(Path(args.playbook))
    try:
        at = datetime.fromisoformat(args.at) if args.at else None
        tried = try_mentions(playbook, Path(args.mentions), at)
    except (MentionsFileError, OSError, ValueError) as exc:
        print(f"bridge: {exc}", file=sys.stderr)
        return 2
    if args.json:
        report = "\n".join([*(as_json(item) for item in tried), summary_json(tried)])
    else:
        model = playbook.service_model.replace("_", "-")
        head = f"{args.playbook}: {playbook.brand.name}, {model} model; a dry run, nothing is posted\n"
        report = "\n".join([head, *(describe(item) for item in tried), "", summary(tried)])
    try:
        print(report)
    except BrokenPipeError:  # `| head`: the reader has seen enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    # the demos wire stand-ins: part of the composition root
    if getattr(args, "teams", False):
        from standins.teams_demo import run_teams_demo

        return run_teams_demo(sys.stdout)
    if getattr(args, "mastodon", False):
        from standins.mastodon_demo import run_mastodon_demo

        return run_mastodon_demo(sys.stdout)
    from standins.demo import run_demo

    return run_demo(sys.stdout)


def cmd_default(args: argparse.Namespace) -> int:
    settings = Settings()
    if settings.slack_configured or settings.x_configured:
        return cmd_run(args)
    return cmd_demo(args)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("escalation-bridge")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def _help_of(p: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """A command group run without a sub-command prints its help (and fails, as argparse does)."""

    def print_help(_args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    return print_help


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="bridge",
        description="Social customer care from Slack and Teams. With no command: the whole service "
        "when Slack or X credentials are set, else the demo.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    p.set_defaults(func=cmd_default)
    sub = p.add_subparsers(title="commands")
    serve = sub.add_parser("serve", help="the web process: Slack/Teams endpoints, /healthz, /metrics")
    everywhere = "0.0.0.0"  # noqa: S104  # a container publishes the port it listens on
    serve.add_argument("--host", default=everywhere, help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=None, help="port to listen on (default: BRIDGE_PORT)")
    serve.set_defaults(func=cmd_serve)
    worker = sub.add_parser("worker", help="an RQ worker (with scheduler) for outbound calls")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    worker.set_defaults(func=cmd_worker)
    poll = sub.add_parser("poll", help="read X mentions and open cases")
    poll.add_argument("--once", action="store_true", help="poll once and exit instead of every minute")
    poll.set_defaults(func=cmd_poll)
    sub.add_parser("run", help="serve, worker and poll together").set_defaults(func=cmd_run)
    demo = sub.add_parser("demo", help="the whole loop on this machine, no credentials needed")
    demo.add_argument("--teams", action="store_true", help="the same loop in Microsoft Teams")
    demo.add_argument("--mastodon", action="store_true", help="the same loop with a Mastodon instance")
    demo.set_defaults(func=cmd_demo)
    case = sub.add_parser("case", help="print a case's timeline")
    case.add_argument("number", help="the case number, like 1042 or #1042")
    case.set_defaults(func=cmd_case)
    _playbook_commands(sub)
    _data_commands(sub)
    return p


def _playbook_commands(sub: Any) -> None:
    group = sub.add_parser("playbook", help="playbook tools: check, schema, test")
    group.set_defaults(func=_help_of(group))
    playbook = group.add_subparsers(title="playbook commands")
    check = playbook.add_parser("check", help="validate playbook files")
    check.add_argument("files", nargs="+", help="playbook YAML files")
    check.set_defaults(func=cmd_playbook_check)
    schema = playbook.add_parser("schema", help="print the playbook JSON Schema (for editor completion)")
    schema.add_argument("--output", "-o", help="write it to this file instead")
    schema.set_defaults(func=cmd_playbook_schema)
    dry = playbook.add_parser("test", help="dry-run a playbook on a JSONL file of mentions")
    dry.add_argument("playbook", help="the playbook YAML file")
    dry.add_argument(
        "mentions", help="a JSONL file, one mention per line (see playbooks/sample-mentions.jsonl)"
    )
    dry.add_argument("--at", help="decide every mention at this ISO time (default: its created_at)")
    dry.add_argument("--json", action="store_true", help="one JSON object per mention, then a summary")
    dry.set_defaults(func=cmd_playbook_test)


def _data_commands(sub: Any) -> None:
    """What Redis keeps and for how long: retention, and erasure for data-protection requests."""
    forget = sub.add_parser("forget", help="erase a customer's posts and messages (keeps anonymous counts)")
    forget.add_argument("who", nargs="?", help="@handle")
    forget.add_argument("--author-id", help="the customer's user id on the platform, instead of @handle")
    forget.add_argument("--platform", help="only this platform's cases (x, ...)")
    forget.add_argument("--by", default="operator", help="who asked, for the audit")
    forget.add_argument("--dry-run", action="store_true", help="list what would be erased, change nothing")
    forget.set_defaults(func=cmd_forget)
    retention = sub.add_parser("retention", help="remove closed cases past the playbook's retention")
    retention.set_defaults(func=cmd_retention)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    configure_logs("WARNING" if args.func in (cmd_demo, cmd_case) else None)

    try:
        return int(args.func(args) or 0)
    except (ConfigurationError, PlaybookError) as exc:
        print(f"bridge: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
