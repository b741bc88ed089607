"""What an operator sees of a running bridge: health that never waits for Redis, counts that add up
across processes, refusals in the case's timeline, and one JSON format for every log line."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from rq.registry import ScheduledJobRegistry

from adapters.slack.cards import ACTION_IDS
from bridge.app.settings import Settings
from bridge.domain.clock import ManualClock
from bridge.wiring import build, build_web_app
from standins.harness import LocalBridge
from standins.server import BackgroundServer
from tests.conftest import PLAYBOOK, running_bridge
from tests.e2e.test_concierge_loop import open_case
from tests.e2e.test_processes import environment

pytestmark = pytest.mark.e2e


@pytest.fixture
def hung_redis() -> Iterator[str]:
    """A server that accepts connections and never answers: Redis stuck, or a firewall eating replies."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join(2)
    for connection in held:
        connection.close()
    server.close()


def timed_get(url: str) -> tuple[float, requests.Response]:
    started = time.perf_counter()
    response = requests.get(url, timeout=10)
    return time.perf_counter() - started, response


def test_healthz_and_metrics_answer_at_once_when_redis_never_replies(hung_redis: str, tmp_path: Path) -> None:
    rt = build(Settings(redis_url=hung_redis, bridge_playbook=PLAYBOOK, bridge_data_dir=tmp_path))
    server = BackgroundServer(build_web_app(rt)).start()
    try:
        with ThreadPoolExecutor(4) as pool:
            health = pool.submit(timed_get, server.url + "/healthz")
            time.sleep(0.1)  # /metrics asked while /healthz is being answered
            metrics = pool.submit(timed_get, server.url + "/metrics")
            (health_seconds, health_answer), (metrics_seconds, metrics_answer) = (
                health.result(),
                metrics.result(),
            )
    finally:
        server.stop()
    assert health_answer.status_code == 503
    assert health_answer.json()["ok"] is False and health_answer.json()["redis"].startswith("error")
    assert metrics_answer.status_code == 200 and "bridge_redis_up 0.0" in metrics_answer.text
    assert health_seconds < 1.0 and metrics_seconds < 1.0, (health_seconds, metrics_seconds)


def health_when(
    url: str, condition: Callable[[int, dict[str, Any]], bool], seconds: float = 30
) -> dict[str, Any]:
    """The /healthz body once ``condition(status, body)`` holds (it is refreshed every 2 s)."""
    deadline = time.monotonic() + seconds
    while True:
        answer = requests.get(url, timeout=5)
        body = dict(answer.json(), status=answer.status_code)
        if condition(answer.status_code, body) or time.monotonic() > deadline:
            return body
        time.sleep(0.3)


def test_healthz_counts_the_live_worker_its_scheduler_and_the_queue(
    local_bridge: LocalBridge, redis_url: str, tmp_path: Path
) -> None:
    number = open_case(local_bridge)
    local_bridge.rt.dispatch.refresh_card(number)  # waits on the queue: no worker is running yet
    url = local_bridge.web.url + "/healthz"
    before = health_when(url, lambda _status, body: body["queued"] == 1)
    assert before["status"] == 503 and before["ok"] is False
    assert before["workers"] == 0 and before["redis"] == "ok" and before["queued"] == 1
    env = environment(redis_url, tmp_path, BRIDGE_QUEUE=local_bridge.rt.queue.name)
    env["BRIDGE_KEY_PREFIX"] = local_bridge.rt.store.prefix
    worker = subprocess.Popen([sys.executable, "-m", "bridge.cli", "worker"], env=env)
    try:
        alive = health_when(
            url, lambda status, body: status == 200 and body["scheduler"] and not body["queued"]
        )
        assert alive["status"] == 200 and alive["ok"] is True and alive["workers"] == 1
        assert alive["scheduler"] is True and alive["queued"] == 0
    finally:
        worker.terminate()
        worker.wait(30)
    gone = health_when(url, lambda status, _body: status == 503)
    assert gone["status"] == 503 and gone["workers"] == 0 and gone["ok"] is False


