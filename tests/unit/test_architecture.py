"""The core imports no platform SDK; only the composition root reaches for adapters."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "bridge"
SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "tweepy", "requests")
COMPOSITION_ROOT = {"wiring.py", "cli.py"}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_imports_no_platform_sdk(path: Path) -> None:
    modules = imported_modules(path)
    assert not [m for m in modules if m.split(".")[0] in SDKS]
    if path.name not in COMPOSITION_ROOT:
        assert not [m for m in modules if m.split(".")[0] in ("adapters", "standins")]


@pytest.mark.parametrize(
    "module",
    [
        "bridge.app.dispatch",
        "bridge.app.crisis_dispatch",
        "bridge.app.health",
        "bridge.app.web",
        "bridge.app.jobs",
    ],
)
def test_each_app_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    """RQ imports a job's module by name in a fresh work process: no import order may be needed."""
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
