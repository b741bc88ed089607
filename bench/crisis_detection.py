"""Crisis detection under load: 100,000 mentions through detection and folding, on real Redis.

A week of ordinary traffic (with the odd "recall" in it), then a recall burst and a burst of
near-duplicate complaints that no playbook rule names, replayed in stream time with a manual clock.
Every mention goes through ``CrisisMonitor.observe`` exactly as ingest calls it; the crisis jobs it
asks for (alert cards, mass-card updates, the minute tick) run when stream time reaches them, and what
they would send to Slack is recorded with its stream-time second. Prints throughput, alert delay and
the peak Slack messages per second per channel. Nothing here passes or fails.

    .venv/bin/python bench/crisis_detection.py [--mentions 100000] [--redis-url redis://...]
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bridge.app import crisis_jobs as jobs  # noqa: E402
from bridge.app import runtime  # noqa: E402
from bridge.app.crisis_dispatch import CrisisDispatcher  # noqa: E402
from bridge.app.logs import configure  # noqa: E402
from bridge.app.runtime import build_core  # noqa: E402
from bridge.app.settings import Settings  # noqa: E402
from bridge.crisis.ports import Notice  # noqa: E402
from bridge.domain.clock import ManualClock  # noqa: E402
from bridge.domain.lifecycle import State  # noqa: E402
from bridge.domain.model import Author, Case, Mention, MessageRef  # noqa: E402
from bridge.store.redis_conn import embedded_url  # noqa: E402
from bridge.triage.routing import route  # noqa: E402

START = datetime(2025, 3, 3, 0, 0, tzinfo=UTC)  # a Monday
BURST_AT = START + timedelta(days=7, hours=14)
RECALL_SHARE, CLUSTER_SHARE = 0.05, 0.02  # of all mentions: the two bursts
BURST_MINUTES = 30
ASKS = ["where is my", "I was charged twice for my", "how do I return my", "love my new", "help with my"]
THINGS = ["kettle", "toaster", "parcel", "invoice", "blender", "order", "coffee machine", "app login"]
RECALL = "@AcmeHelp my Acme kettle K200 is on the recall list, this is scary, what do I do now {n}"
CLUSTER = "@AcmeHelp the new Acme app update deleted all my saved recipes and favourites please fix {n}"


class RecordingChat:
    """What the bridge would send to Slack, with the stream-time second it would send it in."""

    name = "slack"

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.sent: list[tuple[str, int, str]] = []  # channel, second, kind
        self._ts = itertools.count(1)

    def _record(self, channel: str, kind: str) -> MessageRef:
        self.sent.append((channel, int(self.clock.now().timestamp()), kind))
        return MessageRef("slack", channel, f"{next(self._ts)}.000000")

    def post_notice(self, channel: str, notice: Notice) -> MessageRef:
        return self._record(channel, "notice")

    def update_notice(self, ref: MessageRef, notice: Notice) -> None:
        self._record(ref.channel, "update")

    def open_channel(self, name: str, invite: tuple[str, ...] = ()) -> str:
        return name

    def post_message(self, channel: str, text: str, link_to: MessageRef | None = None) -> MessageRef:
        return self._record(channel, "message")


class StreamScheduler:
    """Crisis jobs run in stream time: due ones before each mention, in the order they were due."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.heap: list[tuple[datetime, int, Callable[..., Any], tuple[Any, ...]]] = []
        self.alerts: list[int] = []  # ids of the alerts raised, in order
        self._seq = itertools.count()

    def enqueue(self, func: Callable[..., Any], *args: Any, at: datetime | None = None) -> None:
        """Takes the place of :meth:`CrisisDispatcher._enqueue`: the job function and its arguments."""
        if func is jobs.post_alert:
            self.alerts.append(int(args[0]))
        heapq.heappush(self.heap, (at or self.clock.now(), next(self._seq), func, args))

    def run_due(self) -> int:
        ran = 0
        while self.heap and self.heap[0][0] <= self.clock.now():
            _, _, job, args = heapq.heappop(self.heap)
            job(*args)
            ran += 1
        return ran


def stream(total: int, rng: random.Random) -> list[tuple[datetime, str, str, int]]:
    """(time, text, kind, followers) sorted by time: background over a week, then the two bursts."""
    recall, cluster = int(total * RECALL_SHARE), int(total * CLUSTER_SHARE)
    background = total - recall - cluster
    items = []
    span = (BURST_AT - START).total_seconds() + BURST_MINUTES * 60
    for n in range(background):
        at = START + timedelta(seconds=rng.random() * span)
        if rng.random() < 0.002:
            text = f"@AcmeHelp do you recall when the spring sale starts? {n}"
        else:
            text = f"@AcmeHelp {rng.choice(ASKS)} {rng.choice(THINGS)} #{n} {rng.randrange(10**6)}"
        items.append((at, text, "background", rng.randrange(10, 5000)))
    for n in range(recall):
        at = BURST_AT + timedelta(seconds=rng.random() * BURST_MINUTES * 60)
        items.append((at, RECALL.format(n=n), "recall", rng.randrange(10, 50_000)))
    for n in range(cluster):
        at = BURST_AT + timedelta(minutes=5, seconds=rng.random() * BURST_MINUTES * 60)
        items.append((at, CLUSTER.format(n=n), "cluster", rng.randrange(10, 5000)))
    items.sort(key=lambda item: item[0])
    return items


