"""The bridge as a user installs it: a wheel, in a fresh virtual environment, run in an empty folder.

The wheel is built from a copy of the repository and installed without dependencies; they resolve
from the worktree's own environment (added to the new one's path as a plain folder, so its
editable install of the bridge is not seen). Nothing here reaches the repository's files.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

IGNORED = shutil.ignore_patterns(
    ".git", ".venv*", "build", "*.egg-info", "__pycache__", "var", ".*_cache", ".hypothesis", "*.rdb"
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source") / "bridge"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(source),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
        ],
        check=True,
        timeout=300,
    )
    return next(out.glob("escalation_bridge-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the wheel; returns its ``bin`` folder."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        check=True,
        timeout=300,
    )
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # the dependencies: this environment's packages, as a plain path entry (its .pth files unread)
    (Path(purelib) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return venv / "bin"


def test_the_wheel_ships_the_playbooks_and_the_app_manifests(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (
        "bridge/_playbooks/acme.yml",
        "bridge/_playbooks/sample-mentions.jsonl",
        "adapters/slack/manifest.yml",
        "adapters/teams/app_package/manifest.json",
        "adapters/teams/app_package/color.png",
    ):
        assert shipped in names
    assert not any(name.startswith("playbooks/") for name in names)  # nothing loose in site-packages


def test_bridge_runs_from_the_wheel_in_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {"PATH": f"{installed}:/usr/bin:/bin", "HOME": str(tmp_path), "BRIDGE_LOG_FORMAT": "console"}
    where = subprocess.run(
        [str(installed / "python"), "-c", "import bridge; print(bridge.__file__)"],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(installed.parent)), where  # the installed copy, not the checkout
    version = subprocess.run(
        [str(installed / "bridge"), "--version"],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert version.returncode == 0 and version.stdout.strip() == "bridge 0.1.0", version.stderr
    demo = subprocess.run(
        [str(installed / "bridge"), "demo"], cwd=empty, env=env, capture_output=True, text=True, timeout=300
    )
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert "cannot read the playbook" not in demo.stderr
    assert "bridge → X" in demo.stdout
    check = subprocess.run(
        [
            str(installed / "python"),
            "-c",
            "from bridge.app.settings import DEFAULT_PLAYBOOK; print(DEFAULT_PLAYBOOK)",
        ],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert check.strip().startswith(str(installed.parent)) and check.strip().endswith("_playbooks/acme.yml")
