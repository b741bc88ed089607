"""Building the Teams adapter from settings: the chat platform for workers, the route for the web.

The composition root (:mod:`bridge.wiring`) calls these and nothing else of this package, so every
botbuilder import stays inside ``adapters/teams``.
"""

from __future__ import annotations

import structlog
from botframework.connector.auth import BotFrameworkAuthentication, MicrosoftAppCredentials
from msrest.authentication import Authentication

from adapters.teams.bot import BridgeBot
from adapters.teams.chat import TeamsChat
from adapters.teams.connector import Connector
from adapters.teams.conversations import Conversations
from adapters.teams.http import Handler, messages_handler
from adapters.teams.people import TeamsPeople
from adapters.teams.registry import TeamsRegistry
from adapters.teams.team_sync import TeamSync
from bridge.app.runtime import Runtime
from bridge.app.settings import Settings
from bridge.playbook.coverage import reachable_departments
from bridge.store.pacing import ChannelPacer

log = structlog.get_logger(__name__)
#: Teams allows about 50 requests a second per app and tenant; 40 leaves room for the bot's answers.
APP_INTERVAL_MS = 25


def settings_problem(settings: Settings) -> str:
    """What is missing for authenticated Teams, or "" when the settings are usable."""
    if settings.teams_app_id and not (settings.teams_app_password and settings.teams_tenant_id):
        return (
            "TEAMS_APP_ID is set: also set TEAMS_APP_PASSWORD (the client secret) and TEAMS_TENANT_ID "
            "(the bot is single-tenant), or unset TEAMS_APP_ID and set TEAMS_LOCAL=1 for local development."
        )
    return ""


def app_credentials(settings: Settings) -> Authentication:
    """What signs outbound calls: a token for the app, or nothing at all in local mode."""
    credentials: Authentication
    if not settings.teams_app_id:
        credentials = MicrosoftAppCredentials.empty()
    else:
        credentials = MicrosoftAppCredentials(
            settings.teams_app_id,
            settings.teams_app_password or "",
            channel_auth_tenant=settings.teams_tenant_id,
        )
    return credentials


def build_chat(rt: Runtime, credentials: Authentication | None = None) -> TeamsChat:
    settings = rt.settings
    if not settings.teams_app_id and credentials is None:
        log.warning("teams_local_mode", message="TEAMS LOCAL MODE: outbound Teams calls carry no token.")
    prefix = settings.bridge_key_prefix + "teams:"
    interval = settings.teams_conversation_interval_ms
    connector = Connector(
        credentials or app_credentials(settings),
        app_pacer=ChannelPacer(rt.redis, prefix, APP_INTERVAL_MS if interval > 0 else 0),
        conversation_pacer=ChannelPacer(rt.redis, prefix, interval),
    )
    registry = TeamsRegistry(rt.redis, settings.bridge_key_prefix)
    people = TeamsPeople(rt.redis, settings.bridge_key_prefix)
    return TeamsChat(
        Conversations(connector, registry),
        registry,
        people,
        TeamSync(connector, registry, people),
        departments=lambda: reachable_departments(rt.playbook, rt.chats.keys()),
        crisis_home=lambda: leadership_channel(rt),
    )


def leadership_channel(rt: Runtime) -> str:
    """Leadership's Teams channel in the playbook now ("" when it has none): where an incident runs
    when Teams has no channel of its own for it."""
    crisis = rt.playbook.crisis
    return (crisis.leadership.teams_channel or "") if crisis is not None else ""


def messages_route(rt: Runtime, auth: BotFrameworkAuthentication | None = None) -> Handler:
    """The handler of ``POST /api/messages``; ``auth`` replaces the settings' authentication."""
    prefix = rt.settings.bridge_key_prefix
    bot = BridgeBot(rt, TeamsRegistry(rt.redis, prefix), TeamsPeople(rt.redis, prefix))
    return messages_handler(bot, rt.settings, auth)
