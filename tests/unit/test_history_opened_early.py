"""A worker opens the case history before its first job (migrations take about a second on first use),
and starts all the same when the history's database does not answer yet."""

from __future__ import annotations

import uuid
from pathlib import Path

from bridge.app.runtime import build_core
from bridge.app.settings import Settings
from bridge.store.history.engine import HISTORY_FILE
from tests.conftest import PLAYBOOK


def settings(redis_url: str, data_dir: Path, database_url: str | None = None) -> Settings:
    return Settings(
        redis_url=redis_url,
        bridge_playbook=PLAYBOOK,
        bridge_key_prefix=f"early-{uuid.uuid4().hex}:",
        bridge_queue=f"early-{uuid.uuid4().hex}",
        bridge_data_dir=data_dir,
        database_url=database_url,
    )


def test_the_history_is_open_and_migrated_before_the_first_job(redis_url: str, tmp_path: Path) -> None:
    rt = build_core(settings(redis_url, tmp_path))
    assert "history" not in rt.__dict__
    rt.open_history_early()
    assert "history" in rt.__dict__, "opened once, kept for the jobs"
    assert (tmp_path / HISTORY_FILE).exists()


def test_a_history_that_does_not_answer_is_left_for_the_first_job_to_open(
    redis_url: str, tmp_path: Path
) -> None:
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1"
    rt = build_core(settings(redis_url, tmp_path, unreachable))
    rt.open_history_early()  # logs, does not raise
    assert "history" not in rt.__dict__, "not kept broken: the job that needs it tries again"