def redis_url(explicit: str | None, tmp: Path) -> str:
    """The named Redis, else a private embedded one: never a developer's own server by surprise."""
    return explicit or embedded_url(tmp)


def peak_per_second(sent: list[tuple[str, int]]) -> dict[str, tuple[int, int]]:
    """Per channel: (peak messages in one second, total)."""
    per_second = Counter(sent)
    out: dict[str, tuple[int, int]] = {}
    for (channel, _second), count in per_second.items():
        peak, total = out.get(channel, (0, 0))
        out[channel] = (max(peak, count), total + count)
    return out


def ping_ms(client: redis.Redis, rounds: int = 200) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        client.ping()
    return (time.perf_counter() - started) / rounds * 1000


def max_queue_delay(seconds: list[int]) -> int:
    """Seconds the last message waits when a channel sends at most one message per second."""
    free, worst = 0, 0
    for second in sorted(seconds):
        slot = max(free, second)
        worst, free = max(worst, slot - second), slot + 1
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--redis-url", default=None, help="default: a private embedded Redis")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    configure("ERROR")
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        run_id = uuid.uuid4().hex[:8]
        clock = ManualClock(START)
        settings = Settings(
            redis_url=redis_url(args.redis_url, Path(tmp)),
            bridge_playbook=ROOT / "playbooks" / "crisis-example.yml",
            bridge_queue=f"bench-{run_id}",
            bridge_key_prefix=f"bench-{run_id}:",
        )
        rt = build_core(settings, clock)
        runtime.install(rt)
        chat = RecordingChat(clock)
        rt.chats["slack"] = chat  # type: ignore[assignment]
        scheduler = StreamScheduler(clock)
        dispatcher = rt.crisis.dispatch
        assert isinstance(dispatcher, CrisisDispatcher)
        dispatcher._enqueue = scheduler.enqueue  # type: ignore[method-assign]  # jobs run in stream time
        memory_before = int(rt.redis.info("memory")["used_memory"])
        try:
            report(rt, clock, chat, scheduler, stream(args.mentions, rng), memory_before)
        finally:
            keys = list(rt.redis.scan_iter(match=f"bench-{run_id}:*", count=5000))
            for i in range(0, len(keys), 5000):
                rt.redis.delete(*keys[i : i + 5000])
            runtime.install(None)
    return 0


@dataclass
class Replay:
    """What replaying the stream measured: per-mention timings and where each card would go."""

    timings: list[float] = field(default_factory=list)  # seconds in ``observe``, per mention
    cards: list[tuple[str, int]] = field(default_factory=list)  # (channel, second) of each card posted
    unfolded: list[tuple[str, int]] = field(default_factory=list)  # the same, had nothing been folded
    first_of: dict[str, list[datetime]] = field(default_factory=lambda: defaultdict(list))  # burst times
    alert_wall_ms: dict[str, float] = field(default_factory=dict)  # mention → ms of the raising call
    elapsed: float = 0.0  # wall-clock seconds for the whole stream


def report(
    rt: Any,
    clock: ManualClock,
    chat: RecordingChat,
    scheduler: StreamScheduler,
    items: list[tuple[datetime, str, str, int]],
    memory_before: int,
) -> None:
    measured = replay(rt, clock, scheduler, items)
    print(f"crisis detection: {len(items):,} mentions, {items[-1][0] - items[0][0]} of stream time")
    print_throughput(rt, items, measured)
    print_alerts(rt, scheduler, measured)
    print_slack_load(items, chat, measured)
    used = int(rt.redis.info("memory")["used_memory"]) - memory_before
    print(f"Redis memory held by detection state at the end: {used / 1e6:.0f} MB")


def routed_case(playbook: Any, number: int, at: datetime, text: str, followers: int) -> tuple[Mention, Case]:
    """A mention and its case, routed to its department's Slack channel, as ingest would make them."""
    department = route(playbook, text).department
    channel = playbook.departments[department].slack_channel or ""
    author = Author(str(number), f"user{number}", f"User {number}", followers)
    mention = Mention("x", str(number), text, author, at, f"https://x.com/user{number}/status/{number}")
    case = Case(
        number, State.ROUTED, "x", str(number), text, author.id, author.handle, author.name,
        mention.url, at, at, department=department, author_followers=followers, chat="slack",
        channel=channel,
    )  # fmt: skip
    return mention, case


