"""The composition root: the one place that imports adapters and builds the configured set."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from aiohttp import web

from bridge.app.dashboard.routes import dashboard_routes
from bridge.app.runtime import Runtime, build_core
from bridge.app.settings import Settings
from bridge.app.web import Route, create_app
from bridge.domain.clock import Clock
from bridge.domain.errors import ConfigurationError
from bridge.domain.identity import IdentityProvider
from bridge.store.pacing import ChannelPacer

__all__ = ["build", "build_web_app", "sign_in_providers", "start_socket_mode", "web_routes"]

log = structlog.get_logger(__name__)
#: What a route's handler closes when the web app stops (an aiohttp ``on_cleanup`` hook).
Cleanup = Callable[[web.Application], Awaitable[None]]


def build(settings: Settings, clock: Clock | None = None) -> Runtime:
    rt = build_core(settings, clock)
    if settings.slack_configured:
        from adapters.slack.chat import SlackChat
        from adapters.slack.client import make_web_client

        pacer = ChannelPacer(rt.redis, settings.bridge_key_prefix, settings.bridge_channel_interval_ms)
        rt.chats["slack"] = SlackChat(make_web_client(settings), pacer)
    if settings.teams_configured:
        from adapters.teams.app import build_chat, settings_problem

        if settings_problem(settings):
            raise ConfigurationError(settings_problem(settings))
        rt.chats["teams"] = build_chat(rt)
    if settings.x_configured:
        from adapters.x.client import make_client
        from adapters.x.platform import XPlatform

        account = rt.playbook.accounts.x
        user_id = settings.x_user_id or (account.user_id if account else None)
        if not user_id:
            raise ConfigurationError("Set X_USER_ID or accounts.x.user_id in the playbook.")
        handle = account.handle if account else ""
        rt.socials["x"] = XPlatform(make_client(settings), user_id, handle)
        main = _main_x_account(settings, rt)
        if main is not None:
            rt.main_accounts["x"] = XPlatform(make_client(settings, main_account=True), *main)
    if settings.mastodon_configured:
        _add_mastodon(settings, rt)
    if settings.bluesky_configured:
        _add_bluesky(settings, rt)
    if settings.meta_configured:
        _add_meta(settings, rt)
    return rt


def _add_mastodon(settings: Settings, rt: Runtime) -> None:
    """The Mastodon account; answers there are bounded by the instance's own limit, read once."""
    from adapters.mastodon.client import make_client as make_mastodon_client
    from adapters.mastodon.platform import MastodonPlatform
    from bridge.text.answer_length import use_character_limit

    account = rt.playbook.accounts.mastodon
    social = MastodonPlatform(
        make_mastodon_client(settings),
        account.handle if account else "",
        account.account_id if account else None,
    )
    rt.socials["mastodon"] = social
    use_character_limit("mastodon", social.character_limit)


def _add_bluesky(settings: Settings, rt: Runtime) -> None:
    """The Bluesky account, logged in with its app password on first use; answers are bounded by
    Bluesky's 300 graphemes, a link counting as the shortened form the adapter posts."""
    from adapters.bluesky.client import make_session
    from adapters.bluesky.platform import BlueskyPlatform
    from adapters.bluesky.text import LINK_DISPLAY_GRAPHEMES, MAX_GRAPHEMES
    from bridge.text.answer_length import CharacterLimit, use_character_limit

    account = rt.playbook.accounts.bluesky
    rt.socials["bluesky"] = BlueskyPlatform(make_session(settings), account.handle if account else "")
    limit = CharacterLimit(max_characters=MAX_GRAPHEMES, characters_reserved_per_url=LINK_DISPLAY_GRAPHEMES)
    use_character_limit("bluesky", lambda: limit)


def _add_meta(settings: Settings, rt: Runtime) -> None:
    """The Facebook Page, and the Instagram account linked to it when the playbook names one: one
    Graph API client with the Page token for both; inbound comes by webhook (``/meta/webhook``)."""
    from adapters.meta.wiring import meta_platforms

    for name, social in meta_platforms(settings, rt.playbook.accounts.facebook).items():
        rt.socials[name] = social


