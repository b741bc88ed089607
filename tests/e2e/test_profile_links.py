"""Cards link the author's handle to their profile page, a URL the adapter builds from the platform's
own data (never from what the customer wrote or their server declared)."""

from __future__ import annotations

import pytest

from adapters.slack.cards import card_blocks
from standins.harness import LocalBridge
from standins.teams_harness import LocalTeamsBridge
from tests.e2e.test_concierge_loop import open_case
from tests.e2e.test_erasure import cli
from tests.e2e.test_mastodon_loop import open_case as open_mastodon_case
from tests.support.adaptive_cards import texts
from tests.unit.test_slack_cards import card as slack_card

pytestmark = pytest.mark.e2e


def test_an_x_card_links_the_handle_to_the_authors_profile(local_bridge: LocalBridge) -> None:
    number = open_case(local_bridge)
    card = repr(local_bridge.card_of(number)["blocks"])
    assert "*Maria K.* (<https://x.com/maria_k|@maria_k>)" in card
    assert local_bridge.rt.store.get(number).author_url == "https://x.com/maria_k"


def test_a_mastodon_card_links_the_handle_to_the_profile_on_our_instance(
    mastodon_bridge: LocalBridge,
) -> None:
    assert mastodon_bridge.mastodon is not None
    account = mastodon_bridge.mastodon.add_account("maria@remote.social", "Maria K.")
    account["url"] = "https://evil.example/phish"  # what a hostile server may declare for its user
    number, _ = open_mastodon_case(mastodon_bridge)
    card = repr(mastodon_bridge.card_of(number)["blocks"])
    base = mastodon_bridge.rt.settings.mastodon_base_url or ""
    assert f"*Maria K.* (<{base.rstrip('/')}/@maria@remote.social|@maria@remote.social>)" in card
    assert "evil.example" not in card


def test_a_teams_card_links_the_handle_to_the_authors_profile(teams: LocalTeamsBridge) -> None:
    number = open_case(teams)
    assert "**Maria K.** ([@maria\\_k](https://x.com/maria_k))" in texts(teams.card(number))


def test_forget_replaces_the_profile_link_whole(local_bridge: LocalBridge) -> None:
    number = open_case(local_bridge)
    done = cli(local_bridge, "forget", "@maria_k", "--by", "dpo@acme")
    assert done.returncode == 0, done.stderr
    case = local_bridge.rt.store.get(number)
    assert case.author_url == case.author_handle and case.author_url.startswith("[erased on ")
    local_bridge.drain()  # the card refresh the command queued
    assert "x.com/" not in local_bridge.card_of(number)["blocks"][1]["text"]["text"]


def author_line(author_url: str, author_name: str = "Maria K.") -> str:
    blocks = card_blocks(slack_card(author_url=author_url, author_name=author_name))
    return str(blocks[1]["text"]["text"])


def test_the_slack_author_line_escapes_the_name_once_and_links_only_plain_web_urls() -> None:
    assert author_line(author_name="Tom & Jerry <!here>", author_url="https://x.com/maria_k") == (
        "*Tom &amp; Jerry &lt;!here&gt;* (<https://x.com/maria_k|@maria_k>) · 1,200 followers"
    )
    for odd in ("javascript:alert(1)", "https://x.com/a|<!channel>", "https://x.com/a b", ""):
        assert "(@maria_k)" in author_line(odd), odd


def test_a_mastodon_post_link_is_our_instance_s_never_the_one_its_server_declares(
    mastodon_bridge: LocalBridge,
) -> None:
    stand_in = mastodon_bridge.mastodon
    assert stand_in is not None
    status = stand_in.add_mention("maria@remote.social", "my order never came, can you help?", name="Maria")
    status["url"] = "https://evil.example/phish"  # a hostile server may declare any address for its post
    mastodon_bridge.poll()
    mastodon_bridge.drain()
    number = mastodon_bridge.rt.store.case_for_post("mastodon", status["id"])
    assert number is not None
    card = repr(mastodon_bridge.card_of(number)["blocks"])
    base = (mastodon_bridge.rt.settings.mastodon_base_url or "").rstrip("/")
    assert mastodon_bridge.rt.store.get(number).post_url == f"{base}/@maria@remote.social/{status['id']}"
    assert "evil.example" not in card
