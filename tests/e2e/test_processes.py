"""The real processes start from the command line: ``bridge run`` (web + worker), ``bridge worker``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.conftest import PLAYBOOK

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(redis_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "X_", "TEAMS_"))}
    env.update(
        REDIS_URL=redis_url,
        BRIDGE_PLAYBOOK=str(PLAYBOOK),
        BRIDGE_DATA_DIR=str(tmp_path),
        BRIDGE_KEY_PREFIX=f"proc-{uuid.uuid4().hex[:8]}:",
        BRIDGE_QUEUE=f"proc-{uuid.uuid4().hex[:8]}",
    )
    env.update(extra)
    return env


def test_bridge_run_serves_health_and_stops_cleanly(redis_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = environment(
        redis_url,
        tmp_path,
        BRIDGE_PORT=str(port),
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET="s3cret",
        SLACK_API_URL="http://127.0.0.1:9/api/",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bridge.cli", "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 90
        health = None
        while time.monotonic() < deadline:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                if health.status_code == 200:  # 503 until the worker has registered
                    break
            except requests.RequestException:  # not up yet, or slow to answer while starting
                pass
            time.sleep(0.2)
        assert health is not None and health.status_code == 200 and health.json()["ok"] is True
        unsigned = requests.post(f"http://127.0.0.1:{port}/slack/events", data="{}", timeout=5)
        assert unsigned.status_code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode(errors="replace")
    assert process.returncode in (0, -signal.SIGTERM), output


def test_serve_refuses_to_start_without_signing_secret(redis_url: str, tmp_path: Path) -> None:
    env = environment(redis_url, tmp_path, SLACK_BOT_TOKEN="xoxb-test-token")
    done = subprocess.run(
        [sys.executable, "-m", "bridge.cli", "serve"], env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.decode().startswith("bridge: SLACK_SIGNING_SECRET is required")
    assert b"Traceback" not in done.stderr


def test_worker_in_burst_mode_exits_when_the_queue_is_empty(redis_url: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bridge.cli", "worker", "--burst"],
        env=environment(redis_url, tmp_path),
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_the_embedded_redis_keeps_its_data_from_one_run_to_the_next(tmp_path: Path) -> None:
    """The default with nothing configured: state written by one process is there for the next."""
    code = (
        "import sys; from pathlib import Path; from bridge.store.redis_conn import connect, embedded_url; "
        "client = connect(embedded_url(Path(sys.argv[1]))); "
        "print(client.get('kept')) if sys.argv[2] == 'read' else client.set('kept', 'yes')"
    )
    for step in ("write", "read"):
        done = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path), step], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert "shutdown failed" not in done.stderr.lower(), done.stderr
    assert done.stdout.strip() == "b'yes'"


def test_an_idle_worker_stops_within_seconds_of_sigterm(redis_url: str, tmp_path: Path) -> None:
    """RQ's command thread blocks up to a minute on Redis; redis-py 8.2 waits for it when stopping.

    The worker must not inherit that minute: an operator's restart, and every harness round, pays it.
    """
    from redis import Redis
    from rq import Worker

    env = environment(redis_url, tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "bridge.cli", "worker"], env=env)
    client = Redis.from_url(redis_url)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            names = [w.queue_names() for w in Worker.all(connection=client)]
            if any(env["BRIDGE_QUEUE"] in queues for queues in names):  # its first queue of two
                break
            time.sleep(0.2)
        else:
            pytest.fail("the worker never registered")
        time.sleep(1.5)  # idle: its command thread is now blocked on Redis
        process.send_signal(signal.SIGTERM)
        asked = time.monotonic()
        process.wait(timeout=30)
        took = time.monotonic() - asked
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert took < 10, f"an idle worker took {took:.1f} s to stop"
