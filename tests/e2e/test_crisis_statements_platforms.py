"""An incident's approved statement goes out once on every configured social platform (here X and
Mastodon), each from the platform's main account when it has one, else the care handle; the running
bridge against the Slack, X and Mastodon stand-ins, real Redis and RQ."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from bridge.crisis.incident import Incident, IncidentState
from bridge.domain.clock import ManualClock
from standins.harness import LocalBridge
from tests.conftest import ROOT, running_bridge
from tests.support.crisis_notices import explanation
from tests.support.platforms import instance

pytestmark = pytest.mark.e2e

START = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
LEADERS = "C0LEADERS"
MAIN_HANDLE = "Acme"
RECALL = "@AcmeHelp my Acme kettle K200 is on the recall list, this is scary, what do I do now {n}"


@pytest.fixture
def bridge(redis_url: str, tmp_path: Path) -> Iterator[LocalBridge]:
    data = yaml.safe_load((ROOT / "playbooks" / "crisis-example.yml").read_text())
    playbook = tmp_path / "crisis.yml"
    playbook.write_text(yaml.safe_dump(data))
    with running_bridge(
        playbook,
        redis_url,
        tmp_path,
        clock=ManualClock(START),
        x_main_account=(MAIN_HANDLE, "783214"),
        mastodon=True,
    ) as running:
        yield running


def approved_statement(bridge: LocalBridge) -> int:
    """Three recall cases on X, an alert, an incident, and its statement v1 approved (jobs not run)."""
    posts = [
        bridge.x.add_mention(RECALL.format(n=n), author_handle=f"c{n}", created_at=START) for n in range(3)
    ]
    bridge.poll()
    bridge.drain()
    numbers = [bridge.rt.store.case_for_post("x", p) for p in posts]
    crisis = bridge.rt.crisis
    alert_id = crisis.alerts.raise_alert(explanation(), "slack", LEADERS)
    assert alert_id is not None
    crisis.alerts.add_cases(alert_id, {n: START.timestamp() for n in numbers if n is not None})
    crisis.board.post_alert(alert_id)
    crisis.leadership.start_incident(alert_id, "U0CEO")
    incident = crisis.incidents.open_for("recall")
    assert incident is not None
    crisis.leadership.approve(incident.id, "statement", 1, "U0CCO")
    return incident.id


def statement_text(bridge: LocalBridge, incident_id: int) -> str:
    version = bridge.rt.crisis.incidents.version(incident_id, "statement", 1)
    assert version is not None
    return version.text


def incident(bridge: LocalBridge, incident_id: int) -> Incident:
    found = bridge.rt.crisis.incidents.get(incident_id)
    assert found is not None
    return found


def leaders_said(bridge: LocalBridge) -> list[str]:
    messages: list[dict[str, Any]] = bridge.slack.messages.get(bridge.slack.channel_id(LEADERS), [])
    return [m.get("text", "") for m in messages]


def posted_on_both(bridge: LocalBridge, incident_id: int) -> tuple[str, str]:
    """The statement is out exactly once on X (main account) and once on Mastodon; the two URLs."""
    text = statement_text(bridge, incident_id)
    on_x = bridge.x.posts_by(MAIN_HANDLE)
    assert [p.text for p in on_x] == [text], "once on X, from the main account"
    toots = [s for s in instance(bridge).posts if s["in_reply_to_id"] is None]
    assert len(toots) == 1, "once on Mastodon"
    assert text.split()[0] in toots[0]["content"]
    found = incident(bridge, incident_id)
    assert found.state == IncidentState.STATEMENT_POSTED
    assert list(found.statement_urls) == ["x", "mastodon"]
    assert found.statement_urls["x"].endswith(on_x[0].id) and found.statement_url == found.statement_urls["x"]
    assert found.statement_urls["mastodon"] == toots[0]["url"]
    return found.statement_urls["x"], found.statement_urls["mastodon"]


def test_the_approved_statement_goes_out_once_on_each_platform_and_leadership_sees_each_url(
    bridge: LocalBridge,
) -> None:
    incident_id = approved_statement(bridge)
    bridge.drain()
    x_url, mastodon_url = posted_on_both(bridge, incident_id)

    said = leaders_said(bridge)
    assert any(t.startswith("Statement posted from the main brand account") and x_url in t for t in said)
    assert any(t.startswith("Statement posted on Mastodon from @") and mastodon_url in t for t in said)

    status = bridge.slash("U0CEO", LEADERS, "incident status").json()["text"]
    assert f"X {x_url}" in status and f"Mastodon {mastodon_url}" in status

    bridge.drain(include_scheduled=True)  # a stray second statement job posts nothing anywhere
    bridge.rt.crisis.statement.post(incident_id)
    posted_on_both(bridge, incident_id)


@pytest.mark.parametrize("fails", ["x", "mastodon"])
def test_a_retry_after_an_unknown_outcome_posts_on_no_platform_twice(bridge: LocalBridge, fails: str) -> None:
    """The post went out but the bridge heard an error: the retried job finds it and posts only
    where the statement is not out yet."""
    if fails == "x":
        bridge.x.fail_next("POST /2/tweets", status=503, after_effect=True)
    else:
        instance(bridge).fail_next_post(502, after_write=True)
    incident_id = approved_statement(bridge)
    bridge.drain()
    assert incident(bridge, incident_id).state == IncidentState.STATEMENT_POSTING
    bridge.release_scheduled()
    bridge.drain(include_scheduled=True)
    posted_on_both(bridge, incident_id)
    recovered = [
        e for e in bridge.rt.crisis.incidents.timeline(incident_id) if e.action == "statement_posted_on"
    ]
    assert [(e.fields["platform"], e.fields["recovered"]) for e in recovered] == [
        ("x", str(fails == "x")),
        ("mastodon", str(fails == "mastodon")),
    ]


def test_a_platform_refusing_the_statement_is_left_out_and_the_others_keep_their_post(
    bridge: LocalBridge,
) -> None:
    """Sending the statement back for a new version would post it on X a second time: Mastodon's
    refusal is told to leadership and the incident goes on without it."""
    instance(bridge).fail_next_post(422)
    incident_id = approved_statement(bridge)
    bridge.drain()
    assert [p.text for p in bridge.x.posts_by(MAIN_HANDLE)] == [statement_text(bridge, incident_id)]
    assert instance(bridge).posts == []
    found = incident(bridge, incident_id)
    assert found.state == IncidentState.STATEMENT_POSTED and list(found.statement_urls) == ["x"]
    assert found.bulk_version == 1, "the bulk reply's first draft is made as usual"
    assert any(t.startswith("Mastodon refused the statement") for t in leaders_said(bridge))

    bridge.rt.crisis.statement.post(incident_id)  # a stray second job tries nowhere again
    assert instance(bridge).posts == [] and len(bridge.x.posts_by(MAIN_HANDLE)) == 1


def test_a_platform_limiting_our_posts_gets_the_statement_later_and_only_there(bridge: LocalBridge) -> None:
    instance(bridge).rate_limit_for(120)
    incident_id = approved_statement(bridge)
    bridge.drain()
    assert len(bridge.x.posts_by(MAIN_HANDLE)) == 1 and instance(bridge).posts == []
    assert incident(bridge, incident_id).state == IncidentState.STATEMENT_POSTING
    assert any("Mastodon is limiting our posts" in t for t in leaders_said(bridge))

    instance(bridge).state.rate_limited_until = None  # the window passed
    bridge.release_scheduled()
    bridge.drain(include_scheduled=True)
    posted_on_both(bridge, incident_id)
