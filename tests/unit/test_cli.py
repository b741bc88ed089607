"""The ``bridge`` command as a person meets it: help for every group and argument, a version, and one
``bridge:`` line (no traceback) when Redis is misconfigured."""

from __future__ import annotations

import argparse
import socket
from collections.abc import Iterator

import pytest

from bridge.cli import main, parser
from tests.conftest import PLAYBOOK


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's --help and --version
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_playbook_without_a_sub_command_prints_its_help_and_runs_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "playbook")
    assert code == 2
    assert "usage: bridge playbook" in out
    for command in ("check", "schema", "test"):
        assert command in out
    assert "demo" not in out + err  # the default command (the demo) did not run


def test_version_names_the_installed_release(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    code, out, _err = run(capsys, "--version")
    assert code == 0 and out.strip() == f"bridge {version('escalation-bridge')}"


def _all_parsers(p: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield p.prog, p
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _all_parsers(child)


def test_every_argument_and_command_has_help_text() -> None:
    missing = []
    for prog, p in _all_parsers(parser()):
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                helped = {choice.dest for choice in action._choices_actions if choice.help}
                missing += [f"{prog} {name}" for name in action.choices if name not in helped]
            elif not action.help:
                missing.append(f"{prog} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


@pytest.fixture
def unreachable_redis() -> str:
    with socket.socket() as sock:  # a port nobody listens on once this closes
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.mark.parametrize("command", ["worker", "serve"])
@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("unreachable", "does not answer"),
        ("htp://localhost:6379", "is not a Redis URL"),
        ("redis://:hunter2@127.0.0.1:1/0", "does not answer"),
    ],
)
def test_a_bad_redis_url_is_one_bridge_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    unreachable_redis: str,
    command: str,
    url: str,
    said: str,
) -> None:
    monkeypatch.setenv("REDIS_URL", unreachable_redis if url == "unreachable" else url)
    monkeypatch.setenv("BRIDGE_PLAYBOOK", str(PLAYBOOK))
    code, _out, err = run(capsys, command)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bridge: ") and said in lines[0], err
    assert "REDIS_URL" in lines[0] and "hunter2" not in err
