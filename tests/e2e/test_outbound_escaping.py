"""A hostile customer through the whole loop, in Slack and in Teams: afterwards, every payload the bridge
sent (every Web API call, every Bot Connector activity, every answer to a click or a command) is walked,
and none may carry the customer's words live: no mention, broadcast, link, markup or template.

How a payload is walked: :mod:`tests.support.outbound`.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from adapters.slack.cards import ACTION_IDS
from standins.harness import Answer, LocalBridge
from standins.teams_harness import PEOPLE, LocalTeamsBridge
from tests.e2e.test_concierge_loop import open_case
from tests.support.outbound import slack_problems, teams_problems

pytestmark = pytest.mark.e2e

ANN_AAD = PEOPLE["ann"].aad  # a Teams approver: a customer writing her token must not ping her
HOSTILE = (
    "@AcmeHelp I was charged twice for order 88231, I need a refund, please help! ZZ<@U0CEO99>ZZ ZZ<@"
    + ANN_AAD
    + ">ZZ <!channel> <!here> <!everyone> "
    "@everyone @channel <https://evil.example/slack|click> *bold* _it_ ~gone~ `code` "
    "[click](https://evil.example/md) <at>Dana</at> <b>html</b> <script>alert(1)</script> "
    "www.evil.example mail me: dana@evil.example {{DATE(2017-02-14T06:08:39Z, SHORT)}} "
    "# heading\n> quoted\n1. listed\nzero\u200bwidth\u2060joiner. Where is my refund?"
)
FOLLOW_UP = (
    "@AcmeHelp still nothing ZZ<@U0CEO99>ZZ ZZ<@"
    + ANN_AAD
    + ">ZZ <!here> [again](https://evil.example/2) <at>Ann</at>"
)

# Slack: the markup that is live wherever Slack renders mrkdwn (even in a notification's fallback text).
SLACK_LIVE = re.compile(r"<@U0CEO99|<!(?:channel|here|everyone)|<https?://evil|\|click>|<mailto:|ZZ<@")
# Slack turns a bare address into a link unless the text object is ``verbatim``.
BARE_URL = re.compile(r"(?i)evil\.example")

# Teams: what Adaptive Card markdown (and a markdown message) would render live: in a code block only
# tags and people (a mention entity is matched by its <at> tag), elsewhere markdown, links and templates.
TEAMS_LIVE_IN_CODE = re.compile(r"(?i)ZZ(?:<at>|\*\*)|<at>(?:Dana|Ann</at>)|<b>html|<script|```")
TEAMS_LIVE = re.compile(
    TEAMS_LIVE_IN_CODE.pattern + r"|(?<!\\)\]\(https?:[^)]*evil|https?://evil|www\.evil|evil\.example"
    r"|\{\{DATE\(2017|(?<![\\*])\*bold(?<!\\)\*"
)


def answered(answer: Answer, into: list[Any]) -> Answer:
    """Keep what the bridge answered a request with: it is outbound too (an ephemeral, a card)."""
    assert answer.status == 200, answer.text
    if answer.text:
        into.append(answer.json())
    return answer


def test_no_slack_payload_carries_a_customers_words_live(local_bridge: LocalBridge) -> None:
    bridge, answers = local_bridge, list[Any]()
    number = open_case(bridge, HOSTILE, handle="dana_b")
    post = bridge.rt.store.get(number).post_id
    bridge.x.add_mention(FOLLOW_UP, author_handle="dana_b", in_reply_to=post)
    bridge.poll()
    bridge.drain()
    home = {"type": "app_home_opened", "user": "U0EXP1", "tab": "home", "channel": "D0HOME"}
    answered(bridge.send_event(home), answers)
    answered(bridge.click("U0EXP1", number, ACTION_IDS["claim"]), answers)
    answered(bridge.click("U0EXP1", number, ACTION_IDS["draft"]), answers)
    answered(bridge.reply_in_thread("U0EXP1", number, "Hi @dana_b, refunded today.")[0], answers)
    bridge.drain()
    for command in (f"status {number}", "queue", "queue billing", f"hide {number}"):
        answered(bridge.slash("U0SOC1", "C0SOCIAL", command), answers)
    answered(bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1"), answers)
    bridge.drain()
    reply_id = bridge.rt.store.get(number).reply_id
    bridge.x.add_mention(FOLLOW_UP + " reopen", author_handle="dana_b", in_reply_to=reply_id)
    bridge.poll()
    bridge.drain()
    answered(bridge.slash("U0SOC1", "C0SOCIAL", f"status {number}"), answers)
    answered(bridge.send_event(home), answers)
    bridge.drain()
    sent = bridge.slack.outbound_payloads()
    assert bridge.slack.calls_to("views.publish") and bridge.slack.calls_to("views.open")
    assert "ZZ&lt;@U0CEO99&gt;ZZ" in repr(sent), "the customer's words are shown, inert"
    problems = slack_problems(sent + answers, SLACK_LIVE, BARE_URL)
    assert not problems, "\n--\n".join(problems)


def test_no_teams_payload_carries_a_customers_words_live(teams: LocalTeamsBridge) -> None:
    answers: list[Any] = []
    number = open_case(teams, HOSTILE, handle="dana_b")
    post = teams.rt.store.get(number).post_id
    teams.x.add_mention(FOLLOW_UP, author_handle="dana_b", in_reply_to=post)
    teams.poll()
    teams.drain()
    answered(teams.execute("erin", number, "case_claim"), answers)
    answered(teams.execute("erin", number, "case_draft_open"), answers)
    answered(teams.reply("erin", number, "Hi @dana_b, refunded today.")[0], answers)
    teams.drain()
    for command in (f"status {number}", "queue", "queue billing", f"hide {number}"):
        answered(teams.mention("sam", command), answers)
    teams.drain()
    data = {"case": number, "version": 1}
    answered(teams.execute("ann", number, "preview_refresh", data), answers)
    answered(teams.execute("ann", number, "draft_approve", data), answers)
    teams.drain()
    reply_id = teams.rt.store.get(number).reply_id
    teams.x.add_mention(FOLLOW_UP + " reopen", author_handle="dana_b", in_reply_to=reply_id)
    teams.poll()
    teams.drain()
    answered(teams.mention("sam", f"status {number}"), answers)
    teams.drain()
    sent = teams.connector.outbound_payloads()
    assert any("summary" in p for p in sent)
    assert "U0CEO99" in repr(sent), "the customer's words are shown, inert"
    problems = teams_problems(sent + answers, TEAMS_LIVE, TEAMS_LIVE_IN_CODE)
    assert not problems, "\n--\n".join(problems)


def test_a_teams_card_notification_reads_as_the_customer_wrote(teams: LocalTeamsBridge) -> None:
    """A notification shows ``summary`` as plain text: no markdown escapes, no invisible joiners."""
    said = "@AcmeHelp [click] I was charged twice for *order* 88231 at www.acme.example, refund please"
    number = open_case(teams, said, "dana_b")
    assert teams.card_message(number)["summary"] == f"Case #{number} from @dana_b: {said}"
