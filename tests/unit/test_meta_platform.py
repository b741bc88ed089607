"""The Facebook and Instagram platforms against the Graph API's stand-in over HTTP: the window rules
Meta enforces, answers whose outcome was lost, an Instagram @mention's text read from the Graph API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.meta.graph import GraphClient
from adapters.meta.ids import dm_id
from adapters.meta.platform import FacebookPlatform, InstagramPlatform
from bridge.domain.errors import Rejected
from standins.meta_graph import IG_ID, PAGE_ID, MetaGraphStandIn


def test_after_24_hours_a_message_goes_only_with_human_agent_where_the_page_has_it(
    meta: tuple[MetaGraphStandIn, GraphClient],
) -> None:
    standin, graph = meta
    late = standin.add_message(
        "messenger", "2401", "still waiting", created=datetime.now(UTC) - timedelta(hours=30)
    )
    target = dm_id("2401", late["id"])
    with pytest.raises(Rejected, match="within 24 hours"):
        FacebookPlatform(graph, PAGE_ID, PAGE_ID).reply(target, "Sorry for the wait.")
    assert standin.sent == []
    FacebookPlatform(graph, PAGE_ID, PAGE_ID, human_agent=True).reply(target, "Sorry for the wait.")
    assert [(s["messaging_type"], s.get("tag")) for s in standin.sent] == [("MESSAGE_TAG", "HUMAN_AGENT")]


def test_a_reply_whose_outcome_was_lost_is_found_and_an_earlier_one_is_not(
    meta: tuple[MetaGraphStandIn, GraphClient],
) -> None:
    standin, graph = meta
    page = FacebookPlatform(graph, PAGE_ID, PAGE_ID)
    comment = standin.add_comment({"id": "5550001", "name": "Maria"}, "refund?")
    first = page.reply(comment["id"], "Looking into it.")
    assert page.find_reply(comment["id"], newer_than=first.id) is None  # our earlier answer does not count
    standin.fail_next(2, "Service temporarily unavailable", status=500, after_write=True)
    with pytest.raises(Exception, match="temporarily"):
        page.reply(comment["id"], "Refunded today.")
    found = page.find_reply(comment["id"], newer_than=first.id)
    assert found is not None and found.id == standin.replies[-1]["id"] and "comment_id=" in found.url


def test_one_private_reply_per_comment_and_a_lost_one_is_found(
    meta: tuple[MetaGraphStandIn, GraphClient],
) -> None:
    standin, graph = meta
    page = FacebookPlatform(graph, PAGE_ID, PAGE_ID)
    comment = standin.add_comment({"id": "5550002", "name": "Ana"}, "my card was charged twice")
    assert page.find_private_reply(comment["id"]) is None
    page.private_reply(comment["id"], "We have written to you privately.")
    with pytest.raises(Rejected) as again:
        page.private_reply(comment["id"], "Twice?")
    assert again.value.duplicate  # Meta refuses a second one (10900)
    assert page.find_private_reply(comment["id"]) is not None


def test_an_instagram_mention_is_read_through_mentioned_comment(
    meta: tuple[MetaGraphStandIn, GraphClient],
) -> None:
    standin, graph = meta
    comment = standin.add_comment(
        {"id": "178400", "username": "lena"}, "@acmehelp my order?", platform="instagram"
    )
    found = InstagramPlatform(graph, PAGE_ID, IG_ID, "acmehelp").mentioned_comment(comment["id"])
    assert (found["text"], found["username"]) == ("@acmehelp my order?", "lena")
    assert found["media"]["permalink"].startswith("https://www.instagram.com/p/")
