"""``bridge serve`` stops cleanly on its first stop signal and ignores the ones that follow while it
cleans up: under ``bridge run`` the terminal's Ctrl-C and the group's SIGTERM arrive together, and
a second signal inside the clean-up made the process exit 1 instead of 0."""

from __future__ import annotations

import asyncio
import os
import signal

from aiohttp import web

from bridge.app.web import serve_until_stopped


def test_a_second_stop_signal_during_the_clean_up_does_not_cut_it_short() -> None:
    cleaned: list[str] = []
    app = web.Application()

    async def signal_soon(_app: web.Application) -> None:
        asyncio.get_running_loop().call_later(0.1, os.kill, os.getpid(), signal.SIGTERM)

    async def clean_up(_app: web.Application) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # the group's second signal, mid clean-up
        await asyncio.sleep(0.2)
        cleaned.append("done")

    app.on_startup.append(signal_soon)
    app.on_cleanup.append(clean_up)
    previous = signal.getsignal(signal.SIGINT)
    try:
        serve_until_stopped(app, "127.0.0.1", 0)  # returns: no SystemExit escapes
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    assert cleaned == ["done"]
