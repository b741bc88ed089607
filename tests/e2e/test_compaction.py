"""A posted case, archived, harvested and quiet for a week, is compacted by the retention sweep: its
post polled again makes no new case, a reply to our old answer opens a new one, ``/bridge reopen``
says why it cannot, ``bridge case`` tells its story from the history and ``bridge forget`` still
erases it there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.slack.cards import ACTION_IDS
from bridge.app.poller import cursor_name
from bridge.app.retention import sweep
from bridge.domain.lifecycle import State
from bridge.playbook.retention_rules import RetentionRules
from bridge.triage.learning.harvest import Harvester
from standins.harness import LocalBridge
from tests.e2e.test_concierge_loop import claimed_draft
from tests.e2e.test_erasure import cli
from tests.e2e.test_follow_ups import cards_posted

pytestmark = pytest.mark.e2e


def test_a_compacted_case_still_dedupes_refuses_reopen_tells_its_story_and_can_be_erased(
    local_bridge: LocalBridge,
) -> None:
    bridge, store = local_bridge, local_bridge.rt.store
    number = claimed_draft(bridge)
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1")
    bridge.drain()
    case = store.get(number)
    assert case.state == State.POSTED
    later = datetime.now(UTC) + timedelta(days=8)
    Harvester(store, bridge.rt.playbook).run(later)  # the sweep job harvests first, then sweeps
    swept = sweep(
        store, RetentionRules(), bridge.rt.settings.bridge_data_dir, later, archiver=bridge.rt.archiver
    )
    assert swept is not None and swept.compacted == [number]

    store.r.delete(store.k("cursor", cursor_name("x")))  # the platform delivers the post again
    bridge.poll()
    bridge.drain()
    assert int(store.r.get(store.k("seq")) or 0) == number and cards_posted(bridge) == 1

    bridge.x.add_mention(
        "@AcmeHelp it is charged twice again!", author_handle="maria_k", in_reply_to=case.reply_id
    )
    bridge.poll()
    bridge.drain()
    assert store.get(number + 1).state == State.ROUTED and cards_posted(bridge) == 2  # a new case

    refused = bridge.slash("U0SOC1", "C0SOCIAL", f"reopen {number}").json()["text"]
    assert f"Case #{number}" in refused and "is archived" in refused and "cannot be reopened" in refused

    timeline = cli(bridge, "case", str(number))
    assert timeline.returncode == 0, timeline.stderr
    assert f"Case #{number} · x by @maria_k (from the case history)" in timeline.stdout
    for action in ("ingested", "claim", "approve", "posted"):
        assert action in timeline.stdout

    done = cli(bridge, "forget", "@maria_k", "--by", "dpo@acme")
    assert done.returncode == 0, done.stderr
    archived = bridge.rt.history.get(number)
    assert archived is not None and archived.author_handle.startswith("[erased on ")
    assert "maria_k" not in repr(bridge.rt.history.events(number)).casefold()