def metric_value(text: str, line_start: str) -> float:
    for line in text.splitlines():
        if line.startswith(line_start):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_counts_from_two_worker_processes_add_up_in_a_third_processs_metrics(
    local_bridge: LocalBridge, redis_url: str, tmp_path: Path
) -> None:
    env = environment(redis_url, tmp_path, BRIDGE_QUEUE=local_bridge.rt.queue.name)
    env["BRIDGE_KEY_PREFIX"] = local_bridge.rt.store.prefix
    outputs = []
    for missing_case in (990001, 990002):  # each job fails (no such case) and is retried later
        local_bridge.rt.dispatch.post_card(missing_case)
        done = subprocess.run(
            [sys.executable, "-m", "bridge.cli", "worker", "--burst"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        outputs.append((missing_case, done.stderr))
        # the retry waits 5 s; a slow start of the next worker must not run it and count a third
        for job_id in ScheduledJobRegistry(queue=local_bridge.rt.queue).get_job_ids():
            ScheduledJobRegistry(queue=local_bridge.rt.queue).remove(job_id, delete_job=True)
    wanted = 'bridge_job_retries_total{job="post_card"}'
    deadline, seen = time.monotonic() + 10, 0.0
    while seen < 2 and time.monotonic() < deadline:
        seen = metric_value(requests.get(local_bridge.web.url + "/metrics", timeout=5).text, wanted)
        time.sleep(0.3)
    assert seen == 2.0
    for number, stderr in outputs:  # JSON lines outside a terminal; RQ's lines about the job name it
        lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
        assert lines and len(lines) == len(stderr.splitlines()), stderr
        about_job = [line for line in lines if line.get("logger", "").startswith("rq.") and line.get("case")]
        assert about_job and all(line["case"] == number for line in about_job), stderr


def metrics_when(bridge: LocalBridge, *lines: str) -> str:
    """/metrics once it shows every one of ``lines`` (the shared counts are read every 2 s)."""
    deadline, text = time.monotonic() + 10, ""
    while not all(line in text for line in lines) and time.monotonic() < deadline:
        time.sleep(0.3)
        text = requests.get(bridge.web.url + "/metrics", timeout=5).text
    return text


def test_refused_attempts_are_in_the_timeline_and_counted(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    number = open_case(bridge)
    bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    bridge.click("U0EXP2", number, ACTION_IDS["claim"])  # a second claim
    bridge.reply_in_thread("U0EXP1", number, "Hi, the second charge is refunded today.")
    bridge.drain()
    bridge.click("U0EXP1", number, ACTION_IDS["approve"], f"{number}:1")  # not an approver: forged or stale
    bridge.drain()
    refused = [e for e in bridge.rt.store.audit(number) if e.action == "refused"]
    assert [(e.by, e.fields["attempted"]) for e in refused] == [("U0EXP2", "claim"), ("U0EXP1", "approve")]
    assert "already claimed by <@U0EXP1>" in refused[0].fields["reason"]
    assert "Only billing approvers may approve" in refused[1].fields["reason"]
    claim, approve = (
        'bridge_refused_actions_total{action="claim"} 1.0',
        'bridge_refused_actions_total{action="approve"} 1.0',
    )
    text = metrics_when(bridge, claim, approve)
    assert claim in text and approve in text


def test_what_operators_alert_on_is_counted_along_the_loop(local_bridge: LocalBridge) -> None:
    bridge = local_bridge
    bridge.x.fail_next("GET /2/users/2244994945/mentions", status=503)
    bridge.poll()  # X fails once: a poll error
    number = open_case(bridge)
    bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    bridge.reply_in_thread("U0EXP1", number, "Hi, the second charge is refunded today.")
    bridge.drain()
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1")
    bridge.drain()
    wanted = [
        'bridge_cases_ingested_total{platform="x",verdict="respond"} 1.0',
        'bridge_mention_to_card_seconds_count{platform="x"} 1.0',
        'bridge_replies_posted_total{platform="x"} 1.0',
        'bridge_poll_errors_total{kind="failed",platform="x"} 1.0',
    ]
    text = metrics_when(bridge, *wanted)
    assert [line for line in wanted if line not in text] == []


def test_an_sla_breach_is_counted_once_for_its_department(redis_url: str, tmp_path: Path) -> None:
    clock = ManualClock(datetime.now(UTC))
    with running_bridge(PLAYBOOK, redis_url, tmp_path, clock=clock) as bridge:
        open_case(bridge)
        clock.advance(minutes=16)  # past the 15-minute first-response target on X, unclaimed
        bridge.drain(include_timers=True, rounds=2)
        breach = 'bridge_sla_breaches_total{department="billing"} 1.0'
        assert breach in metrics_when(bridge, breach)


def test_health_counts_the_private_notes_waiting_on_their_own_queue(local_bridge: LocalBridge) -> None:
    from bridge.app.health import Health

    rt = local_bridge.rt
    health = Health(rt.redis, rt.settings.bridge_queue, rt.settings.bridge_key_prefix)
    assert health.check().tells == 0
    rt.dispatch.tell("slack", "C1", "U1", "You may not approve your own draft.")
    rt.dispatch.tell("slack", "C1", "U2", "Only billing experts may claim #1001.")
    status = health.check()
    assert (status.tells, status.queued) == (2, 0), "tells wait on their own queue, not the case queue"
