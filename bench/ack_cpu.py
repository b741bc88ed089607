"""The web process's CPU per Claim, in one process, beside a bare slack-bolt ``AsyncApp``.

The bridge's web app (``build_web_app``, as ``bridge serve`` runs it) and a bare ``AsyncApp`` with
``process_before_response=True`` that only acknowledges are served in turn on this process's event
loop; ``--clicks`` signed Claims (each on a case nobody has claimed, by an expert of its department)
are sent at ``--concurrency`` from a process of their own, and this process's CPU time over each
round is divided by the clicks. No worker runs meanwhile (the claims' card refreshes stay queued), so
this is the acknowledgement alone, with a finer clock than ``bench/deployed_shape.py``'s /proc ticks.
``--profile`` prints where the bridge's share goes (cProfile on process time, which slows it about
fourfold: compare shares, not milliseconds). Nothing passes or fails.

    .venv/bin/python bench/ack_cpu.py [--clicks 500] [--concurrency 20] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402
from slack_bolt.async_app import AsyncAck, AsyncApp  # noqa: E402

from adapters.slack.cards import ACTION_IDS  # noqa: E402
from bench.deployed_shape import CLICKER, percentile  # noqa: E402
from bridge.app.logs import configure  # noqa: E402
from bridge.store.redis_conn import shutdown_embedded  # noqa: E402
from bridge.wiring import build_web_app  # noqa: E402
from standins.harness import BOT_TOKEN, LocalBridge  # noqa: E402
from standins.slack_requests import block_action, interactive_body, sign  # noqa: E402

PLAYBOOK = ROOT / "playbooks" / "acme.yml"
WARM_UP = 20


def claims(bridge: LocalBridge, numbers: list[int]) -> str:
    """Signed Claims by U0EXP1 (a billing expert) on ``numbers``, as the clicker reads them."""
    signed = []
    for number in numbers:
        case = bridge.rt.store.get(number)
        payload = block_action("U0EXP1", case.channel, case.card_ts, ACTION_IDS["claim"], str(number))
        signed.append(
            sign(bridge.signing_secret, interactive_body(payload), "application/x-www-form-urlencoded")
        )
    return json.dumps([(s.body, s.headers) for s in signed])


async def click(url: str, requests: str, concurrency: int) -> list[float]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CLICKER, url, str(concurrency), stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    out, _ = await process.communicate(requests.encode())
    timings: list[float] = json.loads(out)
    return timings


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/slack/events"


async def measure(
    name: str, app: web.Application, warm_up: str, requests: str, clicks: int, concurrency: int, profile: bool
) -> None:
    runner, url = await serve(app)
    try:
        await click(url, warm_up, 1)  # connections, the script's first load, Bolt's auth.test
        profiler = cProfile.Profile(time.process_time)
        began = time.process_time()
        if profile:
            profiler.enable()
        timings = await click(url, requests, concurrency)
        profiler.disable()
        spent = (time.process_time() - began) / clicks * 1000
        print(
            f"{name}: {len(timings)} clicks at concurrency {concurrency}, this process's CPU "
            f"{spent:.3f} ms per click (p50 {percentile(timings, 50) * 1000:.1f} ms, "
            f"p99 {percentile(timings, 99) * 1000:.1f} ms)"
        )
        if profile:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(
                r"adapters|bridge|slack_bolt|redis", 30
            )
    finally:
        await runner.cleanup()


def bare_app(bridge: LocalBridge) -> web.Application:
    app = AsyncApp(signing_secret=bridge.signing_secret, token=BOT_TOKEN, process_before_response=True)
    app.client.base_url = bridge.rt.settings.slack_api_url

    @app.action(re.compile(".*"))
    async def clicked(ack: AsyncAck) -> None:
        await ack()

    web_app: Any = app.web_app(path="/slack/events")
    return web_app  # type: ignore[no-any-return]


def open_cases(bridge: LocalBridge, count: int) -> list[int]:
    for n in range(count):
        text = f"@AcmeHelp I was charged twice for order {n}, I need a refund"
        bridge.x.add_mention(text, author_handle=f"customer{n}")
    bridge.poll()
    bridge.drain()
    return sorted(bridge.rt.store.open_cases())


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clicks", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="print where the bridge's CPU goes")
    args = parser.parse_args()
    configure("WARNING")
    with tempfile.TemporaryDirectory() as tmp:
        with LocalBridge(playbook=PLAYBOOK, data_dir=Path(tmp)) as bridge:
            numbers = open_cases(bridge, WARM_UP + args.clicks)
            warm_up, requests = claims(bridge, numbers[:WARM_UP]), claims(bridge, numbers[WARM_UP:])
            rounds = [("bridge serve's app", build_web_app(bridge.rt)), ("bare AsyncApp", bare_app(bridge))]
            for name, app in rounds:
                profile = args.profile and name.startswith("bridge")
                asyncio.run(measure(name, app, warm_up, requests, args.clicks, args.concurrency, profile))
        shutdown_embedded(Path(tmp))  # its Redis, before its folder goes
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
