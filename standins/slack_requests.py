"""Inbound Slack requests built and signed exactly as Slack builds and signs them.

Events are JSON bodies; interactivity payloads are ``payload=<urlencoded json>`` forms; slash commands
are plain forms. The signature is ``v0=HMAC_SHA256(secret, "v0:{timestamp}:{body}")``.
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from slack_sdk.signature import SignatureVerifier

_counter = itertools.count(1)


@dataclass(frozen=True)
class SignedRequest:
    body: str
    headers: dict[str, str]


def sign(
    secret: str, body: str, content_type: str, *, timestamp: int | None = None, retry_num: int | None = None
) -> SignedRequest:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": str(SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)),
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    return SignedRequest(body, headers)


def event_body(event: dict[str, Any], *, event_id: str | None = None, team: str = "T0TEAM") -> str:
    return json.dumps(
        {
            "token": "verification-token-unused",
            "team_id": team,
            "api_app_id": "A0BRIDGE",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_counter):010d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team, "user_id": "UBRIDGEBOT", "is_bot": True}],
        }
    )


def interactive_body(payload: dict[str, Any]) -> str:
    return "payload=" + urllib.parse.quote(json.dumps(payload))


def block_action(
    user: str, channel: str, message_ts: str, action_id: str, value: str, *, team: str = "T0TEAM"
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": team, "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "team_id": team},
        "api_app_id": "A0BRIDGE",
        "token": "verification-token-unused",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": f"{next(_counter)}.trigger",
        "channel": {"id": channel, "name": channel.lower()},
        "message": {"type": "message", "ts": message_ts, "text": "card"},
        "response_url": "https://hooks.slack.com/actions/T0TEAM/1/unused",
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b",
                "type": "button",
                "value": value,
                "action_ts": str(time.time()),
            }
        ],
    }


def view_submission(
    user: str,
    callback_id: str,
    private_metadata: str,
    values: dict[str, dict[str, Any]],
    *,
    team: str = "T0TEAM",
) -> dict[str, Any]:
    """``values`` maps block_id to the element state, e.g. ``{"draft": {"type": "plain_text_input",
    "value": "..."}}``."""
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "team_id": team},
        "api_app_id": "A0BRIDGE",
        "token": "verification-token-unused",
        "trigger_id": f"{next(_counter)}.trigger",
        "view": {
            "id": f"V{next(_counter):08d}",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": {block: {"value": state} for block, state in values.items()}},
        },
    }


def thread_message(user: str, channel: str, thread_ts: str, text: str) -> dict[str, Any]:
    ts = f"{time.time():.6f}"
    return {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "thread_ts": thread_ts,
        "channel": channel,
        "channel_type": "channel",
        "team": "T0TEAM",
    }


def edited_thread_message(original: dict[str, Any], new_text: str) -> dict[str, Any]:
    changed = dict(original, text=new_text, edited={"user": original["user"], "ts": f"{time.time():.6f}"})
    return {
        "type": "message",
        "subtype": "message_changed",
        "channel": original["channel"],
        "hidden": True,
        "ts": f"{time.time():.6f}",
        "message": changed,
        "previous_message": original,
    }


def slash_command_body(user: str, channel: str, text: str, *, command: str = "/bridge") -> str:
    return urllib.parse.urlencode(
        {
            "token": "verification-token-unused",
            "team_id": "T0TEAM",
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": channel.lower(),
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0BRIDGE",
            "response_url": "https://hooks.slack.com/commands/T0TEAM/1/unused",
            "trigger_id": "1.trigger",
        }
    )
