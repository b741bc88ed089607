"""The Slack Web API stand-in, driven by the real slack_sdk WebClient over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from standins.server import BackgroundServer
from standins.slack_api import DEFAULT_BOT_TOKEN, SlackStandIn

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "slack" / "web-api-examples"
CARD = [{"type": "section", "text": {"type": "mrkdwn", "text": "*#1042* refund not received"}}]


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[SlackStandIn, BackgroundServer]]:
    slack = SlackStandIn()
    with BackgroundServer(slack.app) as server:
        yield slack, server


@pytest.fixture
def slack(served: tuple[SlackStandIn, BackgroundServer]) -> SlackStandIn:
    served[0].reset()
    return served[0]


@pytest.fixture
def client(served: tuple[SlackStandIn, BackgroundServer], slack: SlackStandIn) -> WebClient:
    return WebClient(token=DEFAULT_BOT_TOKEN, base_url=SlackStandIn.api_url(served[1].url))


def _error(call: Any) -> tuple[int, str]:
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value.response.status_code, raised.value.response["error"]


def test_auth_test_names_the_configured_bot_user() -> None:
    slack = SlackStandIn(bot_user_id="UCUSTOMBOT", bot_token="xoxb-other")
    with BackgroundServer(slack.app) as server:
        answer = WebClient(token="xoxb-other", base_url=slack.api_url(server.url)).auth_test()
    assert (answer["user_id"], answer["bot_id"], answer["team_id"]) == (
        "UCUSTOMBOT",
        "BBRIDGEBOT",
        "T0BRIDGE01",
    )


def test_post_message_answers_with_unique_increasing_ts_and_stores_the_card(
    slack: SlackStandIn, client: WebClient
) -> None:
    first = client.chat_postMessage(channel="C0BILLING", text="#1042", blocks=CARD)
    second = client.chat_postMessage(channel="C0BILLING", text="#1043")
    assert first["ts"] == "1700000000.000100"
    assert float(second["ts"]) > float(first["ts"])
    assert first["channel"] == "C0BILLING"
    assert first["message"]["blocks"] == CARD and first["message"]["user"] == "UBRIDGEBOT"
    stored = slack.messages["C0BILLING"]
    assert [m["text"] for m in stored] == ["#1042", "#1043"]
    assert stored[0]["blocks"] == CARD and stored[0]["thread_ts"] is None


def test_thread_holds_only_the_replies_to_a_card(slack: SlackStandIn, client: WebClient) -> None:
    card = client.chat_postMessage(channel="C0BILLING", text="card")
    client.chat_postMessage(channel="C0BILLING", text="claimed by Ana", thread_ts=card["ts"])
    person_ts = slack.add_message("C0BILLING", "draft: refund sent", user="U0EXPERT1", thread_ts=card["ts"])
    client.chat_postMessage(channel="C0BILLING", text="other card")
    replies = slack.thread("C0BILLING", card["ts"])
    assert [(r["text"], r["user"]) for r in replies] == [
        ("claimed by Ana", "UBRIDGEBOT"),
        ("draft: refund sent", "U0EXPERT1"),
    ]
    assert replies[1]["ts"] == person_ts
    parent = slack.find_message("C0BILLING", card["ts"])
    assert parent is not None and parent["reply_count"] == 2


def test_update_changes_the_card_in_place_and_counts_edits(slack: SlackStandIn, client: WebClient) -> None:
    card = client.chat_postMessage(channel="C0BILLING", text="new", blocks=CARD)
    answer = client.chat_update(channel="C0BILLING", ts=card["ts"], text="claimed")
    client.chat_update(channel="C0BILLING", ts=card["ts"], text="approved")
    assert answer["ts"] == card["ts"] and answer["text"] == "claimed"
    [stored] = slack.messages["C0BILLING"]
    assert (stored["text"], stored["edits"], stored["blocks"]) == ("approved", 2, CARD)


def test_update_refuses_unknown_messages_and_other_peoples_messages(
    slack: SlackStandIn, client: WebClient
) -> None:
    person_ts = slack.add_message("C0BILLING", "hi", user="U0EXPERT1")
    assert _error(lambda: client.chat_update(channel="C0BILLING", ts="1.000001", text="x")) == (
        200,
        "message_not_found",
    )
    assert _error(lambda: client.chat_update(channel="C0BILLING", ts=person_ts, text="x")) == (
        200,
        "cant_update_message",
    )


def test_post_without_text_or_blocks_is_refused(client: WebClient) -> None:
    assert _error(lambda: client.api_call("chat.postMessage", json={"channel": "C0BILLING"})) == (
        200,
        "no_text",
    )


def test_wrong_or_missing_token_is_refused_like_slack(served: tuple[SlackStandIn, BackgroundServer]) -> None:
    slack, server = served
    wrong = WebClient(token="xoxb-wrong", base_url=slack.api_url(server.url))
    missing = WebClient(base_url=slack.api_url(server.url))
    assert _error(lambda: wrong.chat_postMessage(channel="C1", text="x")) == (200, "invalid_auth")
    assert _error(missing.auth_test) == (200, "not_authed")
    assert slack.calls_to("chat.postMessage")[-1].token == "xoxb-wrong"


def test_unknown_method_answers_200_unknown_method(client: WebClient) -> None:
    assert _error(lambda: client.api_call("chat.teleport")) == (200, "unknown_method")


def test_rate_limited_post_is_retried_once_by_slack_sdk_and_posted_once(
    served: tuple[SlackStandIn, BackgroundServer], slack: SlackStandIn
) -> None:
    client = WebClient(
        token=DEFAULT_BOT_TOKEN,
        base_url=slack.api_url(served[1].url),
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    slack.fail_next("chat.postMessage", status=429, retry_after=0)
    answer = client.chat_postMessage(channel="C0BILLING", text="#1042")
    assert answer["ok"] is True
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]
    assert len(slack.messages["C0BILLING"]) == 1
    assert slack.pending_faults() == 0


def test_rate_limit_answer_carries_retry_after_and_ratelimited(
    slack: SlackStandIn, client: WebClient
) -> None:
    slack.fail_next("chat.update", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        client.chat_update(channel="C0BILLING", ts="1.1", text="x")
    response = raised.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.data == {"ok": False, "error": "ratelimited"}


def test_injected_api_error_and_server_error_fail_only_the_next_call(
    slack: SlackStandIn, client: WebClient
) -> None:
    slack.fail_next("chat.postMessage", error="channel_not_found")
    slack.fail_next("users.info", status=500, times=2)
    assert _error(lambda: client.chat_postMessage(channel="C0GONE", text="x")) == (200, "channel_not_found")
    assert client.chat_postMessage(channel="C0GONE", text="x")["ok"] is True
    assert _error(lambda: client.users_info(user="U0EXPERT1"))[0] == 500
    assert _error(lambda: client.users_info(user="U0EXPERT1"))[0] == 500
    assert client.users_info(user="U0EXPERT1")["user"]["id"] == "U0EXPERT1"


def test_bot_must_join_a_channel_it_is_not_in_before_posting(slack: SlackStandIn, client: WebClient) -> None:
    slack.add_channel("C0LEGAL", "legal", is_member=False)
    assert _error(lambda: client.chat_postMessage(channel="C0LEGAL", text="x")) == (200, "not_in_channel")
    joined = client.conversations_join(channel="C0LEGAL")
    assert joined["channel"]["is_member"] is True and "warning" not in joined
    assert client.conversations_info(channel="C0LEGAL")["channel"]["name"] == "legal"
    assert client.chat_postMessage(channel="#legal", text="x")["channel"] == "C0LEGAL"


def test_ephemeral_message_reaches_only_the_named_person(slack: SlackStandIn, client: WebClient) -> None:
    answer = client.chat_postEphemeral(
        channel="C0BILLING", user="U0EXPERT1", text="Ben already claimed #1042"
    )
    assert answer["message_ts"]
    assert slack.ephemerals[0]["user"] == "U0EXPERT1"
    assert "C0BILLING" not in slack.messages


def test_permalink_points_at_the_message_and_its_thread(client: WebClient) -> None:
    card = client.chat_postMessage(channel="C0BILLING", text="card")
    reply = client.chat_postMessage(channel="C0BILLING", text="r", thread_ts=card["ts"])
    top = client.chat_getPermalink(channel="C0BILLING", message_ts=card["ts"])["permalink"]
    nested = client.chat_getPermalink(channel="C0BILLING", message_ts=reply["ts"])["permalink"]
    assert top == "https://example.slack.com/archives/C0BILLING/p1700000000000100"
    assert nested.endswith(f"?thread_ts={card['ts']}&cid=C0BILLING")


def test_views_open_push_update_publish(slack: SlackStandIn, client: WebClient) -> None:
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Route #1042"}, "blocks": []}
    opened = client.views_open(trigger_id="123.456", view=modal)["view"]
    pushed = client.views_push(trigger_id="123.457", view=modal)["view"]
    changed = {**modal, "title": {"type": "plain_text", "text": "Routed"}}
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=changed)["view"]
    home = client.views_publish(user_id="U0EXPERT1", view={"type": "home", "blocks": []})["view"]
    assert opened["id"] != pushed["id"] and updated["id"] == opened["id"]
    assert slack.views[opened["id"]]["title"]["text"] == "Routed"
    assert home["type"] == "home" and slack.home_views["U0EXPERT1"]["id"] == home["id"]
    assert _error(lambda: client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)) == (
        200,
        "hash_conflict",
    )
    assert _error(lambda: client.views_open(trigger_id="", view=modal)) == (200, "invalid_arguments")


def test_users_info_and_reactions(slack: SlackStandIn, client: WebClient) -> None:
    slack.add_user("U0EXPERT1", "ana", real_name="Ana Lima", email="ana@example.com")
    assert client.users_info(user="U0EXPERT1")["user"]["real_name"] == "Ana Lima"
    assert _error(lambda: client.users_info(user="nobody")) == (200, "user_not_found")
    card = client.chat_postMessage(channel="C0BILLING", text="card")
    client.reactions_add(channel="C0BILLING", timestamp=card["ts"], name="eyes")
    assert _error(lambda: client.reactions_add(channel="C0BILLING", timestamp=card["ts"], name="eyes")) == (
        200,
        "already_reacted",
    )
    assert slack.messages["C0BILLING"][0]["reactions"] == [
        {"name": "eyes", "users": ["UBRIDGEBOT"], "count": 1}
    ]


def test_blocks_are_recorded_decoded_whether_sent_as_form_or_json(
    slack: SlackStandIn, client: WebClient
) -> None:
    client.api_call("chat.postMessage", data={"channel": "C1", "text": "f", "blocks": json.dumps(CARD)})
    client.api_call("chat.postMessage", json={"channel": "C1", "text": "j", "blocks": CARD})
    form, body = slack.calls_to("chat.postMessage")
    assert form.params["blocks"] == body.params["blocks"] == CARD
    assert "token" not in form.params and form.token == DEFAULT_BOT_TOKEN
    assert [m["blocks"] for m in slack.messages["C1"]] == [CARD, CARD]


def test_reset_forgets_messages_calls_and_faults(slack: SlackStandIn, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="x")
    slack.fail_next("auth.test", error="account_inactive")
    slack.reset()
    assert (slack.messages, slack.calls, slack.pending_faults()) == ({}, [], 0)
    assert client.auth_test()["ok"] is True
    assert client.chat_postMessage(channel="C1", text="x")["ts"] == "1700000000.000100"


def _example(method: str) -> dict[str, Any]:
    if not EXAMPLES.is_dir():
        pytest.skip(f"Slack's recorded examples are absent ({EXAMPLES})")
    recorded = json.loads((EXAMPLES / f"{method}.json").read_text())
    return next(body for key, body in recorded.items() if key.endswith(" 200"))


@pytest.mark.parametrize(
    ("method", "call"),
    [
        ("auth.test", lambda c, ts: c.auth_test()),
        ("chat.postMessage", lambda c, ts: c.chat_postMessage(channel="C1", text="x")),
        ("chat.update", lambda c, ts: c.chat_update(channel="C1", ts=ts, text="y")),
        ("chat.getPermalink", lambda c, ts: c.chat_getPermalink(channel="C1", message_ts=ts)),
        ("chat.postEphemeral", lambda c, ts: c.chat_postEphemeral(channel="C1", user="U0X", text="x")),
        ("reactions.add", lambda c, ts: c.reactions_add(channel="C1", timestamp=ts, name="eyes")),
        ("users.info", lambda c, ts: c.users_info(user="U0X")),
        ("conversations.info", lambda c, ts: c.conversations_info(channel="C1")),
        ("views.open", lambda c, ts: c.views_open(trigger_id="1.2", view={"type": "modal", "blocks": []})),
    ],
)
def test_answers_carry_every_top_level_key_of_slacks_documented_example(
    slack: SlackStandIn, client: WebClient, method: str, call: Any
) -> None:
    example = _example(method)
    ts = client.chat_postMessage(channel="C1", text="seed")["ts"]
    answer = call(client, ts).data
    assert set(example) <= set(answer)
    for key in ("message", "channel", "user", "view"):
        if isinstance(example.get(key), dict):
            shared = {
                "type",
                "text",
                "ts",
                "user",
                "id",
                "name",
                "is_member",
                "blocks",
                "state",
                "root_view_id",
            }
            assert set(example[key]) & shared <= set(answer[key])
