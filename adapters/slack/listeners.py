"""Bolt listeners: Slack payloads in, desk calls out.

Listeners translate and nothing more: parse the ids, call the desk, and tell the person what the desk
said. A refusal or an unknown case is an ephemeral message, never an exception that Bolt would turn
into a server error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import structlog
from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.cards import (
    ACTION_IDS,
    DRAFT_TEMPLATE_ACTION,
    draft_modal,
    ignore_modal,
    reassign_modal,
    request_changes_modal,
)
from adapters.slack.commands import register_commands
from adapters.slack.crisis_listeners import register_crisis
from adapters.slack.text import from_slack
from bridge.app.runtime import Runtime
from bridge.domain.errors import BridgeError, NotAllowed
from bridge.domain.model import MessageRef
from bridge.playbook.coverage import reachable_departments
from bridge.playbook.templates import draft_choices, starting_text

log = structlog.get_logger(__name__)
EVENT_DEDUPE_SECONDS = 3600
DIALOG_NOT_OPENED = "Slack did not open the dialog; please click the button again."


def _case_number(value: str) -> int:
    try:
        return int(value.split(":")[0].lstrip("#"))
    except (ValueError, AttributeError):
        raise NotAllowed("That button does not name a case; the card may be out of date.") from None


def _value(body: dict[str, Any]) -> str:
    """The clicked button's value; "" when it carries none (then it names no case)."""
    return str(body["actions"][0].get("value") or "")


def _version(value: str) -> int:
    try:
        return int(value.split(":")[1])
    except (ValueError, IndexError, AttributeError):
        raise NotAllowed("That button does not name a draft version; the card may be out of date.") from None


