"""The Slack Web API methods the bridge uses, answering with Slack's documented shapes and errors.

Each method takes the workspace and the request's parameters and returns the success body
(``ok`` is added by the caller) or raises ``SlackError``. Shapes follow the examples in
``shared/data/slack/web-api-examples``; error names are the ones Slack documents per method.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from standins.slack_store import (
    TEAM_DOMAIN,
    TEAM_NAME,
    SlackError,
    SlackWorkspace,
    invalid_arguments,
    public_message,
)

MAX_BLOCKS_PER_MESSAGE = 50
MAX_TEXT_CHARS = 40_000

CONTENT_FIELDS = ("text", "blocks", "attachments", "metadata")

Method = Callable[[SlackWorkspace, dict[str, Any]], dict[str, Any]]


def _required(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if value in (None, ""):
        raise invalid_arguments(f"missing required field: {name}")
    return value


def _content(params: dict[str, Any], *, require: bool) -> dict[str, Any]:
    """The message content fields a client sent, validated as Slack validates them."""
    fields: dict[str, Any] = {k: params[k] for k in CONTENT_FIELDS if k in params}
    if require and not any(fields.get(k) for k in ("text", "blocks", "attachments")):
        raise SlackError("no_text")
    blocks = fields.get("blocks")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise SlackError("invalid_blocks_format")
        if len(blocks) > MAX_BLOCKS_PER_MESSAGE or not all(
            isinstance(b, dict) and "type" in b for b in blocks
        ):
            raise SlackError("invalid_blocks", errors=["invalid blocks"], response_metadata={"messages": []})
    text = fields.get("text")
    if isinstance(text, str) and len(text) > MAX_TEXT_CHARS:
        raise SlackError("msg_too_long")
    return fields


def _writable_channel(ws: SlackWorkspace, ref: Any) -> dict[str, Any]:
    channel = ws.resolve_channel(ref)
    if channel["is_archived"]:
        raise SlackError("is_archived")
    if not channel["is_member"]:
        raise SlackError("not_in_channel")
    return channel


def _existing_message(ws: SlackWorkspace, channel_id: str, ts: Any) -> dict[str, Any]:
    message = ws.find_message(channel_id, ts)
    if message is None:
        raise SlackError("message_not_found")
    return message


def auth_test(ws: SlackWorkspace, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": f"https://{TEAM_DOMAIN}.slack.com/",
        "team": TEAM_NAME,
        "user": "bridge",
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


def chat_post_message(ws: SlackWorkspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = _writable_channel(ws, params.get("channel"))
    content = _content(params, require=True)
    with ws.lock:
        message: dict[str, Any] = {
            "type": "message",
            "user": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "app_id": ws.app_id,
            "team": ws.team_id,
            "ts": ws.next_ts(),
            "text": content.get("text", ""),
            "blocks": content.get("blocks", []),
            "thread_ts": params.get("thread_ts") or None,
        }
        for key in ("attachments", "metadata"):
            if key in content:
                message[key] = content[key]
        stored = ws.store_message(channel["id"], message)
        return {"channel": channel["id"], "ts": stored["ts"], "message": public_message(stored)}


def chat_update(ws: SlackWorkspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = ws.resolve_channel(params.get("channel"))
    ts = _required(params, "ts")
    content = _content(params, require=True)
    with ws.lock:
        message = _existing_message(ws, channel["id"], ts)
        if message.get("bot_id") != ws.bot_id:
            raise SlackError("cant_update_message")
        message.update(content)
        message["edits"] += 1
        message["edited"] = {"user": ws.bot_user_id, "ts": ws.next_ts()}
        return {
            "channel": channel["id"],
            "ts": message["ts"],
            "text": message.get("text", ""),
            "message": public_message(message),
        }


def chat_delete(ws: SlackWorkspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = ws.resolve_channel(params.get("channel"))
    ts = _required(params, "ts")
    with ws.lock:
        message = _existing_message(ws, channel["id"], ts)
        if message.get("bot_id") != ws.bot_id:
            raise SlackError("cant_delete_message")
        ws.messages[channel["id"]].remove(message)
    return {"channel": channel["id"], "ts": ts}


def chat_post_ephemeral(ws: SlackWorkspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = _writable_channel(ws, params.get("channel"))
    user = ws.user(params.get("user"))
    content = _content(params, require=True)
    message_ts = ws.next_ts()
    with ws.lock:
        ws.ephemerals.append(
            {
                "channel": channel["id"],
                "user": user["id"],
                "message_ts": message_ts,
                "text": content.get("text", ""),
                "blocks": content.get("blocks", []),
                "thread_ts": params.get("thread_ts") or None,
            }
        )
    return {"message_ts": message_ts}


def chat_get_permalink(ws: SlackWorkspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = ws.resolve_channel(params.get("channel"))
    message = _existing_message(ws, channel["id"], _required(params, "message_ts"))
    link = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel['id']}/p{message['ts'].replace('.', '')}"
    thread_ts = message.get("thread_ts")
    if thread_ts and thread_ts != message["ts"]:
        link += f"?thread_ts={thread_ts}&cid={channel['id']}"
    return {"channel": channel["id"], "permalink": link}


def _view_body(ws: SlackWorkspace, params: dict[str, Any], view_id: str) -> dict[str, Any]:
    view = params.get("view")
    if not isinstance(view, dict) or "type" not in view:
        raise invalid_arguments("missing required field: view")
    return {
        "id": view_id,
        "team_id": ws.team_id,
        "app_id": ws.app_id,
        "bot_id": ws.bot_id,
        "type": view["type"],
        "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "external_id": view.get("external_id", ""),
        "state": {"values": {}},
        "hash": ws.next_ts(),  # changes on every update, which is all views.update's check needs
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "close": view.get("close"),
        "submit": view.get("submit"),
        "title": view.get("title"),
        "previous_view_id": None,
        "root_view_id": view_id,
    }


def views_open(ws: SlackWorkspace, params: dict[str, Any]) -> dict[str, Any]:
    if not params.get("trigger_id") and not params.get("interactivity_pointer"):
        raise invalid_arguments("invalid `trigger_id`")
    view = _view_body(ws, params, ws.next_view_id())
    with ws.lock:
        ws.views[view["id"]] = view
    return {"view": copy.deepcopy(view)}


views_push = views_open


def views_update(ws: SlackWorkspace, params: dict[str, Any]) -> dict[str, Any]:
    with ws.lock:
        current = ws.views.get(params.get("view_id") or "")
        if current is None and params.get("external_id"):
            current = next((v for v in ws.views.values() if v["external_id"] == params["external_id"]), None)
        if current is None:
            raise SlackError("not_found")
        if params.get("hash") and params["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view = _view_body(ws, params, current["id"])
        view["root_view_id"] = current["root_view_id"]
        ws.views[current["id"]] = view
        return {"view": copy.deepcopy(view)}


def views_publish(ws: SlackWorkspace, params: dict[str, Any]) -> dict[str, Any]:
    user = ws.user(_required(params, "user_id"))
    with ws.lock:
        existing = ws.home_views.get(user["id"])
        view = _view_body(ws, params, existing["id"] if existing else ws.next_view_id())
        ws.home_views[user["id"]] = view
        return {"view": copy.deepcopy(view)}


def conversations_info(ws: SlackWorkspace, params: dict[str, Any]) -> dict[str, Any]:
    return {"channel": copy.deepcopy(ws.resolve_channel(params.get("channel")))}


def conversations_join(ws: SlackWorkspace, params: dict[str, Any]) -> dict[str, Any]:
    with ws.lock:
        channel = ws.resolve_channel(params.get("channel"))
        if channel["is_archived"]:
            raise SlackError("is_archived")
        body: dict[str, Any] = {}
        if channel["is_member"]:
            body = {
                "warning": "already_in_channel",
                "response_metadata": {"warnings": ["already_in_channel"]},
            }
        channel["is_member"] = True
        return {"channel": copy.deepcopy(channel), **body}


def users_info(ws: SlackWorkspace, params: dict[str, Any]) -> dict[str, Any]:
    return {"user": copy.deepcopy(ws.user(params.get("user")))}


def reactions_add(ws: SlackWorkspace, params: dict[str, Any]) -> dict[str, Any]:
    name = params.get("name")
    if not params.get("channel") or not params.get("timestamp"):
        raise SlackError("no_item_specified")
    if not name:
        raise SlackError("invalid_name")
    channel = ws.resolve_channel(params["channel"])
    with ws.lock:
        message = _existing_message(ws, channel["id"], params["timestamp"])
        reactions = message.setdefault("reactions", [])
        reaction = next((r for r in reactions if r["name"] == name), None)
        if reaction is None:
            reactions.append({"name": name, "users": [ws.bot_user_id], "count": 1})
        elif ws.bot_user_id in reaction["users"]:
            raise SlackError("already_reacted")
        else:
            reaction["users"].append(ws.bot_user_id)
            reaction["count"] += 1
    return {}


METHODS: dict[str, Method] = {
    "auth.test": auth_test,
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.getPermalink": chat_get_permalink,
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
    "conversations.info": conversations_info,
    "conversations.join": conversations_join,
    "users.info": users_info,
    "reactions.add": reactions_add,
}
