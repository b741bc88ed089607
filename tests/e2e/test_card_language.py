"""The card says the post's language, and a post in a language the sentiment model does not read says
"sentiment unknown", never a score of 0.00 (Slack and Teams, end to end against the stand-ins)."""

from __future__ import annotations

import pytest

from standins.harness import LocalBridge
from standins.teams_harness import LocalTeamsBridge
from tests.e2e.test_concierge_loop import open_case
from tests.support.adaptive_cards import texts

pytestmark = pytest.mark.e2e

GERMAN = (
    "@AcmeHelp Mir wurde die Bestellung 88231 doppelt berechnet, was soll ich jetzt tun? Rückerstattung bitte"
)
ENGLISH = "@AcmeHelp I was charged twice for order 88231, this is terrible, I need a refund"


def open_german_case(bridge: LocalBridge) -> int:
    """A German post, as X labels it."""
    post_id = bridge.x.add_mention(GERMAN, author_handle="kai_m", author_name="Kai M.", lang="de")
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post_id)
    assert number is not None
    return number


def test_a_german_post_shows_its_language_and_sentiment_unknown_on_the_slack_card(
    local_bridge: LocalBridge,
) -> None:
    number = open_german_case(local_bridge)
    shown = repr(local_bridge.card_of(number)["blocks"])
    assert "service issue · language de · sentiment unknown" in shown and "0.00" not in shown
    [triaged] = [e for e in local_bridge.rt.store.audit(number) if e.action == "triaged"]
    assert triaged.fields["sentiment"] == "unknown" and triaged.fields["polarity"] == "unknown"

    english = open_case(local_bridge, ENGLISH, "maria_k")
    shown = repr(local_bridge.card_of(english)["blocks"])
    assert "language en" in shown and "negative (-0." in shown


def test_the_teams_card_says_the_language_and_sentiment_unknown(teams: LocalTeamsBridge) -> None:
    number = open_german_case(teams)
    shown = texts(teams.card(number))
    assert "service issue · language de · sentiment unknown" in shown
