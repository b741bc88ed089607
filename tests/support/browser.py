"""A real Chromium for the dashboard's tests: Debian's ``chromium`` driven by Playwright.

Playwright's own browser download is never used (no internet; and the machine's browser is the one
operators have): ``.ci/run`` installs Debian's package when it is missing, and ``BRIDGE_CHROMIUM``
names another binary. Screenshots go to ``BRIDGE_TEST_ARTEFACTS`` (default ``.artefacts/``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.conftest import ROOT

#: Chromium as the machine's own probe starts it: headless, and nothing that calls out to Google.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    named = os.environ.get("BRIDGE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(named).exists():
        pytest.fail(
            f"no Chromium at {named}: install Debian's package (apt-get install chromium; .ci/run does) "
            "or set BRIDGE_CHROMIUM to a Chromium binary"
        )
    return named


def artefacts() -> Path:
    folder = Path(os.environ.get("BRIDGE_TEST_ARTEFACTS", ROOT / ".artefacts")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
