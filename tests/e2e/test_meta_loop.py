"""Facebook and Instagram end to end: Meta's signed webhook deliveries (each sent three times) into the
real web app, the Graph API's stand-in answering the adapter over HTTP, Slack's stand-in, real Redis,
jobs run by a real RQ worker."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.slack.cards import ACTION_IDS
from bridge.domain.clock import ManualClock
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from standins.meta_demo import run_meta_demo
from standins.meta_graph import PAGE_ID
from standins.meta_webhook import VERIFY_TOKEN, comment_delivery, message_delivery
from tests.conftest import PLAYBOOK, ROOT, running_bridge
from tests.e2e.test_crisis_statements_platforms import START, approved_statement, statement_text
from tests.support.desk_steps import draft_and_approve
from tests.support.platforms import graph

pytestmark = pytest.mark.e2e

REFUND = "I was charged twice for order 88231, I need a refund"


@pytest.fixture
def bridge(redis_url: str, tmp_path: Path) -> Iterator[LocalBridge]:
    with running_bridge(PLAYBOOK, redis_url, tmp_path, meta=True) as bridge:
        yield bridge


def delivered(bridge: LocalBridge, payload: dict[str, Any], platform: str, post_id: str) -> int:
    """Meta delivers ``payload`` and redelivers it twice: one case, one card."""
    assert bridge.meta_webhook.deliver(payload, times=3) == [200, 200, 200]
    bridge.drain()
    number = bridge.rt.store.case_for_post(platform, post_id)
    assert number is not None
    return number


def test_comments_and_messages_each_make_one_card_answered_once_in_their_own_form(
    bridge: LocalBridge,
) -> None:
    meta = graph(bridge)
    fb = meta.add_comment({"id": "5550001", "name": "Maria K."}, REFUND)
    ig = meta.add_comment(
        {"id": "1784000077", "username": "tom.b"},
        "I was charged twice for order 88232, I need a refund",
        platform="instagram",
    )
    dm = meta.add_message(
        "messenger", "24000000000001", "charged twice for order 88231, refund?", name="Lena S."
    )
    ig_dm = meta.add_message(
        "instagram", "5614879045272581", "I was charged twice for order 88233, I need a refund", name="Ola N."
    )
    numbers = {
        "fb": delivered(bridge, comment_delivery(fb), "facebook", fb["id"]),
        "ig": delivered(bridge, comment_delivery(ig), "instagram", ig["id"]),
        "dm": delivered(
            bridge, message_delivery("messenger", dm), "facebook", f"dm:24000000000001:{dm['id']}"
        ),
        "ig_dm": delivered(
            bridge, message_delivery("instagram", ig_dm), "instagram", f"dm:5614879045272581:{ig_dm['id']}"
        ),
    }
    assert len(set(numbers.values())) == 4
    assert len(bridge.slack.calls_to("chat.postMessage")) == 4  # one card each, whatever the redeliveries
    card = repr(bridge.card_of(numbers["fb"])["blocks"])
    assert "Facebook" in card and "Maria K." in card and "private reply possible for 6 d 23 h" in card
    assert f"https://www.facebook.com/{PAGE_ID}/posts/" in card and "https://www.facebook.com/5550001" in card
    dm_card = repr(bridge.card_of(numbers["dm"])["blocks"])
    assert "direct (private)" in dm_card and "24-hour messaging window" in dm_card and "Lena S." in dm_card
    assert "@ola" in repr(bridge.card_of(numbers["ig_dm"])["blocks"])  # the username Meta told us
    assert "on “Our new autumn range is in the shops now.” (<https://www.facebook.com/" in card
    ig_card = repr(bridge.card_of(numbers["ig"])["blocks"])
    assert "on “Autumn range, out now” (<https://www.instagram.com/p/" in ig_card  # the media it is on
    assert "Instagram" in ig_card and "https://www.instagram.com/tom.b/" in ig_card

    for key, text in [
        ("fb", "Sorry Maria, refunded today."),
        ("ig", "Refunded, Tom."),
        ("dm", "Refund done."),
        ("ig_dm", "Card refunded."),
    ]:
        draft_and_approve(bridge, numbers[key], text)
        assert bridge.rt.store.get(numbers[key]).state == State.POSTED, key

    replies = {(r["platform"], r["parent_id"]): r for r in meta.replies}
    assert len(replies) == 2
    assert replies[("facebook", fb["id"])]["message"] == "Sorry Maria, refunded today."
    assert replies[("instagram", ig["id"])]["text"] == "Refunded, Tom."
    sent = {s["recipient"]["id"]: s for s in meta.sent}
    assert len(meta.sent) == 2 and sent["24000000000001"]["message"]["text"] == "Refund done."
    assert sent["5614879045272581"]["messaging_type"] == "RESPONSE"
    assert bridge.rt.store.get(numbers["dm"]).reply_id.startswith("m_")


def test_an_expired_token_is_said_once_in_the_thread(bridge: LocalBridge) -> None:
    meta = graph(bridge)
    comment = meta.add_comment({"id": "5550006", "name": "Ida"}, REFUND)
    number = delivered(bridge, comment_delivery(comment), "facebook", comment["id"])
    meta.state.token_expired = True
    draft_and_approve(bridge, number, "Refunded today.")
    bridge.drain(include_scheduled=True)  # every retry fails the same way
    case = bridge.rt.store.get(number)
    thread = [m.get("text", "") for m in bridge.slack.thread(case.channel, case.card_ts)]
    said = [t for t in thread if "refused our credentials" in t]
    assert len(said) == 1 and "META_PAGE_ACCESS_TOKEN" in said[0] and meta.replies == []
    assert [e.action for e in bridge.rt.store.audit(number)].count("post_failed") > 1  # it was retried


def test_forged_deliveries_and_wrong_verify_token_are_refused(bridge: LocalBridge) -> None:
    comment = graph(bridge).add_comment({"id": "5550002", "name": "Eve"}, REFUND)
    payload = comment_delivery(comment)
    assert bridge.meta_webhook.post(payload, signed="sha256=" + "0" * 64) == 403
    assert bridge.meta_webhook.post(payload, unsigned=True) == 401
    assert bridge.meta_webhook.verify("not-our-token") == (403, "verification refused")
    assert bridge.meta_webhook.verify(VERIFY_TOKEN, "1158201444") == (200, "1158201444")
    assert bridge.meta_webhook.post(b"{not json") == 400  # signed, but no delivery: refused, not queued
    assert bridge.meta_webhook.post({"object": "page"}) == 400
    assert bridge.rt.queue.count == 0
    bridge.drain()
    assert bridge.rt.store.case_for_post("facebook", comment["id"]) is None


def test_private_reply_window_and_hide_with_confirmation(bridge: LocalBridge) -> None:
    meta = graph(bridge)
    old = meta.add_comment(
        {"id": "5550003", "name": "Ola"}, REFUND, created=datetime.now(UTC) - timedelta(days=8)
    )
    number = delivered(bridge, comment_delivery(old), "facebook", old["id"])
    refused = bridge.slash("U0EXP1", "C0BILLING", f"dm {number}").json()["text"]
    assert "no longer possible" in refused and "7 days" in refused
    bridge.drain()
    case = bridge.rt.store.get(number)
    assert case.draft_version == 0 and not case.pending_private  # nobody drafted it
    thread = [m.get("text", "") for m in bridge.slack.thread(case.channel, case.card_ts)]
    assert any("private reply" in t and "no longer possible" in t for t in thread)
    assert "private reply window closed" in repr(bridge.card_of(number)["blocks"])

    fresh = meta.add_comment({"id": "5550004", "name": "Ana"}, REFUND)
    second = delivered(bridge, comment_delivery(fresh), "facebook", fresh["id"])
    assert "Drafted" in bridge.slash("U0EXP1", "C0BILLING", f"dm {second}").json()["text"]
    bridge.drain()
    version = bridge.rt.store.get(second).draft_version
    bridge.click("U0APP1", second, ACTION_IDS["approve"], f"{second}:{version}")
    bridge.drain()
    assert [s["recipient"] for s in meta.sent] == [{"comment_id": fresh["id"]}]  # one private reply
    assert meta.replies == []  # nothing public
    assert bridge.rt.store.get(second).mode == "private"
    answer = meta.add_message("messenger", "5550004", "order 88231, card ending 4242", name="Ana")
    assert (
        delivered(bridge, message_delivery("messenger", answer), "facebook", f"dm:5550004:{answer['id']}")
        == second
    )
    draft_and_approve(bridge, second, "Thanks Ana, the second charge is refunded.")  # joined the case
    assert meta.sent[-1]["recipient"] == {"id": "5550004"} and meta.sent[-1]["messaging_type"] == "RESPONSE"
    assert bridge.rt.store.get(second).state == State.POSTED and len(meta.sent) == 2

    bridge.slash("U0SOC1", "C0SOCIAL", f"hide {number}")
    view = bridge.slack.calls_to("views.open")[-1].params["view"]
    assert view["callback_id"] == "confirm_action" and f"Reversible with `/bridge unhide {number}`" in repr(
        view
    )
    assert meta.hidden == set()  # nothing before the confirmation
    bridge.submit("U0SOC1", "confirm_action", view["private_metadata"], {})
    bridge.drain()
    assert meta.hidden == {old["id"]}
    actions = [e.action for e in bridge.rt.store.audit(number)]
    assert actions[-2:] == ["hide_requested", "hide_done"]

    bridge.slash("U0SOC1", "C0SOCIAL", f"block {number}")  # on Facebook: a ban from the Page
    view = bridge.slack.calls_to("views.open")[-1].params["view"]
    assert "Block @5550003, who wrote" in repr(view) and meta.banned == set()
    bridge.submit("U0SOC1", "confirm_action", view["private_metadata"], {})
    bridge.drain()
    assert meta.banned == {"5550003"}
    assert [e.action for e in bridge.rt.store.audit(number)][-2:] == ["block_requested", "block_done"]


def test_what_a_lost_webhook_missed_is_read_by_the_reconciliation_poll(bridge: LocalBridge) -> None:
    meta = graph(bridge)
    missed = meta.add_comment({"id": "5550005", "name": "Kai"}, REFUND)  # no delivery came
    message = meta.add_message(
        "messenger", "24000000000002", "I was charged twice for order 88240, refund please"
    )
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("facebook", missed["id"])
    assert number is not None and bridge.rt.store.case_for_post(
        "facebook", f"dm:24000000000002:{message['id']}"
    )
    cards = len(bridge.slack.calls_to("chat.postMessage"))
    assert bridge.meta_webhook.deliver(comment_delivery(missed), times=2) == [200, 200]  # late, twice
    bridge.poll()
    bridge.drain()
    assert len(bridge.slack.calls_to("chat.postMessage")) == cards  # still one card each
    assert bridge.rt.store.get(number).post_url.endswith(f"comment_id={missed['id'].split('_')[1]}")
    edited = comment_delivery(missed)
    edited["entry"][0]["changes"][0]["value"].update(verb="edited", message="refund still missing!!")
    bridge.meta_webhook.deliver(edited, times=2)
    bridge.drain()
    case = bridge.rt.store.get(number)
    thread = [m.get("text", "") for m in bridge.slack.thread(case.channel, case.card_ts)]
    assert sum("edited their post" in t for t in thread) == 1 and any(
        "refund still missing" in t for t in thread
    )


def test_the_facebook_demo_answers_each_customer_once_where_they_wrote() -> None:
    out = io.StringIO()
    assert run_meta_demo(out) == 0
    said = out.getvalue()
    assert "[bridge → facebook] reply under" in said and "[bridge → instagram] reply under" in said
    assert said.count("(RESPONSE)") == 2 and "Done: each answer went out once" in said


def test_the_crisis_statement_is_posted_on_the_page_and_instagram_says_why_not(
    redis_url: str, tmp_path: Path
) -> None:
    data = yaml.safe_load((ROOT / "playbooks" / "crisis-example.yml").read_text())
    playbook = tmp_path / "crisis.yml"
    playbook.write_text(yaml.safe_dump(data))
    with running_bridge(playbook, redis_url, tmp_path, clock=ManualClock(START), meta=True) as crisis_bridge:
        incident_id = approved_statement(crisis_bridge)
        crisis_bridge.drain()
        text = statement_text(crisis_bridge, incident_id)
        on_page = [p for p in graph(crisis_bridge).state.posts.values() if p["message"] == text]
        assert len(on_page) == 1 and on_page[0]["from"]["id"] == PAGE_ID
        found = crisis_bridge.rt.crisis.incidents.get(incident_id)
        assert found is not None and list(found.statement_urls) == ["x", "facebook"]
        assert found.statement_urls["facebook"].endswith(on_page[0]["id"].split("_")[1])
        fields = crisis_bridge.rt.crisis.incidents.records.get(incident_id)
        assert (
            fields.get("statement_refused_instagram") == "1"
        )  # Instagram posts need media: said, not posted
