"""Bolt listeners for events: a reply in a card's thread (or an edit of one) goes to the desk; every
other subscribed event is acknowledged so Slack does not send it again."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext

from adapters.slack.text import from_slack
from bridge.app.runtime import Runtime
from bridge.domain.errors import BridgeError
from bridge.domain.model import MessageRef


def register_thread_messages(app: App, rt: Runtime) -> None:
    """Thread replies and their edits; an edit that leaves the words as they were is not an edit."""

    @app.event("message")
    def message(event: dict[str, Any], context: BoltContext) -> None:
        subtype = event.get("subtype")
        if subtype == "message_changed":
            changed = event.get("message") or {}
            previous = event.get("previous_message") or {}
            if changed.get("text") == previous.get("text"):
                return  # an unfurl or attachment change, not an edit of the words
            thread_reply(rt, event.get("channel", ""), changed, edited=True)
        elif subtype in (None, "thread_broadcast"):
            thread_reply(rt, event.get("channel", ""), event, edited=False)


def register_other_events(app: App) -> None:
    """Registered last: it matches every event no listener before it took."""

    @app.event(re.compile(".*"))
    def other_events(ack: Ack) -> None:
        ack()  # subscribed events the bridge does not act on are acknowledged so Slack does not retry


def thread_reply(rt: Runtime, channel: str, message: dict[str, Any], *, edited: bool) -> None:
    """A person's message in the thread of a case's card, as a thread reply to the desk; the bridge's
    own messages, root messages and threads of no case are left alone."""
    thread_ts, ts, user = message.get("thread_ts"), message.get("ts"), message.get("user")
    if not (thread_ts and user and channel) or thread_ts == ts or message.get("bot_id"):
        return
    number = rt.store.case_for_message(MessageRef("slack", channel, str(thread_ts)))
    if number is None:
        return
    text = from_slack(str(message.get("text") or ""))
    try:
        rt.desk.thread_reply(number, str(user), text, source="edit" if edited else "thread")
    except BridgeError as exc:
        rt.dispatch.tell("slack", channel, str(user), str(exc))
