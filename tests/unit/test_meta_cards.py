"""The post a Facebook or Instagram comment is on, as Slack and Teams cards show it: its words inert,
its link live only when it is a plain web address."""

from __future__ import annotations

import json

from adapters.slack.cards import card_blocks
from adapters.teams.cards import case_card
from tests.unit.test_slack_cards import all_text, card
from tests.unit.test_teams_cards import view

HOSTILE = "<!channel> sale at https://evil.example [x](https://evil.example) *now*"


def test_slack_shows_the_post_a_comment_is_on_inert() -> None:
    text = all_text(
        card_blocks(
            card(platform="facebook", on_post=HOSTILE, on_post_url="https://www.facebook.com/1/posts/2")
        )
    )
    assert "on “&lt;!channel&gt; sale at https://evil.example" in text
    assert "(<https://www.facebook.com/1/posts/2|open>)" in text and "<!channel>" not in text
    forged = all_text(
        card_blocks(card(platform="facebook", on_post="hi", on_post_url="https://x.example|<!here>"))
    )
    assert "<!here>" not in forged and "on “hi”" in forged


def test_teams_shows_the_post_a_comment_is_on_inert() -> None:
    shown = json.dumps(
        case_card(
            view(platform="instagram", on_post=HOSTILE, on_post_url="https://www.instagram.com/p/C1/"),
            name_of=str,
        )
    )
    assert "[open](https://www.instagram.com/p/C1/)" in shown
    assert "sale at" in shown and "](https://evil.example)" not in shown and "Instagram mention" in shown
