"""The Slack app manifest asks for everything the listeners need, and nothing is left to chance."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from adapters.slack.commands import COMMAND

MANIFEST = Path(__file__).resolve().parents[2] / "adapters" / "slack" / "manifest.yml"


def test_manifest_subscribes_to_thread_replies_and_declares_the_command() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"message.channels", "message.groups", "app_home_opened"} <= set(events)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "commands", "channels:history", "groups:history"} <= scopes
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert commands == [COMMAND]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    urls = {
        manifest["settings"]["interactivity"]["request_url"],
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["features"]["slash_commands"][0]["url"],
    }
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


#: Every Slack Web API method the adapter calls, with the bot scopes it needs (per Slack's method docs).
METHOD_SCOPES: dict[str, set[str]] = {
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "chat_getPermalink": set(),  # no scope required
    "conversations_create": {"channels:manage"},  # crisis mode's incident channel (public)
    "conversations_invite": {"channels:manage"},
    "views_open": set(),
    "views_update": set(),
    "views_publish": set(),
}
#: What the subscribed events and the slash command need.
EVENT_SCOPES = {"channels:history", "groups:history", "commands"}


def test_manifest_asks_only_for_the_scopes_the_code_uses() -> None:
    called = {
        method
        for path in (MANIFEST.parent).glob("*.py")
        for method in re.findall(
            r"\bclient\.((?:chat|conversations|views|users|reactions|team|auth)_\w+)\(", path.read_text()
        )
    }
    assert called, "the adapter calls the Web API through `client.<method>(`"
    unmapped = called - METHOD_SCOPES.keys()
    assert not unmapped, f"map these Web API methods to their scopes: {sorted(unmapped)}"
    needed = set().union(*(METHOD_SCOPES[m] for m in called)) | EVENT_SCOPES
    scopes = set(yaml.safe_load(MANIFEST.read_text())["oauth_config"]["scopes"]["bot"])
    assert scopes == needed, f"unused: {sorted(scopes - needed)}, missing: {sorted(needed - scopes)}"
