"""``bridge forget @handle`` and ``bridge retention`` as an operator runs them: real processes against
the Redis of a bridge that has just carried whole cases from X to Slack and back."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.slack.cards import ACTION_IDS
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from tests.conftest import PLAYBOOK, running_bridge
from tests.e2e.test_concierge_loop import REFUND, open_case
from tests.support.redis_dump import dump

pytestmark = pytest.mark.e2e

FOLLOW_UP = "@AcmeHelp still no refund for 88231, my flat is at 4 Baker Street"
PRIVATE = "my IBAN is DE89370400440532013000"
OTHER = "@AcmeHelp the courier left my parcel in the rain"


def cli(
    bridge: LocalBridge, *argv: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m bridge.cli ...`` on the bridge's Redis, key prefix, queue, playbook and data
    (``env`` adds to the environment)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "X_", "TEAMS_"))}
    settings = bridge.rt.settings
    base.update(
        REDIS_URL=str(bridge.redis_url),
        BRIDGE_KEY_PREFIX=settings.bridge_key_prefix,
        BRIDGE_QUEUE=settings.bridge_queue,
        BRIDGE_PLAYBOOK=str(settings.bridge_playbook),
        BRIDGE_DATA_DIR=str(settings.bridge_data_dir),
    )
    env = {**base, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bridge.cli", *argv], env=env, capture_output=True, text=True, timeout=120
    )


def answered_case(bridge: LocalBridge) -> int:
    """Maria's case: claimed, drafted, approved, posted; she writes again publicly and privately."""
    number = open_case(bridge)
    bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    bridge.reply_in_thread("U0EXP1", number, "Hi @maria_k, Maria K.: the second charge is refunded today.")
    bridge.drain()
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1")
    bridge.drain()
    case = bridge.rt.store.get(number)
    assert case.state == State.POSTED
    bridge.x.add_mention(
        FOLLOW_UP, author_handle="maria_k", author_name="Maria K.", in_reply_to=case.reply_id
    )
    bridge.poll()
    bridge.drain()
    bridge.rt.store.set_fields(number, {"mode": "private"})  # as after /bridge dm: her DMs join the case
    bridge.x.add_direct_message(PRIVATE, sender_id=case.author_id)
    bridge.poll()
    bridge.drain()
    return number


