"""/healthz and /metrics against a Redis that accepts connections and never answers.

Starts the real web app on a hung "Redis" (a socket server that reads nothing back) and prints how
long /healthz takes, and how long a /metrics asked meanwhile waits. Nothing here passes or fails.

    .venv/bin/python bench/health_hung_redis.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bridge.app.logs import configure  # noqa: E402
from bridge.app.settings import Settings  # noqa: E402
from bridge.wiring import build, build_web_app  # noqa: E402
from standins.server import BackgroundServer  # noqa: E402

GIVE_UP_SECONDS = 10.0


def hung_server() -> tuple[str, list[socket.socket]]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = [server]

    def accept() -> None:
        while True:
            held.append(server.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    return f"redis://127.0.0.1:{server.getsockname()[1]}/0", held


def timed(url: str) -> str:
    started = time.perf_counter()
    try:
        status = requests.get(url, timeout=GIVE_UP_SECONDS).status_code
    except requests.Timeout:
        return f"no answer in {GIVE_UP_SECONDS:.0f} s"
    return f"{time.perf_counter() - started:.3f} s (HTTP {status})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    configure("ERROR")
    url, _held = hung_server()
    with tempfile.TemporaryDirectory() as tmp:
        rt = build(
            Settings(
                redis_url=url, bridge_playbook=ROOT / "playbooks" / "acme.yml", bridge_data_dir=Path(tmp)
            )
        )
        server = BackgroundServer(build_web_app(rt)).start()
        with ThreadPoolExecutor(2) as pool:
            for round_ in range(1, args.rounds + 1):
                health = pool.submit(timed, server.url + "/healthz")
                time.sleep(0.1)
                metrics = pool.submit(timed, server.url + "/metrics")
                print(
                    f"round {round_}: /healthz {health.result()}; /metrics asked meanwhile {metrics.result()}"
                )
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
