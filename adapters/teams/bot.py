"""The bridge's Teams bot: botbuilder activities in, registry records, desk calls and jobs out.

Every activity first teaches the registry something (who sent it, from which service URL and tenant,
in which team and channel); then its type decides: ``conversationUpdate``/``installationUpdate`` keep
teams and channels current, ``message``/``messageUpdate`` are drafts, notes and commands, and the
``adaptiveCard/action`` invoke is a card button. The Redis work runs in a thread so the event loop
keeps answering. Other invokes are not offered by the app, so they are answered 400, never 501.
"""

from __future__ import annotations

import asyncio
import hashlib
from http import HTTPStatus
from typing import Any

import structlog
from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse

from adapters.teams import jobs
from adapters.teams.actions import CardActions, CardAnswer
from adapters.teams.cards import VERBS
from adapters.teams.messages import Incoming, Messages
from adapters.teams.people import TeamsPeople
from adapters.teams.registry import TeamsRegistry
from bridge.app.runtime import Runtime

log = structlog.get_logger(__name__)
CARD_ACTION = "adaptiveCard/action"
CHANNEL_EVENTS = {"channelCreated", "channelRenamed", "channelRestored"}
DUPLICATE_WINDOW_SECONDS = 86_400  # Teams redelivers within minutes; a day is ample


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _ids(accounts: Any) -> set[str]:
    return {str(getattr(a, "id", "") or "") for a in accounts or []}


