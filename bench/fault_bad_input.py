"""A barrage of correctly signed but malformed requests, and how long a normal Claim takes afterwards.

Sends ``--requests`` fuzzed bodies (the strategies of ``tests/faults/probes.py``: mutated real
payloads, bad JSON, bad form encoding, bytes that are not UTF-8, odd content types), each signed with
the bridge's signing secret, over HTTP to ``POST /slack/events`` of an in-process bridge, and prints
how they were answered. Then a normal Claim on a card opened before the barrage, and the seconds
until the worker (draining whatever the barrage queued) has shown it on the card. ``--teams`` does
the same count for ``POST /api/messages`` of a Teams bridge in local mode. Nothing passes or fails.

    .venv/bin/python bench/fault_bad_input.py [--requests 2000] [--teams 0]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from adapters.slack.cards import ACTION_IDS  # noqa: E402
from bridge.app.logs import configure  # noqa: E402
from standins.harness import LocalBridge  # noqa: E402
from standins.teams_harness import LocalTeamsBridge  # noqa: E402
from tests.faults.probes import (  # noqa: E402
    Probe,
    probes,
    send_slack,
    send_teams,
    slack_bases,
    teams_bases,
)

PLAYBOOK = ROOT / "playbooks" / "acme.yml"
TEAMS_PLAYBOOK = ROOT / "tests" / "fixtures" / "teams.yml"


def barrage(count: int, bases: list[tuple[str, Any]], send: Callable[[Probe], int | None]) -> Counter[str]:
    """Send ``count`` generated probes; count the answers by class."""
    answers: Counter[str] = Counter()

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def one(data: st.DataObject) -> None:
        status = send(data.draw(probes(bases)))
        answers["dropped" if status is None else f"{status // 100}xx" if status != 200 else "200"] += 1

    one()
    return answers


def open_case(bridge: LocalBridge, handle: str) -> int:
    post_id = bridge.x.add_mention("@AcmeHelp I was charged twice for one order", author_handle=handle)
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post_id)
    assert number is not None
    return number


def seconds_until_claim_shows(bridge: LocalBridge, number: int) -> float:
    """Click Claim, then run the worker as ``bridge worker`` would, timing the card's change."""
    card_ts = bridge.rt.store.get(number).card_ts
    seen = len(bridge.slack.calls)
    shown = threading.Event()

    def watch() -> None:
        while not shown.is_set():
            calls = bridge.slack.calls[seen:]
            if any(c.method == "chat.update" and c.params.get("ts") == card_ts for c in calls):
                shown.set()
            time.sleep(0.005)

    assert bridge.click("U0EXP1", number, ACTION_IDS["claim"]).status == 200
    started = time.perf_counter()
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    bridge.drain(rounds=50)
    shown.wait(timeout=5)
    elapsed = time.perf_counter() - started
    shown.set()
    return elapsed


def print_answers(name: str, count: int, answers: Counter[str]) -> None:
    print(f"{name}: {count} malformed signed requests")
    for key in ("5xx", "dropped", "4xx", "200", "2xx", "3xx"):
        if answers[key] or key in ("5xx", "dropped", "4xx", "200"):
            print(f"  {key:>8}: {answers[key]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--teams", type=int, default=0, help="also send this many to /api/messages")
    parser.add_argument("--redis-url", default=None, help="default: embedded Redis")
    args = parser.parse_args()
    configure("CRITICAL")
    with tempfile.TemporaryDirectory() as tmp:
        with LocalBridge(playbook=PLAYBOOK, redis_url=args.redis_url, data_dir=Path(tmp)) as bridge:
            target, later = open_case(bridge, "maria_k"), open_case(bridge, "tom")
            answers = barrage(args.requests, slack_bases(bridge, target), lambda p: send_slack(bridge, p))
            queued = {queue.name: queue.count for queue in bridge.rt.dispatch.queues}
            print_answers("POST /slack/events", args.requests, answers)
            print(f"  jobs queued by the barrage: {queued}")
            seconds = seconds_until_claim_shows(bridge, later)
            print(f"  seconds until a normal Claim shows on its card: {seconds:.2f}")
            bridge.cleanup_redis()
        if args.teams:
            with LocalTeamsBridge(
                playbook=TEAMS_PLAYBOOK, redis_url=args.redis_url, data_dir=Path(tmp)
            ) as teams:
                teams.install()
                number = open_case(teams, "maria_k")
                answers = barrage(args.teams, teams_bases(teams, number), lambda p: send_teams(teams, p))
                print_answers("POST /api/messages (local mode)", args.teams, answers)
                teams.cleanup_redis()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