def replay(
    rt: Any, clock: ManualClock, scheduler: StreamScheduler, items: list[tuple[datetime, str, str, int]]
) -> Replay:
    """Every mention through ``observe`` in stream time, the crisis jobs run as they fall due."""
    measured = Replay()
    started = time.perf_counter()
    for number, (at, text, kind, followers) in enumerate(items, start=1):
        clock.advance(seconds=(at - clock.now()).total_seconds())
        scheduler.run_due()
        mention, case = routed_case(rt.playbook, number, at, text, followers)
        alerts_before = len(scheduler.alerts)
        t0 = time.perf_counter()
        folded = rt.crisis.observe(mention, case, number)
        measured.timings.append(time.perf_counter() - t0)
        second = int(at.timestamp())
        measured.unfolded.append((case.channel, second))
        if not folded:
            measured.cards.append((case.channel, second))
        if kind != "background":
            measured.first_of[kind].append(at)
        if len(scheduler.alerts) > alerts_before:
            measured.alert_wall_ms[str(number)] = measured.timings[-1] * 1000
    clock.advance(minutes=1)
    scheduler.run_due()
    measured.elapsed = time.perf_counter() - started
    return measured


def print_throughput(rt: Any, items: list[tuple[datetime, str, str, int]], measured: Replay) -> None:
    timings, elapsed = measured.timings, measured.elapsed
    p50, p99 = statistics.median(timings) * 1000, sorted(timings)[int(len(timings) * 0.99)] * 1000
    print(
        f"throughput: {len(items) / elapsed:,.0f} mentions/s ({elapsed:.1f} s, one process) · "
        f"per mention p50 {p50:.2f} ms, p99 {p99:.2f} ms · Redis round trip {ping_ms(rt.redis):.2f} ms"
    )


def print_alerts(rt: Any, scheduler: StreamScheduler, measured: Replay) -> None:
    """Each alert on a burst with how long after the burst began it came; the rest are false positives."""
    raised = [a for a in (rt.crisis.alerts.get(i) for i in scheduler.alerts) if a is not None]
    others = []
    for alert in raised:
        kind = (
            "recall"
            if alert.topic == "recall"
            else "cluster"
            if alert.label.startswith("“the new acme")
            else ""
        )
        burst = measured.first_of.get(kind) or []
        need = rt.playbook.crisis.thresholds(alert.topic).min_mentions
        if not kind or len(burst) < need:
            others.append(alert)
            continue
        delay = (alert.raised_at - burst[0]).total_seconds()
        ideal = (burst[need - 1] - burst[0]).total_seconds()
        first = next(e for e in rt.crisis.alerts.records.timeline(alert.id) if e.action == "alert_explained")
        print(
            f"alert {alert.id} {alert.label}: raised {delay:.1f} s (stream time) after the burst began; "
            f"its {need}th mention came at {ideal:.1f} s"
        )
        print(f"    {first.fields['summary']}")
    print(f"alerts on ordinary traffic (false positives): {len(others)}")
    for alert in others[:5]:
        print(f"    {alert.raised_at:%a %H:%M} {alert.label}: {alert.explanation.summary()}")
    if measured.alert_wall_ms:
        worst = max(measured.alert_wall_ms.values())
        print(f"alert decision latency (wall clock, in the raising call): max {worst:.2f} ms")


def print_slack_load(
    items: list[tuple[datetime, str, str, int]], chat: RecordingChat, measured: Replay
) -> None:
    """Messages per channel and second, with folding and (for the busiest channels) without it."""
    sent = measured.cards + [(channel, second) for channel, second, _ in chat.sent]
    folded = len(items) - len(measured.cards)
    print(f"Slack messages (cards + crisis notices and updates): {len(sent):,}; folded mentions: {folded:,}")
    for channel, (peak, total) in sorted(peak_per_second(sent).items()):
        seconds = [s for c, s in sent if c == channel]
        print(
            f"  {channel:<12} peak {peak} msg/s · {total:,} messages · longest wait at 1 msg/s "
            f"{max_queue_delay(seconds)} s"
        )
    unfolded = measured.unfolded
    for channel, (peak, total) in sorted(peak_per_second(unfolded).items()):
        if channel in ("C0PRODUCT", "C0SOCIAL"):
            seconds = [s for c, s in unfolded if c == channel]
            print(
                f"  without folding {channel:<12} peak {peak} msg/s · {total:,} cards · longest wait at "
                f"1 msg/s {max_queue_delay(seconds)} s"
            )


if __name__ == "__main__":
    raise SystemExit(main())