def _main_x_account(settings: Settings, rt: Runtime) -> tuple[str, str] | None:
    """The main brand account's user id and handle when it can post; warns when the playbook names
    one that cannot, because brand matters and statements then go out from the care handle."""
    account = rt.playbook.accounts.x
    main_handle = account.main_handle if account else None
    if not settings.x_main_configured:
        if main_handle:
            log.warning(
                "main_account_without_credentials",
                handle=main_handle,
                effect="brand matters and statements will be posted from the care handle",
                fix="set X_MAIN_ACCESS_TOKEN and X_MAIN_ACCESS_TOKEN_SECRET",
            )
        return None
    user_id = settings.x_main_user_id or (account.main_user_id if account else None)
    if not (user_id and main_handle):
        raise ConfigurationError(
            "X_MAIN_ACCESS_TOKEN is set: name the main account in the playbook "
            "(accounts.x.main_handle) and set X_MAIN_USER_ID or accounts.x.main_user_id."
        )
    return user_id, main_handle


def web_routes(rt: Runtime, cleanups: list[Cleanup] | None = None) -> list[Route]:
    """HTTP routes of the configured chat platforms (Socket Mode needs none for Slack); what they
    must close when the web app stops is added to ``cleanups``."""
    routes: list[Route] = []
    settings = rt.settings
    if settings.slack_configured and not settings.slack_app_token:
        if not settings.slack_signing_secret:
            raise ConfigurationError(
                "SLACK_SIGNING_SECRET is required to receive Slack requests over HTTP "
                "(or set SLACK_APP_TOKEN to use Socket Mode)."
            )
        from adapters.slack.app import build_bolt_app
        from adapters.slack.hot_buttons import HotButtons
        from adapters.slack.http import slack_events_handler

        bolt, hot = build_bolt_app(rt), HotButtons(rt)
        if cleanups is not None:
            cleanups.append(hot.close)
        handler = slack_events_handler(bolt, settings.slack_signing_secret, hot)
        routes.append(("POST", "/slack/events", handler))
    if settings.teams_configured:
        from adapters.teams.app import messages_route

        routes.append(("POST", "/api/messages", messages_route(rt)))
    if settings.meta_configured:
        from adapters.meta.inbound import meta_routes

        routes.extend(meta_routes(rt))
    return routes


def sign_in_providers(settings: Settings) -> dict[str, IdentityProvider]:
    """The dashboard's sign-ins this deployment can offer: Slack with the app's client id and secret,
    Microsoft Entra with the Teams app's registration and tenant."""
    providers: dict[str, IdentityProvider] = {}
    if settings.slack_configured and settings.slack_client_id and settings.slack_client_secret:
        from adapters.slack.client import make_web_client
        from adapters.slack.sign_in import SlackSignIn

        providers["slack"] = SlackSignIn(
            make_web_client(settings), settings.slack_client_id, settings.slack_client_secret
        )
    if settings.teams_app_id and settings.teams_app_password and settings.teams_tenant_id:
        from adapters.teams.sign_in import EntraSignIn

        providers["entra"] = EntraSignIn(
            settings.teams_app_id,
            settings.teams_app_password,
            settings.teams_tenant_id,
            settings.entra_authority_url,
        )
    return providers


def start_socket_mode(rt: Runtime) -> object:
    """Connect to Slack over Socket Mode (``SLACK_APP_TOKEN``); events then need no HTTP route."""
    from adapters.slack.socket_mode import connect_socket_mode

    return connect_socket_mode(rt)


def build_web_app(rt: Runtime) -> web.Application:
    cleanups: list[Cleanup] = []
    app = create_app(rt, [*web_routes(rt, cleanups), *dashboard_routes(rt, sign_in_providers(rt.settings))])
    app.on_cleanup.extend(cleanups)
    return app
