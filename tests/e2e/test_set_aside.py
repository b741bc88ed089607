"""Nothing set aside is invisible: the digest of set-aside cases in the social team's Slack channel and
its **Needs an answer** button, end to end (real Bolt, slack_sdk, tweepy and RQ against the stand-ins)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from adapters.slack.set_aside import NEEDS_ANSWER_ACTION
from adapters.teams.set_aside import NEEDS_ANSWER_VERB
from bridge.domain.clock import ManualClock
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from standins.slack_requests import block_action
from standins.teams_harness import PEOPLE, LocalTeamsBridge
from tests.conftest import PLAYBOOK, running_bridge
from tests.e2e.conftest import TEAMS_PLAYBOOK, running_teams
from tests.e2e.test_playbook_desk import arrive
from tests.e2e.test_teams_crisis import cards, executes
from tests.support.adaptive_cards import texts

pytestmark = pytest.mark.e2e

START = datetime(2025, 3, 31, 9, 30, tzinfo=UTC)
DIGEST_JOB = "bridge.app.jobs.set_aside_digest"
SPAM = "@AcmeHelp huge bitcoin airdrop today only https://evil.example/claim <!channel>"
PRAISE = "@AcmeHelp thank you so much, great service as always! <!here>"
REFUND = "@AcmeHelp I was charged twice for order 88231, I need a refund"
SOCIAL = "U0SOC1"


@pytest.fixture
def desk(redis_url: str, tmp_path: Path) -> Iterator[LocalBridge]:
    with running_bridge(PLAYBOOK, redis_url, tmp_path, clock=ManualClock(START)) as bridge:
        yield bridge


def digest_jobs(bridge: LocalBridge) -> list[Job]:
    registry = ScheduledJobRegistry(queue=bridge.rt.queue)
    jobs = [Job.fetch(job_id, connection=bridge.rt.redis) for job_id in registry.get_job_ids()]
    return [job for job in jobs if job.func_name == DIGEST_JOB]


def run_digest(bridge: LocalBridge) -> None:
    """Time passes: the scheduled digest job runs (as the RQ scheduler would release it)."""
    registry = ScheduledJobRegistry(queue=bridge.rt.queue)
    for job in digest_jobs(bridge):
        registry.remove(job)
        bridge.rt.queue.enqueue_job(job)
    bridge.drain()


def digests(bridge: LocalBridge) -> list[dict[str, Any]]:
    posted = [
        c.params for c in bridge.slack.calls_to("chat.postMessage") if c.params.get("channel") == "C0SOCIAL"
    ]
    return [p for p in posted if "Set aside" in repr(p.get("blocks"))]


def needs_answer_buttons(message: dict[str, Any]) -> dict[str, str]:
    return {
        e["text"]["text"]: e["value"]
        for b in message.get("blocks") or []
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == NEEDS_ANSWER_ACTION
    }


def click_needs_answer(bridge: LocalBridge, user: str, number: int) -> None:
    payload = block_action(user, "C0SOCIAL", "1.000100", NEEDS_ANSWER_ACTION, str(number))
    assert bridge.send_interaction(payload).status == 200
    bridge.drain()


def ephemerals_to(bridge: LocalBridge, user: str) -> list[str]:
    calls = bridge.slack.calls_to("chat.postEphemeral")
    return [str(c.params.get("text")) for c in calls if c.params.get("user") == user]


def test_set_aside_cases_are_listed_in_a_digest_and_one_click_brings_one_to_its_department(
    desk: LocalBridge,
) -> None:
    spam, praise = arrive(desk, SPAM, "coinbot"), arrive(desk, PRAISE, "fan_f")
    assert desk.rt.store.get(spam).state == State.IGNORED and desk.rt.store.get(praise).state == State.IGNORED
    assert digests(desk) == [] and len(digest_jobs(desk)) == 1, "one digest scheduled, nothing posted yet"
    run_digest(desk)
    assert digests(desk) == [], "a digest released before its time sets itself again"
    desk.clock.advance(minutes=61)  # type: ignore[union-attr]  # the fixture's ManualClock
    run_digest(desk)
    [message] = digests(desk)
    shown = repr(message["blocks"])
    assert "Set aside: 2 cases" in shown and "@coinbot" in shown and "@fan_f" in shown
    assert needs_answer_buttons(message) == {
        f"Needs an answer #{spam}": str(spam),
        f"Needs an answer #{praise}": str(praise),
    }
    assert "<!channel>" not in shown and "<!here>" not in shown, "customers' words are never live"
    assert digest_jobs(desk) == [], "nothing more set aside: no digest waits"

    click_needs_answer(desk, SOCIAL, spam)
    case = desk.rt.store.get(spam)
    assert case.state == State.REOPENED and case.card_ts
    channel = {"social": "C0SOCIAL", "billing": "C0BILLING", "logistics": "C0LOGIST"}[case.department]
    assert case.channel == channel and desk.card_of(spam)
    assert any("needs an answer" in text for text in ephemerals_to(desk, SOCIAL))
    [reopen] = [e for e in desk.rt.store.audit(spam) if e.action == "reopen"]
    assert reopen.by == SOCIAL and reopen.fields["via"] == "needs an answer"

    click_needs_answer(desk, "U0SOC2", spam)  # a second click, from the stale digest
    assert any("no longer set aside: it is reopened" in text for text in ephemerals_to(desk, "U0SOC2"))
    assert len([e for e in desk.rt.store.audit(spam) if e.action == "reopen"]) == 1


def test_no_digest_when_nothing_was_set_aside(desk: LocalBridge) -> None:
    arrive(desk, REFUND)
    desk.clock.advance(minutes=120)  # type: ignore[union-attr]  # the fixture's ManualClock
    assert digest_jobs(desk) == []
    run_digest(desk)
    assert digests(desk) == []


# --- Teams ----------------------------------------------------------------------------------------------
TEAMS_SOCIAL = "19:social-desk@thread.tacv2"


@pytest.fixture
def teams_desk(redis_url: str, tmp_path: Path) -> Iterator[LocalTeamsBridge]:
    with running_teams(TEAMS_PLAYBOOK, redis_url, tmp_path, clock=ManualClock(START)) as bridge:
        yield bridge


def teams_digests(bridge: LocalTeamsBridge) -> list[tuple[str, dict[str, Any]]]:
    return cards(bridge, TEAMS_SOCIAL, "Set aside")


def test_the_digest_and_its_button_work_in_teams_too(teams_desk: LocalTeamsBridge) -> None:
    bridge = teams_desk
    spam = arrive(bridge, SPAM, "coinbot")
    bridge.clock.advance(minutes=61)  # type: ignore[union-attr]  # the fixture's ManualClock
    run_digest(bridge)
    [digest] = teams_digests(bridge)
    shown = texts(digest[1])
    assert "Set aside: 1 case" in shown and "@coinbot" in shown and "bitcoin airdrop" in shown
    assert [a["title"] for a in executes(digest[1])] == [f"Needs an answer #{spam}"]

    message_id = digest[0]
    answer = bridge.invoke(
        "sam", f"{TEAMS_SOCIAL};messageid={message_id}", NEEDS_ANSWER_VERB, {"value": str(spam)}
    )
    assert answer.status == 200 and "needs an answer" in str(answer.json())
    bridge.drain()
    case = bridge.rt.store.get(spam)
    assert case.state == State.REOPENED and case.chat == "teams" and bridge.card(spam)
    [reopen] = [e for e in bridge.rt.store.audit(spam) if e.action == "reopen"]
    assert reopen.by == PEOPLE["sam"].aad

    again = bridge.invoke(
        "sue", f"{TEAMS_SOCIAL};messageid={message_id}", NEEDS_ANSWER_VERB, {"value": str(spam)}
    )
    assert "no longer set aside: it is reopened" in str(again.json())


# --- the App Home ---------------------------------------------------------------------------------------
def open_home(bridge: LocalBridge, user: str) -> str:
    event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
    assert bridge.send_event(event).status == 200
    return repr(bridge.slack.home_views[user]["blocks"])


def test_the_app_home_lists_what_was_set_aside_with_needs_an_answer(desk: LocalBridge) -> None:
    spam = arrive(desk, SPAM, "coinbot")
    home = open_home(desk, SOCIAL)
    assert "Set aside in the last 24 hours: 1" in home and "@coinbot" in home and "bitcoin airdrop" in home
    assert NEEDS_ANSWER_ACTION in home and "<!channel>" not in home
    assert "Set aside" not in open_home(desk, "U0NOBODY"), "only for people of the desk"

    click = block_action(SOCIAL, "", "", NEEDS_ANSWER_ACTION, str(spam))
    del click["channel"]
    click["container"] = {"type": "view", "view_id": "V0HOME"}
    click["view"] = {"type": "home", "id": "V0HOME"}
    assert desk.send_interaction(click).status == 200
    desk.drain()
    assert desk.rt.store.get(spam).state == State.REOPENED and desk.rt.store.get(spam).card_ts
    home = repr(desk.slack.home_views[SOCIAL]["blocks"])
    assert "Set aside in the last 24 hours: 0" in home and f"#{spam} needs an answer" in home


def test_the_playbook_sets_how_often_and_how_many_and_the_rest_are_counted(
    redis_url: str, tmp_path: Path
) -> None:
    data = yaml.safe_load(PLAYBOOK.read_text(encoding="utf-8"))
    data["set_aside"] = {"digest_every_minutes": 15, "digest_max_cases": 2}
    playbook = tmp_path / "set-aside.yml"
    playbook.write_text(yaml.safe_dump(data), encoding="utf-8")
    with running_bridge(playbook, redis_url, tmp_path, clock=ManualClock(START)) as bridge:
        numbers = [arrive(bridge, SPAM.replace("today", f"day {n}"), f"coin{n}") for n in range(3)]
        bridge.clock.advance(minutes=16)  # type: ignore[union-attr]  # a ManualClock
        run_digest(bridge)
        [message] = digests(bridge)
        shown = repr(message["blocks"])
        assert "Set aside: 3 cases" in shown and "1 more set aside and not listed here." in shown
        assert sorted(needs_answer_buttons(message).values()) == [str(n) for n in numbers[1:]], "the newest"
        arrive(bridge, PRAISE, "fan_f")  # the next period starts with the next case set aside
        assert len(digest_jobs(bridge)) == 1