def test_forget_erases_a_customer_everywhere_and_the_case_still_tells_its_story(
    local_bridge: LocalBridge,
) -> None:
    bridge = local_bridge
    number = answered_case(bridge)
    bridge.x.add_mention(OTHER, author_handle="tom_b", author_name="Tom B.")
    bridge.poll()
    bridge.drain()
    other = number + 1
    before = dump(bridge.rt.redis, bridge.rt.settings.bridge_key_prefix)
    assert "maria_k" in before and "Baker Street" in before and "DE8937" in before  # what must go

    dry = cli(bridge, "forget", "@maria_k", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"cases #{number};" in dry.stdout and "Dry run: nothing was changed" in dry.stdout
    assert dump(bridge.rt.redis, bridge.rt.settings.bridge_key_prefix) == before

    done = cli(bridge, "forget", "@maria_k", "--by", "dpo@acme")
    assert done.returncode == 0, done.stderr
    assert "Erased: 1 cases" in done.stdout and "[erased on " in done.stdout

    after = dump(bridge.rt.redis, bridge.rt.settings.bridge_key_prefix)
    for trace in ("maria_k", "Maria K.", "charged twice", "Baker Street", "DE89370400440532013000"):
        assert trace.casefold() not in after.casefold(), trace
    assert OTHER in after  # another customer keeps their case

    timeline = cli(bridge, "case", str(number))
    assert timeline.returncode == 0, timeline.stderr
    assert f"Case #{number}" in timeline.stdout and "by @[erased on " in timeline.stdout
    for action in ("ingested", "claim", "approve", "posted", "customer_follow_up", "customer_dm"):
        assert action in timeline.stdout
    assert "customer_erased  by dpo@acme" in timeline.stdout
    assert "maria_k" not in timeline.stdout.casefold()
    assert int(bridge.rt.redis.get(bridge.rt.store.k("seq")) or 0) == other  # numbering and count unchanged
    assert {n for n in (number, other) if bridge.rt.store.exists(n)} == {number, other}

    bridge.drain()  # the card refresh the command queued, and the resolved case's archiving
    card = bridge.card_of(number)
    assert "charged twice" not in repr(card) and "[erased on " in repr(card)
    archived = bridge.rt.history.get(number)  # the case history forgot her too
    assert archived is not None and archived.author_handle.startswith("[erased on ")
    stored = repr([archived, bridge.rt.history.events(number)])
    for trace in ("maria_k", "Maria K.", "charged twice", "Baker Street", "DE89370400440532013000"):
        assert trace.casefold() not in stored.casefold(), trace
    assert "rows of the case history rewritten" in done.stdout

    again = cli(bridge, "forget", "@maria_k")
    assert again.returncode == 0 and "cases none" in again.stdout
    assert dump(bridge.rt.redis, bridge.rt.settings.bridge_key_prefix).count("[erased on ") == after.count(
        "[erased on "
    )


def test_forget_needs_a_handle_or_an_id(local_bridge: LocalBridge) -> None:
    refused = cli(local_bridge, "forget", "maria_k")
    assert refused.returncode == 2 and "Name the customer as @handle" in refused.stderr


def test_retention_expires_closed_cases_and_sweeps_old_ones(redis_url: str, tmp_path: Path) -> None:
    playbook = tmp_path / "desk.yml"
    playbook.write_text(
        PLAYBOOK.read_text(encoding="utf-8") + "retention:\n  closed_case_days: 30\n  audit: drop\n",
        encoding="utf-8",
    )
    with running_bridge(playbook, redis_url, tmp_path) as bridge:
        first = cli(bridge, "retention")  # publishes the policy, as the workers' hourly sweep does
        assert first.returncode == 0 and "Removed 0 closed cases" in first.stdout
        number = open_case(bridge, REFUND)
        bridge.slash("U0SOC1", "C0SOCIAL", f"resolve {number} sorted by phone")
        assert bridge.rt.store.get(number).state == State.RESOLVED
        ttl_days = bridge.rt.redis.ttl(bridge.rt.store.k("case", number)) / 86_400
        assert 30 < ttl_days <= 31  # expires on its own even if no sweep ever ran

        # as if it had closed 40 days ago
        long_ago = (datetime.now(UTC) - timedelta(days=40)).timestamp()
        bridge.rt.redis.zadd(bridge.rt.store.k("retention", "closed"), {str(number): long_ago})
        swept = cli(bridge, "retention")
        assert swept.returncode == 0, swept.stderr
        assert f"Removed 1 closed cases (#{number})" in swept.stdout
        gone = cli(bridge, "case", str(number))
        assert gone.returncode == 1 and f"#{number}" in gone.stderr
        day = time.strftime("%Y-%m-%d", time.gmtime())
        counts = bridge.rt.redis.hgetall(bridge.rt.store.k("stats", "day", day))
        assert counts[b"cases"] == b"1" and counts[b"state:resolved"] == b"1"


def test_the_workers_maintenance_queues_the_hourly_sweep_and_a_worker_runs_it(
    redis_url: str, tmp_path: Path
) -> None:
    from bridge.app.workers import BridgeWorker

    playbook = tmp_path / "desk.yml"
    playbook.write_text(
        PLAYBOOK.read_text(encoding="utf-8") + "retention:\n  closed_case_days: 30\n", encoding="utf-8"
    )
    with running_bridge(playbook, redis_url, tmp_path) as bridge:
        number = open_case(bridge, REFUND)
        bridge.slash("U0SOC1", "C0SOCIAL", f"ignore {number} spam")
        bridge.drain()
        long_ago = (datetime.now(UTC) - timedelta(days=40)).timestamp()
        bridge.rt.redis.zadd(bridge.rt.store.k("retention", "closed"), {str(number): long_ago})

        worker = BridgeWorker([bridge.rt.queue], connection=bridge.rt.redis)
        worker.run_maintenance_tasks()
        worker.run_maintenance_tasks()  # ten minutes later: already queued this hour
        queued = [job.func_name for job in bridge.rt.queue.jobs]
        assert queued == ["bridge.app.retention.sweep_job"]  # once, whatever the number of workers
        bridge.drain()
        assert not bridge.rt.store.exists(number)
        from bridge.store.labels import LabelStore

        learned = LabelStore(bridge.rt.store).labels("need")
        assert len(learned) == 1, "the ignore-with-a-reason was kept as a label before the case left"


def test_the_hourly_sweep_harvests_in_a_child_process_so_the_worker_keeps_its_memory(
    local_bridge: LocalBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The harvest loads triage's language data (about 80 MB); a worker that runs jobs in its own
    process kept it for good after the first hourly sweep."""
    from bridge.app import retention

    key = local_bridge.rt.store.k("test", "harvested-in")

    class Recording:
        def __init__(self, store: object, playbook: object) -> None:
            pass

        def run(self, now: datetime) -> None:
            local_bridge.rt.redis.set(key, os.getpid())

    monkeypatch.setattr(retention, "Harvester", Recording)
    assert retention.sweep_job() == "no retention policy"
    harvested_in = int(local_bridge.rt.redis.get(key) or 0)
    assert harvested_in and harvested_in != os.getpid()
