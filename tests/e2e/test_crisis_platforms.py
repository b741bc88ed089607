"""Crisis detection counts mentions from every platform the bridge reads: X, Mastodon and Bluesky
mentions of one topic add up in the same window, through the real pollers, RQ worker and Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from standins.harness import LocalBridge
from tests.conftest import ROOT, running_bridge
from tests.e2e.test_crisis_replay import LEADERS, with_header

pytestmark = pytest.mark.e2e

RECALL = "my Acme kettle K200 is on the recall list, this is scary, what do I do now {n}"
MIN_MENTIONS = 12  # the recall rule of crisis-example.yml


@pytest.fixture
def bridge(redis_url: str, tmp_path: Path) -> Iterator[LocalBridge]:
    playbook = ROOT / "playbooks" / "crisis-example.yml"
    with running_bridge(playbook, redis_url, tmp_path, mastodon=True, bluesky=True) as running:
        yield running


def poll(bridge: LocalBridge) -> None:
    bridge.poll()
    bridge.drain()


def test_mastodon_and_bluesky_mentions_count_towards_the_same_alert_as_xs(bridge: LocalBridge) -> None:
    assert bridge.mastodon is not None and bridge.bluesky is not None
    for n in range(3):
        bridge.x.add_mention("@AcmeHelp " + RECALL.format(n=n), author_handle=f"x{n}")
    for n in range(4):
        bridge.mastodon.add_mention(f"fedi{n}@remote.social", RECALL.format(n=10 + n))
        bridge.bluesky.add_mention(f"sky{n}.bsky.social", RECALL.format(n=20 + n))
    poll(bridge)
    assert with_header(bridge, LEADERS, "Crisis alert") == []  # 11 of the 12 the rule asks for

    bridge.mastodon.add_mention("fedi9@remote.social", RECALL.format(n=19))  # the twelfth, from Mastodon
    poll(bridge)
    alerts = with_header(bridge, LEADERS, "Crisis alert")
    assert len(alerts) == 1 and "Crisis alert: recall" in repr(alerts[0]["blocks"])
    raised = [e for e in bridge.rt.crisis.alerts.records.timeline(1) if e.action == "alert_explained"]
    assert f"{MIN_MENTIONS} mentions of recall in the last 15 min" in raised[0].fields["summary"]
    platforms = {bridge.rt.store.get(n).platform for n in bridge.rt.crisis.alerts.cases(1)}
    assert platforms == {"x", "mastodon", "bluesky"}
