"""A hostile customer through the whole loop, in Slack and in Teams: afterwards, every payload the bridge
sent (every Web API call, every Bot Connector activity, every answer to a click or a command) is walked,
and none may carry the customer's words live: no mention, broadcast, link, markup or template.

The walk reads each string where the platform renders it (Slack mrkdwn, Teams markdown, plain text
such as a notification summary) and skips what people never see rendered (metadata, input values).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from adapters.slack.cards import ACTION_IDS
from standins.harness import Answer, LocalBridge
from standins.teams_harness import PEOPLE, LocalTeamsBridge
from tests.e2e.test_concierge_loop import open_case

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
SLACK_UNRENDERED = {"private_metadata", "value", "initial_value", "action_id", "block_id", "callback_id"}

# Teams: what Adaptive Card markdown (and a markdown message) would render live: in a code block only
# tags and people (a mention entity is matched by its <at> tag), elsewhere markdown, links and templates.
TEAMS_LIVE_IN_CODE = re.compile(r"(?i)ZZ(?:<at>|\*\*)|<at>(?:Dana|Ann</at>)|<b>html|<script|```")
TEAMS_LIVE = re.compile(
    TEAMS_LIVE_IN_CODE.pattern + r"|(?<!\\)\]\(https?:[^)]*evil|https?://evil|www\.evil|evil\.example"
    r"|\{\{DATE\(2017|(?<![\\*])\*bold(?<!\\)\*"
)
# A notification summary is plain text: it shows escapes and joiners as they are.
SUMMARY_NOISE = re.compile(r"\\[\[\]_*<>`~#&|]|\u2060")
TEAMS_UNRENDERED = {"data", "id", "verb", "userIds", "value", "placeholder", "replyToId"}


def slack_strings(node: Any, *, verbatim: bool = False, fallback: bool = False) -> Iterator[tuple[str, bool]]:
    """Every string Slack renders as mrkdwn in ``node``, with whether a bare URL there becomes a link."""
    if isinstance(node, dict):
        if node.get("type") == "plain_text":
            return
        verbatim = bool(node.get("verbatim")) if node.get("type") == "mrkdwn" else verbatim
        has_blocks = bool(node.get("blocks"))
        for key, value in node.items():
            if key in SLACK_UNRENDERED:
                continue
            if isinstance(value, str):
                if key == "text":
                    yield value, not (verbatim or fallback or has_blocks)
            else:
                yield from slack_strings(value, verbatim=verbatim, fallback=fallback)
    elif isinstance(node, list):
        for item in node:
            yield from slack_strings(item, verbatim=verbatim, fallback=fallback)


def slack_problems(payloads: list[Any]) -> list[str]:
    problems = []
    for payload in payloads:
        for text, links in slack_strings(payload):
            if SLACK_LIVE.search(text) or (links and BARE_URL.search(text)):
                problems.append(text)
    return problems


def teams_strings(node: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every string a Teams client shows, with how: "markdown" or "plain"."""
    if isinstance(node, dict):
        plain = node.get("type") in ("TextRun", "Input.Text") or node.get("textFormat") == "plain"
        for name, value in node.items():
            if name in TEAMS_UNRENDERED:
                continue
            if isinstance(value, str):
                if name == "summary" or (name in ("title", "text") and plain):
                    yield value, "plain"
                elif name in ("text", "title") and not node.get("type", "").startswith("Action"):
                    yield value, "markdown"
            else:
                yield from teams_strings(value, name)
    elif isinstance(node, list):
        for item in node:
            yield from teams_strings(item, key)


def teams_problems(payloads: list[Any]) -> list[str]:
    problems = []
    for payload in payloads:
        for text, how in teams_strings(payload):
            if how == "markdown" and any(
                (TEAMS_LIVE_IN_CODE if n % 2 else TEAMS_LIVE).search(part)
                for n, part in enumerate(text.split("```"))
            ):
                problems.append(text)
            if how == "plain" and SUMMARY_NOISE.search(text):
                problems.append("plain text with markdown escapes: " + text)
    return problems


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
    problems = slack_problems(sent + answers)
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
    problems = teams_problems(sent + answers)
    assert not problems, "\n--\n".join(problems)


def test_a_teams_card_notification_reads_as_the_customer_wrote(teams: LocalTeamsBridge) -> None:
    """A notification shows ``summary`` as plain text: no markdown escapes, no invisible joiners."""
    said = "@AcmeHelp [click] I was charged twice for *order* 88231 at www.acme.example, refund please"
    number = open_case(teams, said, "dana_b")
    assert teams.card_message(number)["summary"] == f"Case #{number} from @dana_b: {said}"
