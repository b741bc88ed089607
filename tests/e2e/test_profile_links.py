"""Cards link the author's handle to their profile page, a URL the adapter builds from the platform's
own data (never from what the customer wrote or their server declared)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from standins.harness import LocalBridge
from standins.teams_harness import LocalTeamsBridge
from tests.conftest import PLAYBOOK, running_bridge
from tests.e2e.test_concierge_loop import open_case
from tests.e2e.test_erasure import cli
from tests.e2e.test_mastodon_loop import open_case as open_mastodon_case
from tests.support.adaptive_cards import texts

pytestmark = pytest.mark.e2e


@pytest.fixture
def mastodon_bridge(redis_url: str, tmp_path: Path) -> Iterator[LocalBridge]:
    with running_bridge(PLAYBOOK, redis_url, tmp_path, mastodon=True) as running:
        yield running


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
