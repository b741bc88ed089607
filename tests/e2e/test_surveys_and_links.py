"""Measuring the desk end to end, through the real Slack and X clients and the stand-ins: a resolved
case's customer is asked for CSAT by private message and their answer lands on the case and in its
thread; a tracked link is posted rewritten, redirects and counts; a signed conversion counts and a
forged one is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from rq.registry import ScheduledJobRegistry

from bridge.domain.lifecycle import State
from bridge.reports.signatures import SIGNATURE_HEADER, sign
from bridge.store.transitions import text
from standins.harness import LocalBridge
from tests.conftest import PLAYBOOK, running_bridge
from tests.e2e.test_concierge_loop import open_case, x_posts
from tests.e2e.test_private_messages import thread_texts
from tests.support.desk_steps import draft_and_approve

pytestmark = pytest.mark.e2e

SECRET = "conversions-secret-for-the-test"
MEASURED = """
surveys:
  csat: true
  delay_minutes: 1
  once_per_customer_days: 30
measure:
  tracked_links: true
"""


@pytest.fixture
def measured(redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalBridge]:
    """The sample playbook with surveys and tracked links on, and the conversions secret set."""
    playbook = tmp_path / "measured.yml"
    playbook.write_text(PLAYBOOK.read_text(encoding="utf-8") + MEASURED, encoding="utf-8")
    monkeypatch.setenv("BRIDGE_CONVERSIONS_SECRET", SECRET)
    with running_bridge(playbook, redis_url, tmp_path) as bridge:
        # the bridge's public address is its web server's, known once it listens
        bridge.rt.links.public_url = bridge.web.url
        yield bridge


def case_fields(bridge: LocalBridge, number: int) -> dict[str, str]:
    raw = bridge.rt.redis.hgetall(bridge.rt.store.k("case", number))
    return {text(k): text(v) for k, v in raw.items()}


def test_a_resolved_case_is_surveyed_by_private_message_and_the_answer_is_recorded(
    measured: LocalBridge,
) -> None:
    bridge = measured
    number = open_case(bridge)
    customer = bridge.rt.store.get(number).author_id
    bridge.x.add_direct_message("hi, it is about my refund", sender_id=customer)  # their DMs are open to us
    draft_and_approve(bridge, number, "Hi @maria_k, the second charge is refunded today.")
    assert "is resolved" in bridge.slash("U0SOC1", "C0SOCIAL", f"resolve {number}").json()["text"]
    bridge.drain()
    registry = ScheduledJobRegistry(queue=bridge.rt.queue)
    (survey,) = [job for job in bridge.scheduled() if str(job.func_name).endswith("send_survey")]
    due = registry.get_scheduled_time(survey) - bridge.rt.clock.now()
    assert timedelta(seconds=40) < due <= timedelta(seconds=60)  # after the playbook's delay, not before
    assert not [m for m in bridge.x.direct_messages() if m.sender_id == bridge.x.user_id]

    bridge.drain(include_scheduled=True)  # a minute later
    (asked,) = [m for m in bridge.x.direct_messages() if m.sender_id == bridge.x.user_id]
    assert customer in asked.participant_ids
    assert "from 1 (not at all) to 5 (very)" in asked.text and f"#{number}" in asked.text
    assert bridge.rt.store.get(number).state == State.RESOLVED

    bridge.x.add_direct_message("4 - thanks <!here>", sender_id=customer)
    bridge.poll()
    bridge.poll()  # read again: recorded once
    bridge.drain()
    fields = case_fields(bridge, number)
    assert fields["csat"] == "4" and fields["survey_comment"] == "thanks <!here>"
    assert fields["survey_sent_at"]
    shown = [t for t in thread_texts(bridge, number) if "answered the survey" in t]
    assert len(shown) == 1 and "CSAT 4/5" in shown[0] and "thanks &lt;!here&gt;" in shown[0]
    answered = bridge.rt.meter.read()["bridge_surveys_answered_total"]
    assert answered == {json.dumps(["x", "csat", "4", ""]): 1.0}


def test_a_tracked_link_is_posted_rewritten_redirects_counts_and_converts(measured: LocalBridge) -> None:
    bridge = measured
    number = open_case(bridge)
    shop = "https://shop.acme.com/refunds?order=88231"
    draft_and_approve(bridge, number, f"Hi @maria_k, request the refund here: {shop}. Thanks!")
    case = bridge.rt.store.get(number)
    preview = repr(bridge.slack.thread(case.channel, case.card_ts))
    (posted,) = [p["text"] for p in x_posts(bridge)]
    prefix = f"Hi @maria_k, request the refund here: {bridge.web.url}/r/"
    assert posted.startswith(prefix) and posted.endswith(". Thanks!") and shop not in posted
    token = posted.removeprefix(prefix).removesuffix(". Thanks!")
    assert f"/r/{token}" in preview  # the sign-off showed the text exactly as posted

    for _ in range(2):
        clicked = requests.get(f"{bridge.web.url}/r/{token}", allow_redirects=False, timeout=5)
        assert clicked.status_code == 302 and clicked.headers["Location"] == shop
    for fetcher in ("Twitterbot/1.0", "http.rb/5.1.1 (Mastodon/4.3.0; +https://m.example/)"):
        fetched = requests.get(
            f"{bridge.web.url}/r/{token}", headers={"User-Agent": fetcher}, allow_redirects=False, timeout=5
        )
        assert fetched.status_code == 302  # shown the way, not counted as a person
    missing = requests.get(f"{bridge.web.url}/r/NoSuchToken1", allow_redirects=False, timeout=5)
    assert missing.status_code == 404 and "This link is not known" in missing.text
    assert case_fields(bridge, number)["link_clicks"] == "2"

    def convert(payload: dict[str, object] | bytes, signature: str | None = "sign") -> requests.Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers[SIGNATURE_HEADER] = sign(SECRET, body) if signature == "sign" else signature
        return requests.post(f"{bridge.web.url}/api/conversions", data=body, headers=headers, timeout=5)

    sale = {"token": token, "value": 49.9, "order_id": "A-1001"}
    first = convert(sale)
    assert first.status_code == 200 and first.json() == {
        "ok": True, "counted": True, "duplicate": False, "case": number,
    }  # fmt: skip
    assert convert(sale).json()["duplicate"] is True  # the shop's retry is counted once
    assert convert(sale, signature=None).status_code == 401
    assert convert(sale, signature="sha256=" + "0" * 64).status_code == 403
    forged = {**sale, "order_id": "A-1002"}
    assert convert(forged, signature=sign("guessed", json.dumps(forged).encode())).status_code == 403
    assert convert(b"{not json").status_code == 400
    assert "no tracked link" in convert({"token": "NoSuchToken1", "order_id": "A-9"}).json()["error"]
    assert case_fields(bridge, number)["link_conversions"] == "1"


def test_no_survey_reaches_a_customer_who_never_wrote_to_us_privately(measured: LocalBridge) -> None:
    bridge = measured
    number = open_case(bridge, handle="quiet_q")
    stranger = bridge.rt.store.get(number).author_id
    bridge.x.add_direct_message("unrelated", sender_id="123456789")  # someone else's conversation
    draft_and_approve(bridge, number, "Hi @quiet_q, the second charge is refunded today.")
    bridge.drain(include_scheduled=True)
    assert not [m for m in bridge.x.direct_messages() if stranger in m.participant_ids]
    skipped = [e for e in bridge.rt.store.audit(number) if e.action == "survey_skipped"]
    assert [e.fields["reason"] for e in skipped] == ["no-private-messages"]
    asked = [r.path for r in bridge.x.requests if r.method == "GET" and "dm_conversations/with" in r.path]
    assert asked == [f"/2/dm_conversations/with/{stranger}/dm_events"]  # their conversation, looked up
