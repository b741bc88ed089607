"""Crisis mode's guards, on the running bridge (real Redis, RQ, Bolt and the Slack and X stand-ins):
templates that cannot be filled in never reach anyone, incident numbers are never guessed, the
statement always needs a second pair of eyes, and the bulk-reply job owns its lock, restarts every
stalled queue and spends the posting budget only on real posts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from bridge.crisis import bulk as bulk_module
from bridge.crisis.incident import IncidentState
from bridge.domain.errors import NotAllowed
from bridge.domain.lifecycle import Action, State
from standins.harness import LocalBridge
from tests.conftest import ROOT, running_bridge
from tests.support.crisis_notices import explanation

pytestmark = pytest.mark.e2e

START = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
LEADERS = "C0LEADERS"
RECALL = "@AcmeHelp my Acme kettle K200 is on the recall list, this is scary, what do I do now {n}"
BROKEN_BULK = "Hi @{{ author.handle }}, see {{ statement.ur }}"


@pytest.fixture
def bridge(redis_url: str, tmp_path: Path) -> Iterator[LocalBridge]:
    data = yaml.safe_load((ROOT / "playbooks" / "crisis-example.yml").read_text())
    data["sign_off"] = {"four_eyes": False}  # the desk's setting; the statement needs four eyes anyway
    playbook = tmp_path / "crisis.yml"
    playbook.write_text(yaml.safe_dump(data))
    from bridge.domain.clock import ManualClock

    with running_bridge(
        playbook, redis_url, tmp_path, clock=ManualClock(START), x_main_account=("Acme", "783214")
    ) as running:
        yield running


def cases(bridge: LocalBridge, count: int, first: int = 0) -> list[int]:
    """``count`` routed recall cases (too few to raise an alert by themselves)."""
    posts = [
        bridge.x.add_mention(RECALL.format(n=first + n), author_handle=f"c{first + n}", created_at=START)
        for n in range(count)
    ]
    bridge.poll()
    bridge.drain()
    numbers = [bridge.rt.store.case_for_post("x", p) for p in posts]
    found = [n for n in numbers if n is not None]
    assert len(found) == count and all(bridge.rt.store.get(n).state == State.ROUTED for n in found)
    return found


def alert_with(bridge: LocalBridge, numbers: list[int], topic: str = "recall") -> int:
    crisis = bridge.rt.crisis
    raised = explanation()
    if topic != "recall":
        raised = type(raised)(**{**raised.__dict__, "topic": topic, "label": topic})
    alert_id = crisis.alerts.raise_alert(raised, "slack", LEADERS)
    assert alert_id is not None
    crisis.alerts.add_cases(alert_id, {n: START.timestamp() for n in numbers})
    crisis.board.post_alert(alert_id)
    return alert_id


def replying(bridge: LocalBridge, numbers: list[int], topic: str = "recall", run: bool = True) -> int:
    """An incident whose statement is posted and whose bulk reply v1 is approved (not yet run)."""
    crisis = bridge.rt.crisis
    desk = crisis.leadership
    alert_id = alert_with(bridge, numbers, topic)
    desk.start_incident(alert_id, "U0CEO")
    incident = crisis.incidents.open_for(topic)
    assert incident is not None
    desk.approve(incident.id, "statement", 1, "U0CCO")
    bridge.drain()
    incident = crisis.incidents.get(incident.id)
    assert incident is not None and incident.state == IncidentState.STATEMENT_POSTED
    moved = crisis.incidents.move(
        incident.id,
        "start_bulk",
        "U0SOC2",
        guards={"bulk_version": "1"},
        values={"bulk_approved_version": 1, "bulk_approver": "U0SOC2"},
    )
    assert moved.ok
    return incident.id


def leaders_said(bridge: LocalBridge) -> list[dict[str, Any]]:
    return bridge.slack.messages.get(bridge.slack.channel_id(LEADERS), [])


def replies(bridge: LocalBridge) -> list[Any]:
    return [p for p in bridge.x.brand_posts() if p.in_reply_to]


# 1. templates that cannot be filled in ---------------------------------------------------------------
def test_a_statement_template_that_cannot_be_filled_in_makes_no_draft_and_tells_leadership(
    bridge: LocalBridge,
) -> None:
    rules = bridge.rt.playbook.crisis
    assert rules is not None
    rules.statement_template = "An update from {{ brand.nam }}"  # as if it got past the check
    alert_id = alert_with(bridge, cases(bridge, 2))
    said = bridge.rt.crisis.leadership.start_incident(alert_id, "U0CEO")
    bridge.drain()
    assert "statement template in the playbook is broken" in said and "no draft was made" in said
    incident = bridge.rt.crisis.incidents.open_for("recall")
    assert incident is not None and incident.statement_version == 0, "no v1 from the raw template"
    text = repr(leaders_said(bridge))
    assert "{{ brand.nam }}" not in text.replace("\\\\", "")
    assert "statement_template cannot be filled in" in text and "Statement needed: recall" in text
    with pytest.raises(NotAllowed, match="no v1"):
        bridge.rt.crisis.leadership.approve(incident.id, "statement", 1, "U0CCO")
    assert [e.action for e in bridge.rt.crisis.incidents.timeline(incident.id)].count(
        "statement_template_refused"
    ) == 1
    # leadership writes it instead, and it goes to sign-off like any version
    assert bridge.rt.crisis.leadership.current_text(incident.id, "statement", "U0CCO") == ""
    bridge.rt.crisis.leadership.edit(incident.id, "statement", "U0CCO", "Acme kettle K200 recall: stop.")
    bridge.drain()
    assert "Statement for sign-off" in repr(leaders_said(bridge))
    assert bridge.x.posts_by("Acme") == []


def test_a_bulk_reply_that_cannot_be_filled_in_is_refused_and_never_posted(bridge: LocalBridge) -> None:
    numbers = cases(bridge, 3)
    crisis = bridge.rt.crisis
    alert_id = alert_with(bridge, numbers)
    crisis.leadership.start_incident(alert_id, "U0CEO")
    incident_id = crisis.incidents.open_for("recall").id  # type: ignore[union-attr]
    crisis.leadership.approve(incident_id, "statement", 1, "U0CCO")
    bridge.drain()
    with pytest.raises(NotAllowed, match="cannot be filled in: unknown placeholder"):
        crisis.leadership.edit(incident_id, "bulk", "U0SOC1", BROKEN_BULK)
    # a version that got in anyway (stored before the check): no Approve button, approval refused
    assert crisis.incidents.draft(incident_id, "bulk", BROKEN_BULK, "U0SOC1").counter == 2
    preview = crisis.bulk.preview_notice(crisis.incidents.get(incident_id), 2)  # type: ignore[arg-type]
    assert preview is not None and "cannot be filled in" in preview.context
    assert [b.action for b in preview.buttons] == ["edit_bulk"]
    with pytest.raises(NotAllowed, match="cannot be filled in"):
        crisis.leadership.approve(incident_id, "bulk", 2, "U0SOC2")
    # and if it is approved all the same, every case is skipped and recorded, leadership told once
    assert crisis.incidents.move(
        incident_id, "start_bulk", "U0SOC2", values={"bulk_approved_version": 2, "bulk_approver": "U0SOC2"}
    ).ok
    assert crisis.bulk.run(incident_id) == "done"
    bridge.drain()
    assert replies(bridge) == [], "no raw template in front of a customer"
    incident = crisis.incidents.get(incident_id)
    assert incident is not None and (incident.bulk_sent, incident.bulk_skipped) == (0, 3)
    skipped = [e for e in crisis.incidents.timeline(incident_id) if e.action == "bulk_reply_skipped"]
    assert len(skipped) == 3 and all("reply template refused" in e.fields["why"] for e in skipped)
    told = [m["text"] for m in leaders_said(bridge) if "cannot be filled in for #" in m.get("text", "")]
    assert len(told) == 1 and "skipped and nothing was posted" in told[0]
    assert all(bridge.rt.store.get(n).state == State.ROUTED for n in numbers), "left for the desk"


# 2. incident numbers ---------------------------------------------------------------------------------
def test_a_mistyped_incident_number_is_refused_and_close_asks_which_when_several_are_open(
    bridge: LocalBridge,
) -> None:
    crisis = bridge.rt.crisis
    recall, outage = cases(bridge, 1), cases(bridge, 1, 10)
    crisis.leadership.start_incident(alert_with(bridge, recall), "U0CEO")
    crisis.leadership.start_incident(alert_with(bridge, outage, "outage"), "U0CEO")
    bridge.drain()

    def slash(text: str) -> str:
        return str(bridge.slash("U0CEO", LEADERS, text).json()["text"])

    for typo in ("incident close I1 typo", "incident status #x1", "incident close #1a", "incident close ١"):
        assert "is not an incident number" in slash(typo), typo
    asked = slash("incident close all answered")
    assert "2 incidents are open" in asked and "2 (outage" in asked and "1 (recall" in asked
    assert [i.id for i in crisis.incidents.open_incidents()] == [2, 1], "nothing closed"
    assert "Incident 2 (outage)" in slash("incident status")
    assert "is closed" in slash("incident close #1 all answered")
    assert crisis.incidents.get(1).state == IncidentState.CLOSED  # type: ignore[union-attr]
    assert "Incident 2 (outage) is closed" in slash("incident close the only one left")


# 3. four eyes on the statement -------------------------------------------------------------------------
def test_the_statement_needs_four_eyes_even_when_the_desk_does_not(bridge: LocalBridge) -> None:
    assert bridge.rt.playbook.sign_off.four_eyes is False
    crisis = bridge.rt.crisis
    crisis.leadership.start_incident(alert_with(bridge, cases(bridge, 2)), "U0CEO")
    incident_id = crisis.incidents.open_for("recall").id  # type: ignore[union-attr]
    with pytest.raises(NotAllowed, match="Four eyes"):
        crisis.leadership.approve(incident_id, "statement", 1, "U0CEO")  # U0CEO wrote v1 by starting
    crisis.leadership.edit(incident_id, "statement", "U0CCO", "Acme kettle K200 recall: stop using it.")
    with pytest.raises(NotAllowed, match="Four eyes"):
        crisis.leadership.approve(incident_id, "statement", 2, "U0CCO")
    assert "You approved statement v2" in crisis.leadership.approve(incident_id, "statement", 2, "U0CEO")
    bridge.drain()
    # the bulk reply follows the desk's sign_off.four_eyes (off here): its author may approve it
    crisis.leadership.edit(incident_id, "bulk", "U0SOC2", "Hi @{{ author.handle }}: {{ statement.url }}")
    assert "You approved bulk reply v2" in crisis.leadership.approve(incident_id, "bulk", 2, "U0SOC2")


# 4.-6. the bulk-reply job ------------------------------------------------------------------------------
def test_the_bulk_lock_is_renewed_per_case_and_released_only_by_its_owner(
    bridge: LocalBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    crisis = bridge.rt.crisis
    *numbers, late = cases(bridge, 4)
    incident_id = replying(bridge, numbers)
    lock = crisis.bulk._key(incident_id, "lock")
    r = bridge.rt.store.r
    seen: list[int] = []
    reply_one = crisis.bulk.reply_one

    def slow(incident: Any, number: int) -> bulk_module.BulkOutcome:
        seen.append(int(r.ttl(lock)))
        r.expire(lock, 5)  # as if this case took LOCK_SECONDS - 5
        return reply_one(incident, number)

    monkeypatch.setattr(crisis.bulk, "reply_one", slow)
    assert crisis.bulk.run(incident_id) == "done"
    assert seen[0] > 5 and all(ttl > 5 for ttl in seen[1:]), f"renewed before each case: {seen}"
    assert not r.exists(lock), "released by its owner"

    # another run took the lock while this one was stalled: it stops and leaves that run's lock alone
    crisis.bulk.enqueue_case(crisis.incidents.get(incident_id), late)  # type: ignore[arg-type]

    def taken_over(incident: Any, number: int) -> bulk_module.BulkOutcome:
        r.set(lock, "another run", ex=bulk_module.LOCK_SECONDS)
        return reply_one(incident, number)

    monkeypatch.setattr(crisis.bulk, "reply_one", taken_over)
    assert crisis.bulk.run(incident_id) == "lock-lost"
    assert r.get(lock) == b"another run", "not deleted by the run that lost it"
    assert crisis.bulk.run(incident_id) == "busy"
    assert r.get(lock) == b"another run"


def test_every_open_incident_with_a_stalled_queue_is_restarted(bridge: LocalBridge) -> None:
    crisis = bridge.rt.crisis
    recall, outage = cases(bridge, 2), cases(bridge, 2, 10)
    older = replying(bridge, recall)
    newer = replying(bridge, outage, "outage")
    for incident_id in (older, newer):  # queued, and the job lost
        crisis.bulk._build(crisis.incidents.get(incident_id))  # type: ignore[arg-type]
        assert crisis.bulk.pending(incident_id) == 2
    crisis.bulk.kick_stalled()  # the crisis tick's call
    bridge.drain()
    assert crisis.bulk.pending(older) == 0 and crisis.bulk.pending(newer) == 0
    assert len(replies(bridge)) == 4


def test_a_skipped_case_takes_no_slot_of_the_posting_budget(bridge: LocalBridge) -> None:
    crisis = bridge.rt.crisis
    numbers = cases(bridge, 3)
    incident_id = replying(bridge, numbers)
    crisis.bulk._build(crisis.incidents.get(incident_id))  # type: ignore[arg-type]
    assert crisis.bulk.pending(incident_id) == 3
    store = bridge.rt.store  # an expert claims a queued case before the job reaches it
    assert store.transition(
        numbers[0], Action.ASSIGN, "U0PRD1", guards={"claimant": ""}, values={"claimant": "U0PRD1"}
    ).ok
    window = bridge.rt.playbook.crisis.bulk_window_minutes * 60  # type: ignore[union-attr]
    before = crisis.bulk.budget.used(window)
    assert crisis.bulk.run(incident_id) == "done"
    incident = crisis.incidents.get(incident_id)
    assert incident is not None and (incident.bulk_sent, incident.bulk_skipped) == (2, 1)
    assert crisis.bulk.budget.used(window) - before == 2, "one slot per post, none for the claimed case"
    assert len(replies(bridge)) == 2


def test_a_full_budget_leaves_the_next_case_untouched_until_a_slot_frees(bridge: LocalBridge) -> None:
    crisis = bridge.rt.crisis
    numbers = cases(bridge, 2)
    incident_id = replying(bridge, numbers)
    rules = bridge.rt.playbook.crisis
    assert rules is not None
    window = rules.bulk_window_minutes * 60
    while crisis.bulk.budget.used(window) < rules.bulk_posts_per_window:
        crisis.bulk.budget.take(rules.bulk_posts_per_window, window)
    assert crisis.bulk.run(incident_id) == "waiting"
    untouched = bridge.rt.store.get(numbers[0])
    assert untouched.state == State.ROUTED and untouched.claimant == "", "not claimed while waiting"
    bridge.rt.clock.advance(seconds=window + 1)  # type: ignore[attr-defined]
    assert crisis.bulk.run(incident_id) == "done"
    assert len(replies(bridge)) == 2


def test_a_resumed_bulk_reply_is_not_mistaken_for_an_answer_of_an_earlier_round(
    bridge: LocalBridge,
) -> None:
    """A customer we answered before is in the incident again (reopened). The bulk reply to them meets
    a 503 and nothing is created; resumed, the job must look only past our earlier answer for it, as
    every answer's retry does, or the earlier answer passes for the bulk reply and it is never sent."""
    from bridge.domain.errors import Unavailable

    crisis = bridge.rt.crisis
    number = cases(bridge, 1)[0]
    post_id = bridge.rt.store.get(number).post_id
    earlier = bridge.rt.socials["x"].reply(post_id, "Sorry about the kettle, we are looking into it.")
    bridge.rt.store.set_fields(number, {"reply_id": earlier.id})  # answered once, then reopened
    incident_id = replying(bridge, [number])
    bridge.x.fail_next("POST /2/tweets", status=503)  # refused before anything was created
    with pytest.raises(Unavailable):
        crisis.bulk.run(incident_id)
    assert bridge.rt.store.get(number).state == State.POSTING
    assert crisis.bulk.run(incident_id) == "done"
    case = bridge.rt.store.get(number)
    ours = [p for p in replies(bridge) if p.in_reply_to == post_id]
    assert len(ours) == 2, "the earlier answer and the bulk reply, each once"
    assert case.state == State.POSTED and case.reply_id not in ("", earlier.id)