def _channel_of(body: dict[str, Any]) -> str:
    return str((body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or "")


def _input(body: dict[str, Any], block_id: str) -> str:
    values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    block = values.get(block_id)
    if block is None:  # a block renewed to refill its text carries a revision: "draft.2"
        block = next((v for k, v in values.items() if k.startswith(block_id + ".")), None)
    element = (block or {}).get("value") or {}
    if element.get("type") == "static_select":
        return str((element.get("selected_option") or {}).get("value") or "")
    return str(element.get("value") or "")


def register(app: App, rt: Runtime) -> None:
    """Attach every listener of the bridge to a Bolt app."""
    register_commands(app, rt)
    register_crisis(app, rt)

    def tell(body: dict[str, Any], text: str) -> None:
        channel, user = _channel_of(body), str((body.get("user") or {}).get("id") or "")
        if channel and user:
            rt.dispatch.tell("slack", channel, user, text)
        else:
            log.info("refusal_not_shown", text=text)

    def guarded(body: dict[str, Any], action: Callable[[], object]) -> None:
        try:
            action()
        except BridgeError as exc:
            tell(body, str(exc))
        except SlackApiError as exc:  # a dialog Slack would not open (an expired trigger …)
            log.warning("slack_dialog_not_opened", error=exc.response.get("error"))
            tell(body, DIALOG_NOT_OPENED)

    @app.middleware
    def once_per_event(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        """Slack retries events it thinks we missed; each ``event_id`` is handled once."""
        event_id = body.get("event_id")
        if event_id and not rt.store.first_time(f"slack:event:{event_id}", EVENT_DEDUPE_SECONDS):
            return BoltResponse(status=200, body="")
        return next()

    # buttons on the card ----------------------------------------------------------------------------
    @app.action(ACTION_IDS["claim"])
    def claim(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        user = body["user"]["id"]
        guarded(body, lambda: rt.desk.claim(_case_number(_value(body)), user))

    @app.action(ACTION_IDS["reassign"])
    def reassign(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()

        def open_picker() -> None:
            case = rt.store.get(_case_number(_value(body)))
            departments = reachable_departments(rt.playbook, rt.chats.keys())
            view = reassign_modal(case.number, departments, case.department)
            client.views_open(trigger_id=body["trigger_id"], view=view)

        guarded(body, open_picker)

    @app.action(ACTION_IDS["ignore"])
    def ignore(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()

        def open_reason() -> None:
            case = rt.store.get(_case_number(_value(body)))
            client.views_open(trigger_id=body["trigger_id"], view=ignore_modal(case.number))

        guarded(body, open_reason)

    @app.action(ACTION_IDS["draft"])
    def draft(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()

        def open_draft() -> None:
            case = rt.store.get(_case_number(_value(body)))
            if case.claimant != body["user"]["id"]:
                raise NotAllowed(f"Only the claimant drafts the answer to {case.ref}.")
            latest = rt.store.draft(case.number, case.draft_version) if case.draft_version else None
            now = rt.clock.now()
            text = latest.text if latest else starting_text(case, rt.playbook, now)
            choices = [(c.name, c.label) for c in draft_choices(case, rt.playbook, now)]
            client.views_open(trigger_id=body["trigger_id"], view=draft_modal(case.number, text, choices))

        guarded(body, open_draft)

    @app.action(DRAFT_TEMPLATE_ACTION)
    def pick_template(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """A template chosen in the Draft modal refills the answer with it, rendered for this case."""
        ack()

        def refill() -> None:
            view = body.get("view") or {}
            metadata = str(view.get("private_metadata") or "")
            case = rt.store.get(_case_number(metadata))
            if case.claimant != body["user"]["id"]:
                raise NotAllowed(f"Only the claimant drafts the answer to {case.ref}.")
            chosen = str((body["actions"][0].get("selected_option") or {}).get("value") or "")
            choices = draft_choices(case, rt.playbook, rt.clock.now())
            picked = next((c for c in choices if c.name == chosen), None)
            if picked is None:
                raise NotAllowed(f"The playbook has no template {chosen!r} any more.")
            revision = _version(metadata) + 1 if ":" in metadata else 1
            options = [(c.name, c.label) for c in choices]
            modal = draft_modal(case.number, picked.text, options, chosen, revision)
            client.views_update(view_id=view.get("id"), hash=view.get("hash"), view=modal)

        guarded(body, refill)

    # buttons on a draft preview ---------------------------------------------------------------------
    @app.action(ACTION_IDS["approve"])
    def approve(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        value = _value(body)
        guarded(body, lambda: rt.desk.approve(_case_number(value), _version(value), body["user"]["id"]))

    @app.action(ACTION_IDS["request_changes"])
    def request_changes(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        value = _value(body)

        def open_comment() -> None:
            case = rt.store.get(_case_number(value))
            department = rt.playbook.departments.get(case.department)
            if department is None or not department.may_approve(body["user"]["id"]):
                raise NotAllowed(f"Only {case.department} approvers may review drafts of {case.ref}.")
            client.views_open(
                trigger_id=body["trigger_id"], view=request_changes_modal(case.number, _version(value))
            )

        guarded(body, open_comment)

    # modal submissions -----------------------------------------------------------------------------
    def submission(callback_id: str, block_id: str, act: Callable[[str, str, str], object]) -> None:
        @app.view(callback_id)
        def _submit(ack: Ack, body: dict[str, Any]) -> None:
            metadata = str((body.get("view") or {}).get("private_metadata") or "")
            try:
                act(metadata, body["user"]["id"], _input(body, block_id))
            except BridgeError as exc:
                ack(response_action="errors", errors={block_id: str(exc)[:150]})
                return
            ack()

    submission(
        "draft_submit",
        "draft",
        lambda meta, user, text: rt.desk.draft(_case_number(meta), user, text, "modal"),
    )
    submission(
        "request_changes_submit",
        "comment",
        lambda meta, user, text: rt.desk.request_changes(_case_number(meta), _version(meta), user, text),
    )
    submission(
        "ignore_submit", "reason", lambda meta, user, text: rt.desk.ignore(_case_number(meta), user, text)
    )
    submission(
        "reassign_submit",
        "department",
        lambda meta, user, text: rt.desk.reassign(_case_number(meta), user, text),
    )

    # thread replies ---------------------------------------------------------------------------------
    @app.event("message")
    def message(event: dict[str, Any], context: BoltContext) -> None:
        subtype = event.get("subtype")
        if subtype == "message_changed":
            changed = event.get("message") or {}
            previous = event.get("previous_message") or {}
            if changed.get("text") == previous.get("text"):
                return  # an unfurl or attachment change, not an edit of the words
            _thread_reply(rt, event.get("channel", ""), changed, edited=True)
        elif subtype in (None, "thread_broadcast"):
            _thread_reply(rt, event.get("channel", ""), event, edited=False)

    @app.event(re.compile(".*"))
    def other_events(ack: Ack) -> None:
        ack()  # subscribed events the bridge does not act on are acknowledged so Slack does not retry


def _thread_reply(rt: Runtime, channel: str, message: dict[str, Any], *, edited: bool) -> None:
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
