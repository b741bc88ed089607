"""The ``bridge`` command: run the processes, inspect cases, check playbooks, run the demo."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog

from bridge.app.heap import settle_heap
from bridge.app.logs import configure as configure_logs
from bridge.app.runtime import Runtime
from bridge.app.settings import Settings
from bridge.domain.errors import ConfigurationError, MentionsFileError, PlaybookError
from bridge.playbook.coverage import warn_missing_chats

__all__ = [
    "cmd_case",
    "cmd_default",
    "cmd_demo",
    "cmd_forget",
    "cmd_playbook_check",
    "cmd_playbook_schema",
    "cmd_playbook_suggest",
    "cmd_playbook_test",
    "cmd_poll",
    "cmd_retention",
    "cmd_run",
    "cmd_serve",
    "cmd_triage_fit",
    "cmd_worker",
    "main",
    "parser",
]

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
    from bridge.app.web import serve_until_stopped
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
    settle_heap()
    port = args.port or rt.settings.bridge_port
    log.info("serving", host=args.host, port=port)
    serve_until_stopped(app, args.host, port)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from bridge.app.workers import BridgeWorker

    rt = _runtime_on_reachable_redis()
    warn_missing_chats(rt.playbook, rt.chats)
    rt.open_history_early()  # not in the first card's time
    settle_heap()
    worker = BridgeWorker(rt.dispatch.queues, connection=rt.redis)  # case work first, then tells
    level = logging.getLevelName(logging.getLogger().level)
    worker.work(with_scheduler=True, burst=args.burst, logging_level=level)
    return 0


def cmd_poll(args: argparse.Namespace) -> int:
    """Poll until asked to stop (SIGTERM or Ctrl-C: exit 0 after the poll under way)."""
    from bridge.app.processes import poll_forever

    rt = _runtime()
    if not rt.socials:
        print(
            "No social platform is configured: set X_BEARER_TOKEN (and the X_* keys), "
            "MASTODON_BASE_URL and MASTODON_ACCESS_TOKEN, or BLUESKY_HANDLE and BLUESKY_APP_PASSWORD.",
            file=sys.stderr,
        )
        return 2
    return poll_forever(rt, once=args.once)


def cmd_run(_args: argparse.Namespace) -> int:
    """Web, worker and poller as child processes of one group (see :mod:`bridge.app.processes`)."""
    from bridge.app.processes import run_group

    return run_group(Settings())


def cmd_forget(args: argparse.Namespace) -> int:
    from bridge.app import data_commands

    return data_commands.forget(args, _runtime)


def cmd_retention(_args: argparse.Namespace) -> int:
    from bridge.app import data_commands

    return data_commands.retention(_runtime())


def cmd_triage_fit(args: argparse.Namespace) -> int:
    from bridge.app import data_commands

    return data_commands.triage_fit(args, _runtime)


def cmd_playbook_suggest(_args: argparse.Namespace) -> int:
    from bridge.app import data_commands

    return data_commands.playbook_suggest(_runtime())


def cmd_case(args: argparse.Namespace) -> int:
    from bridge.app.history_commands import case_timeline

    return case_timeline(_runtime(), args.number)


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
        judged_by = _dry_run_model(args.model)
        at = datetime.fromisoformat(args.at) if args.at else None
        tried = try_mentions(playbook, Path(args.mentions), at)
    except (MentionsFileError, OSError, ValueError) as exc:
        print(f"bridge: {exc}", file=sys.stderr)
        return 2
    if args.json:
        report = "\n".join([*(as_json(item) for item in tried), summary_json(tried)])
    else:
        model = playbook.service_model.replace("_", "-")
        head = (
            f"{args.playbook}: {playbook.brand.name}, {model} model; triage by {judged_by}; "
            "a dry run, nothing is posted\n"
        )
        report = "\n".join([head, *(describe(item) for item in tried), "", summary(tried)])
    try:
        print(report)
    except BrokenPipeError:  # `| head`: the reader has seen enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _dry_run_model(named: str | None) -> str:
    """Triage the dry run as the bridge would: with the fitted model ``--model`` names, else the one
    ``bridge triage fit`` saved under ``BRIDGE_DATA_DIR``, else the rules alone. Says which."""
    from bridge.app.settings import Settings
    from bridge.triage.learning.active import active_model, use_model_file
    from bridge.triage.learning.model import MODEL_FILE

    path = Path(named) if named else Settings().bridge_data_dir / MODEL_FILE
    if named and not path.is_file():
        raise OSError(f"no fitted model at {path} (bridge triage fit saves one)")
    use_model_file(path if path.is_file() else None)
    model = active_model()
    return f"the rules and the model fitted {model.fitted_at} ({path})" if model else "the rules"


def cmd_demo(args: argparse.Namespace) -> int:
    # the demos wire stand-ins: part of the composition root
    if getattr(args, "teams", False):
        from standins.teams_demo import run_teams_demo

        return run_teams_demo(sys.stdout)
    if getattr(args, "mastodon", False):
        from standins.mastodon_demo import run_mastodon_demo

        return run_mastodon_demo(sys.stdout)
    if getattr(args, "bluesky", False):
        from standins.bluesky_demo import run_bluesky_demo

        return run_bluesky_demo(sys.stdout)
    if getattr(args, "facebook", False):
        from standins.meta_demo import run_meta_demo

        return run_meta_demo(sys.stdout)
    from standins.demo import run_demo

    return run_demo(sys.stdout)


def cmd_default(args: argparse.Namespace) -> int:
    settings = Settings()
    if settings.chats_configured or settings.socials_configured:  # a real deployment: the service
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
    poll = sub.add_parser("poll", help="read mentions on every configured platform and open cases")
    poll.add_argument("--once", action="store_true", help="poll once and exit instead of every minute")
    poll.set_defaults(func=cmd_poll)
    sub.add_parser("run", help="serve, worker and poll together").set_defaults(func=cmd_run)
    demo = sub.add_parser("demo", help="the whole loop on this machine, no credentials needed")
    demo.add_argument("--teams", action="store_true", help="the same loop in Microsoft Teams")
    demo.add_argument("--mastodon", action="store_true", help="the same loop with a Mastodon instance")
    demo.add_argument("--bluesky", action="store_true", help="the same loop with a Bluesky account")
    demo.add_argument(
        "--facebook", action="store_true", help="the same loop with a Facebook Page and its Instagram account"
    )
    demo.set_defaults(func=cmd_demo)
    case = sub.add_parser("case", help="print a case's timeline")
    case.add_argument("number", help="the case number, like 1042 or #1042")
    case.set_defaults(func=cmd_case)
    _playbook_commands(sub)
    _data_commands(sub)
    _learning_commands(sub)
    from bridge.app.history_commands import add_history_commands

    add_history_commands(sub, _runtime)
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
    dry.add_argument(
        "--model",
        help="a fitted triage model (default: the one bridge triage fit saved in BRIDGE_DATA_DIR, if any)",
    )
    dry.set_defaults(func=cmd_playbook_test)
    _suggest_command(playbook)


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


def _learning_commands(sub: Any) -> None:
    """Triage that learns from the desk's decisions."""
    group = sub.add_parser("triage", help="triage tools: fit a model on the desk's decisions")
    group.set_defaults(func=_help_of(group))
    triage = group.add_subparsers(title="triage commands")
    fit = triage.add_parser(
        "fit",
        help="learn from answered, rescued and ignored cases; save the model only if it beats the rules",
    )
    fit.add_argument("--folds", type=int, default=5, help="cross-validation folds (default: %(default)s)")
    fit.add_argument("--no-harvest", action="store_true", help="fit on the labels kept so far only")
    fit.add_argument("--dry-run", action="store_true", help="print the figures, save nothing")
    fit.set_defaults(func=cmd_triage_fit)


def _suggest_command(playbook: Any) -> None:
    suggest = playbook.add_parser(
        "suggest", help="routing keywords and phrases suggested by reassignments (prints, never writes)"
    )
    suggest.set_defaults(func=cmd_playbook_suggest)


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