class BridgeBot(ActivityHandler):  # type: ignore[misc]  # botbuilder ships no type hints
    def __init__(self, rt: Runtime, registry: TeamsRegistry, people: TeamsPeople) -> None:
        self.rt = rt
        self.registry = registry
        self.people = people
        self.actions = CardActions(rt, people)
        self.messages = Messages(rt, registry)

    async def on_turn(self, turn_context: TurnContext) -> None:
        await asyncio.to_thread(self._remember, turn_context.activity)
        await super().on_turn(turn_context)

    def _user(self, activity: Activity) -> str:
        sender = activity.from_property
        return str(getattr(sender, "aad_object_id", "") or getattr(sender, "id", "") or "")

    def _remember(self, activity: Activity) -> None:
        data = _dict(activity.channel_data)
        tenant = str(
            _dict(data.get("tenant")).get("id") or getattr(activity.conversation, "tenant_id", "") or ""
        )
        conversation = str(getattr(activity.conversation, "id", "") or "")
        if conversation and activity.service_url:
            self.registry.note_conversation(conversation, activity.service_url, tenant)
        self.registry.note_bot(str(getattr(activity.recipient, "id", "") or ""))
        sender = activity.from_property
        if sender is not None and sender.id:
            self.people.remember(sender.id, getattr(sender, "aad_object_id", "") or "", sender.name or "")
        team = _dict(data.get("team"))
        if team.get("id"):
            self.registry.record_team(
                str(team["id"]), service_url=activity.service_url or "", tenant_id=tenant
            )
            channel = _dict(data.get("channel"))
            if channel.get("id"):
                self.registry.record_channel(
                    str(team["id"]), str(channel["id"]), str(channel.get("name") or "")
                )

    # teams and channels ------------------------------------------------------------------------------
    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        await asyncio.to_thread(self._conversation_update, turn_context.activity)

    async def on_installation_update(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        team = _dict(_dict(activity.channel_data).get("team"))
        if team.get("id") and str(activity.action or "").startswith("add"):
            await asyncio.to_thread(self._installed, activity, team)

    def _installed(self, activity: Activity, team: dict[str, Any]) -> None:
        team_id = str(team["id"])
        self.registry.record_team(
            team_id, name=str(team.get("name") or ""), service_url=activity.service_url or ""
        )
        jobs.enqueue(self.rt, jobs.sync_team, team_id)
        log.info("teams_installed", team=team_id, name=team.get("name"))

    def _conversation_update(self, activity: Activity) -> None:
        data = _dict(activity.channel_data)
        event = str(data.get("eventType") or "")
        team, channel = _dict(data.get("team")), _dict(data.get("channel"))
        bot = str(getattr(activity.recipient, "id", "") or "")
        if not team.get("id"):
            return  # a group chat or a 1:1: nothing to record beyond what every activity teaches
        team_id = str(team["id"])
        for member in activity.members_added or []:  # people joining: known by id before they speak
            if member.id and member.id != bot:
                self.people.remember(member.id, getattr(member, "aad_object_id", "") or "", member.name or "")
        if bot and bot in _ids(activity.members_added):
            self._installed(activity, team)
        elif bot and bot in _ids(activity.members_removed):
            self.registry.forget_team(team_id)
            log.info("teams_removed", team=team_id)
        elif event == "teamRenamed" and team.get("name"):
            self.registry.record_team(team_id, name=str(team["name"]))
        elif event in CHANNEL_EVENTS and channel.get("id"):
            self.registry.record_channel(team_id, str(channel["id"]), str(channel.get("name") or ""))
        elif event == "channelDeleted" and channel.get("id"):
            self.registry.forget_channel(team_id, str(channel["id"]))

    # messages ------------------------------------------------------------------------------------------
    def _incoming(self, activity: Activity, *, edited: bool) -> Incoming:
        bot = str(getattr(activity.recipient, "id", "") or "")
        bot_tags: list[str] = []
        people: dict[str, str] = {}
        bot_name = str(getattr(activity.recipient, "name", "") or "Bridge")
        for entity in activity.entities or []:
            fields = getattr(entity, "additional_properties", None) or {}
            if str(getattr(entity, "type", "")).lower() != "mention":
                continue
            mentioned, tag = _dict(fields.get("mentioned")), str(fields.get("text") or "")
            if mentioned.get("id") == bot:
                bot_tags.append(tag or f"<at>{mentioned.get('name', '')}</at>")
                bot_name = str(mentioned.get("name") or bot_name)
            elif mentioned.get("id") and mentioned.get("name"):
                people[str(mentioned["name"])] = f"<@{self.people.user_of(str(mentioned['id']))}>"
        conversation = activity.conversation
        return Incoming(
            conversation=str(getattr(conversation, "id", "") or ""),
            conversation_type=str(getattr(conversation, "conversation_type", "") or ""),
            activity_id=str(activity.id or ""),
            user=self._user(activity),
            text=str(activity.text or ""),
            bot_tags=tuple(t for t in bot_tags if t),
            people=people,
            bot_name=bot_name,
            edited=edited,
        )

    def _first_time(self, kind: str, activity: Activity, *extra: str) -> bool:
        """False when this activity was handled already: Teams delivers an activity again when the
        bot answers slowly, and a second delivery must not make a second draft, note or command.
        An edit counts once per text, so editing back and forth still makes versions."""
        if not activity.id:
            return True
        conversation = str(getattr(activity.conversation, "id", "") or "")
        digest = hashlib.sha256("\n".join(extra).encode()).hexdigest()[:32] if extra else ""
        key = ":".join(p for p in ("teams", kind, conversation, str(activity.id), digest) if p)
        if self.rt.store.first_time(key, DUPLICATE_WINDOW_SECONDS):
            return True
        log.info("teams_duplicate_activity", kind=kind, id=activity.id, conversation=conversation)
        return False

    def _handle_message(self, activity: Activity, *, edited: bool) -> None:
        kind, extra = ("edit", (str(activity.text or ""),)) if edited else ("message", ())
        if self._first_time(kind, activity, *extra):
            self.messages.handle(self._incoming(activity, edited=edited))

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if not activity.text and activity.value is not None:
            return  # an Action.Submit from some other card: the bridge's cards use Action.Execute
        await asyncio.to_thread(self._handle_message, activity, edited=False)

    async def on_message_update_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if _dict(activity.channel_data).get("eventType") == "editMessage" and activity.text:
            await asyncio.to_thread(self._handle_message, activity, edited=True)

    # card buttons ----------------------------------------------------------------------------------------
    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """Answer ``adaptiveCard/action`` with the SDK's response model, serialised once by the HTTP
        handler; 4.17.1's own path serialises it twice and answers 500."""
        activity = turn_context.activity
        if activity.name != CARD_ACTION:
            body = {"error": f"unsupported invoke {activity.name!r}"}
            return InvokeResponse(status=int(HTTPStatus.BAD_REQUEST), body=body)
        value = _dict(activity.value)
        conversation = str(getattr(activity.conversation, "id", "") or "")
        answer = await asyncio.to_thread(self._card_action, activity, value, conversation)
        response = AdaptiveCardInvokeResponse(
            status_code=answer.status_code, type=answer.type, value=answer.value
        )
        return InvokeResponse(status=answer.http_status, body=response)

    def _card_action(self, activity: Activity, value: dict[str, Any], conversation: str) -> CardAnswer:
        """A submitted draft delivered again is answered with the card as it is, not drafted twice."""
        action = _dict(value.get("action"))
        if action.get("verb") == VERBS["submit_draft"] and not self._first_time("invoke", activity):
            value = {**value, "action": {**action, "verb": VERBS["view"]}}
        return self.actions.handle(self._user(activity), value, conversation)
