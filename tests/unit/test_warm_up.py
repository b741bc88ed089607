"""``bridge poll`` and ``bridge worker`` load triage's models before the first mention needs them, and
a warm-up that fails never stops the process."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace
from typing import cast

from bridge.app.runtime import Runtime
from bridge.app.warm_up import warm_up_triage
from tests.conftest import PLAYBOOK, ROOT

FRESH_PROCESS = f"""
from types import SimpleNamespace
from bridge.app.warm_up import warm_up_triage
from bridge.playbook.model import load_playbook
from bridge.text.language import _base_identifier
before = _base_identifier.cache_info().currsize
warm_up_triage(SimpleNamespace(playbook=load_playbook({str(PLAYBOOK)!r})))
print(before, _base_identifier.cache_info().currsize)
"""


def test_the_language_model_is_loaded_by_the_warm_up_not_by_the_first_mention() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "1"]


def test_a_warm_up_that_fails_is_logged_and_the_process_goes_on() -> None:
    class Broken:
        @property
        def playbook(self) -> object:
            raise RuntimeError("the playbook cannot be read")

    warm_up_triage(cast(Runtime, Broken()))  # does not raise
    warm_up_triage(cast(Runtime, SimpleNamespace(playbook=None)))  # nor does a nonsense one
