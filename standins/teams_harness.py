"""The whole bridge with Microsoft Teams on one machine: :class:`~standins.harness.LocalBridge` plus a
Bot Connector stand-in, and the bot's real ``/api/messages`` driven with the activities Teams sends.

Activities carry ``serviceUrl`` = the stand-in, so everything the bridge sends goes there through
botbuilder's own client. With ``app_id`` set the bridge runs authenticated: the stand-in then demands
tokens from its own token endpoint, and ``/api/messages`` demands a Bot Framework token.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

import requests

from adapters.teams.app import build_chat, messages_route
from adapters.teams.credentials import TokenEndpointCredentials
from adapters.teams.http import authentication
from bridge.app import runtime
from bridge.app.settings import Settings
from bridge.app.web import create_app
from bridge.wiring import build, web_routes
from standins.bot_auth import BotAuthStandIn
from standins.bot_connector import BotConnectorStandIn
from standins.harness import BOT_TOKEN, X_TOKENS, Answer, LocalBridge
from standins.server import BackgroundServer

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
TEAM = "19:acme-team@thread.tacv2"
BOT = "28:00000000-0000-4000-8000-0000000b0771"
BOT_NAME = "Bridge"
#: The channels of the test team, (id, name); General's id is the team's.
CHANNELS = [
    (TEAM, "General"),
    ("19:social-desk@thread.tacv2", "Social desk"),
    ("19:billing@thread.tacv2", "Billing"),
    ("19:logistics@thread.tacv2", "Logistics"),
]


@dataclass(frozen=True)
class Person:
    aad: str  # the Entra object id the playbook lists
    account: str  # the per-app Teams account id
    name: str


def _person(tag: str, name: str) -> Person:
    return Person(f"00000000-0000-4000-8000-0000000{tag}", f"29:{tag}-account", name)


PEOPLE = {
    "erin": _person("0e001", "Erin Expert"),
    "eddie": _person("0e002", "Eddie Expert"),
    "ann": _person("0a001", "Ann Approver"),
    "sam": _person("05001", "Sam Social"),
    "sue": _person("05002", "Sue Social"),
    "lou": _person("01001", "Lou Logistics"),
}


class LocalTeamsBridge(LocalBridge):
    def __init__(
        self, *, app_id: str = "", app_password: str = "", with_slack: bool = True, **options: Any
    ) -> None:
        """``with_slack=False`` runs Teams alone (no Slack settings), as a Teams-only deployment does;
        ``options`` (playbook, redis_url, clock, x_main_account …) are :class:`LocalBridge`'s."""
        super().__init__(**options)
        self.app_id = app_id
        self.with_slack = with_slack
        self.app_password = app_password
        self.auth = BotAuthStandIn(client_id=app_id, client_secret=app_password) if app_id else None
        self.connector = BotConnectorStandIn(auth=self.auth)
        members = [
            {"id": p.account, "objectId": p.aad, "name": p.name, "tenantId": TENANT} for p in PEOPLE.values()
        ]
        self.connector.add_team(TEAM, CHANNELS, members)
        self.service_url = ""
        self.last_thread = ""
        self._ids = itertools.count(int(time.time() * 1000) + 10_000_000)

    def start(self) -> LocalTeamsBridge:
        slack_server = BackgroundServer(self.slack.app).start()
        x_server = BackgroundServer(self.x.app).start()
        connector_server = BackgroundServer(self.connector.app).start()
        self._servers += [slack_server, x_server, connector_server]
        self.service_url = BotConnectorStandIn.service_url(connector_server.url)
        if self.auth is not None:
            self.auth.base_url = connector_server.url
        settings = Settings(
            redis_url=self.redis_url,
            bridge_data_dir=self.data_dir,
            bridge_playbook=self.playbook,
            bridge_queue=f"bridge-{self.run_id}",
            bridge_key_prefix=f"bridge-{self.run_id}:",
            bridge_channel_interval_ms=0,
            slack_bot_token=BOT_TOKEN if self.with_slack else None,
            slack_signing_secret=self.signing_secret if self.with_slack else None,
            slack_api_url=slack_server.url + "/api/",
            x_api_url=x_server.url,
            teams_local=not self.app_id,
            teams_app_id=self.app_id or None,
            teams_app_password=self.app_password or None,
            teams_tenant_id=TENANT if self.app_id else None,
            teams_conversation_interval_ms=0,
            **X_TOKENS,
            **self.x_main,
        )
        self.rt = build(settings, self.clock)
        routes = web_routes(self.rt)
        if self.auth is not None:  # tokens and signing keys from the stand-in instead of Microsoft's
            credentials = TokenEndpointCredentials(
                self.app_id, self.app_password, self.auth.token_url(), TENANT
            )
            self.rt.chats["teams"] = build_chat(self.rt, credentials)
            checking = authentication(settings, openid_metadata_url=self.auth.openid_url())
            routes = [r for r in routes if r[1] != "/api/messages"]
            routes.append(("POST", "/api/messages", messages_route(self.rt, checking)))
        runtime.install(self.rt)
        self.web = BackgroundServer(create_app(self.rt, routes)).start()
        self._servers.append(self.web)
        return self

    def __enter__(self) -> LocalTeamsBridge:
        return self.start()

    # activities as Teams sends them ------------------------------------------------------------------
    def next_id(self) -> str:
        return str(next(self._ids))

    def activity(self, kind: str, who: str, conversation: str, **fields: Any) -> dict[str, Any]:
        person = PEOPLE[who]
        channel = conversation.partition(";messageid=")[0]
        in_channel = channel.startswith("19:")
        body: dict[str, Any] = {
            "type": kind,
            "id": self.next_id(),
            "timestamp": "2025-01-06T09:00:00.000Z",
            "channelId": "msteams",
            "serviceUrl": self.service_url,
            "from": {"id": person.account, "name": person.name, "aadObjectId": person.aad},
            "conversation": {
                "isGroup": in_channel,
                "conversationType": "channel" if in_channel else "personal",
                "tenantId": TENANT,
                "id": conversation,
            },
            "recipient": {"id": BOT, "name": BOT_NAME},
            "channelData": {"tenant": {"id": TENANT}},
            "locale": "en-US",
        }
        if in_channel:
            body["channelData"].update({"team": {"id": TEAM}, "channel": {"id": channel}})
        body.update(fields)
        return body

    def deliver(self, activity: Any, *, token: str | None = None) -> Answer:
        """POST an activity to ``/api/messages``; an authenticated bridge gets a valid channel token
        unless ``token`` says otherwise ("" sends none)."""
        headers = {"Content-Type": "application/json"}
        if token is None and self.auth is not None:
            token = self.auth.channel_token(self.service_url)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = activity if isinstance(activity, (bytes, str)) else json.dumps(activity)
        response = requests.post(self.web.url + "/api/messages", data=data, headers=headers, timeout=30)
        return Answer(response.status_code, response.text)

    def install(self, who: str = "sam") -> Answer:
        """Add the bot to the test team, as Teams announces it, and let a worker read the channels."""
        data = {
            "team": {"id": TEAM, "name": "Acme Care", "aadGroupId": "2c02739d-4041-4ef2-b8b8-75508bc04808"},
            "eventType": "teamMemberAdded",
            "tenant": {"id": TENANT},
        }
        answer = self.deliver(
            self.activity("conversationUpdate", who, TEAM, membersAdded=[{"id": BOT}], channelData=data)
        )
        self.drain()
        return answer

    # a case's card and its thread ------------------------------------------------------------------------
    def card_message(self, number: int) -> dict[str, Any]:
        case = self.rt.store.get(number)
        message = self.connector.message(case.card_ts)
        if message is None or case.chat != "teams":
            raise AssertionError(f"case #{number} has no card in the Bot Connector stand-in")
        return message

    def card(self, number: int) -> dict[str, Any]:
        card = BotConnectorStandIn.card_of(self.card_message(number))
        assert card is not None, f"case #{number}'s message carries no Adaptive Card"
        return card

    def card_thread(self, number: int) -> str:
        """The conversation id of a case card's thread: ``<channel>;messageid=<card id>``."""
        card_ts = self.rt.store.get(number).card_ts
        channel = self.connector.conversation_of(card_ts)
        if channel is None:
            raise AssertionError(f"case #{number} has no card in the Bot Connector stand-in")
        return f"{channel};messageid={card_ts}"

    def thread(self, number: int) -> list[dict[str, Any]]:
        """What the bridge posted in a case card's thread, oldest first."""
        return self.connector.thread(self.rt.store.get(number).card_ts)

    def reply(self, who: str, number: int, text: str, **fields: Any) -> tuple[Answer, dict[str, Any]]:
        activity = self.activity(
            "message", who, self.card_thread(number), text=text, textFormat="plain", **fields
        )
        return self.deliver(activity), activity

    def edit(self, original: dict[str, Any], text: str) -> Answer:
        edited = {**original, "type": "messageUpdate", "text": text}
        edited["channelData"] = {**original["channelData"], "eventType": "editMessage"}
        return self.deliver(edited)

    def invoke(
        self, who: str, conversation: str, verb: str, data: dict[str, Any], *, reply_to: str = ""
    ) -> Answer:
        """Click an ``Action.Execute`` button: the ``adaptiveCard/action`` invoke Teams sends."""
        value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
        activity = self.activity("invoke", who, conversation, name="adaptiveCard/action", value=value)
        if reply_to:
            activity["replyToId"] = reply_to
        return self.deliver(activity)

    def execute(self, who: str, number: int, verb: str, data: dict[str, Any] | None = None) -> Answer:
        """Click a button on a case's card, or (by ``data``) on a draft preview in its thread."""
        card_ts = self.rt.store.get(number).card_ts
        return self.invoke(who, self.card_thread(number), verb, data or {"case": number}, reply_to=card_ts)

    def mention(self, who: str, text: str, *, channel: str = "19:social-desk@thread.tacv2") -> Answer:
        """``@Bridge <text>`` as a new post in a channel; its thread is ``last_thread``."""
        message_id = self.next_id()
        tag = f"<at>{BOT_NAME}</at>"
        mention = {"type": "mention", "text": tag, "mentioned": {"id": BOT, "name": BOT_NAME}}
        activity = self.activity(
            "message", who, f"{channel};messageid={message_id}", text=f"{tag} {text}", entities=[mention]
        )
        activity["id"] = message_id
        self.last_thread = activity["conversation"]["id"]
        return self.deliver(activity)

    def personal(self, who: str, text: str) -> Answer:
        """A message in the person's 1:1 chat with the bot."""
        return self.deliver(self.activity("message", who, f"a:chat-{PEOPLE[who].account}", text=text))
