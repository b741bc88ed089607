"""Bolt listeners for the buttons on a case card and on a draft preview, and the Draft modal's
template picker. Each click is one desk call, or a dialog opened for the person who clicked; what the
desk refuses is told to them (:func:`adapters.slack.answers.guarded`)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from adapters.slack.answers import guarded
from adapters.slack.cards import (
    ACTION_IDS,
    DRAFT_TEMPLATE_ACTION,
    draft_modal,
    ignore_modal,
    reassign_modal,
    request_changes_modal,
)
from adapters.slack.payloads import button_value, case_number, version
from bridge.app.runtime import Runtime
from bridge.domain.errors import NotAllowed
from bridge.playbook.coverage import reachable_departments
from bridge.playbook.templates import draft_choices, starting_text


def register_card_buttons(app: App, rt: Runtime) -> None:
    """Claim, Reassign, Ignore and Draft on a case card; Approve and Request changes on a preview."""
    register_case_buttons(app, rt)
    register_draft_buttons(app, rt)
    register_review_buttons(app, rt)


def register_case_buttons(app: App, rt: Runtime) -> None:
    """Claim, and the dialogs of Reassign (a department picker) and Ignore (a reason)."""

    @app.action(ACTION_IDS["claim"])
    def claim(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        user = body["user"]["id"]
        guarded(rt, body, lambda: rt.desk.claim(case_number(button_value(body)), user))

    @app.action(ACTION_IDS["reassign"])
    def reassign(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()

        def open_picker() -> None:
            case = rt.store.get(case_number(button_value(body)))
            departments = reachable_departments(rt.playbook, rt.chats.keys())
            view = reassign_modal(case.number, departments, case.department)
            client.views_open(trigger_id=body["trigger_id"], view=view)

        guarded(rt, body, open_picker)

    @app.action(ACTION_IDS["ignore"])
    def ignore(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()

        def open_reason() -> None:
            case = rt.store.get(case_number(button_value(body)))
            client.views_open(trigger_id=body["trigger_id"], view=ignore_modal(case.number))

        guarded(rt, body, open_reason)


def register_draft_buttons(app: App, rt: Runtime) -> None:
    """Draft opens the answer's dialog for the claimant; a template picked in it refills the answer."""

    @app.action(ACTION_IDS["draft"])
    def draft(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()

        def open_draft() -> None:
            case = rt.store.get(case_number(button_value(body)))
            if case.claimant != body["user"]["id"]:
                raise NotAllowed(f"Only the claimant drafts the answer to {case.ref}.")
            latest = rt.store.draft(case.number, case.draft_version) if case.draft_version else None
            now = rt.clock.now()
            text = latest.text if latest else starting_text(case, rt.playbook, now)
            choices = [(c.name, c.label) for c in draft_choices(case, rt.playbook, now)]
            client.views_open(trigger_id=body["trigger_id"], view=draft_modal(case.number, text, choices))

        guarded(rt, body, open_draft)

    @app.action(DRAFT_TEMPLATE_ACTION)
    def pick_template(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """A template chosen in the Draft modal refills the answer with it, rendered for this case."""
        ack()
        guarded(rt, body, lambda: _refill_draft(rt, body, client))


def _refill_draft(rt: Runtime, body: dict[str, Any], client: WebClient) -> None:
    view = body.get("view") or {}
    metadata = str(view.get("private_metadata") or "")
    case = rt.store.get(case_number(metadata))
    if case.claimant != body["user"]["id"]:
        raise NotAllowed(f"Only the claimant drafts the answer to {case.ref}.")
    chosen = str((body["actions"][0].get("selected_option") or {}).get("value") or "")
    choices = draft_choices(case, rt.playbook, rt.clock.now())
    picked = next((c for c in choices if c.name == chosen), None)
    if picked is None:
        raise NotAllowed(f"The playbook has no template {chosen!r} any more.")
    revision = version(metadata) + 1 if ":" in metadata else 1
    options = [(c.name, c.label) for c in choices]
    modal = draft_modal(case.number, picked.text, options, chosen, revision)
    client.views_update(view_id=view.get("id"), hash=view.get("hash"), view=modal)


def register_review_buttons(app: App, rt: Runtime) -> None:
    """Approve a draft, or open the comment dialog of Request changes (for the department's approvers)."""

    @app.action(ACTION_IDS["approve"])
    def approve(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        value = button_value(body)
        guarded(rt, body, lambda: rt.desk.approve(case_number(value), version(value), body["user"]["id"]))

    @app.action(ACTION_IDS["request_changes"])
    def request_changes(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        value = button_value(body)

        def open_comment() -> None:
            case = rt.store.get(case_number(value))
            department = rt.playbook.departments.get(case.department)
            if department is None or not department.may_approve(body["user"]["id"]):
                raise NotAllowed(f"Only {case.department} approvers may review drafts of {case.ref}.")
            client.views_open(
                trigger_id=body["trigger_id"], view=request_changes_modal(case.number, version(value))
            )

        guarded(rt, body, open_comment)
