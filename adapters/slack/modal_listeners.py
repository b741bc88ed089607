"""Bolt listeners for submitted modals: the draft, a reviewer's requested changes, the reason to
ignore a case and the department to reassign it to. A refusal is shown in the modal, under the field
it is about, and the modal stays open."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

from adapters.slack.payloads import case_number, modal_input, version
from bridge.app.runtime import Runtime
from bridge.domain.errors import BridgeError

#: (private metadata, user, what was typed or chosen) → the desk's call.
Submit = Callable[[str, str, str], object]
ERROR_MAX_CHARS = 150


def register_submissions(app: App, rt: Runtime) -> None:
    """Each modal's callback id, the input block read from it, and the desk call it makes."""
    submissions: dict[str, tuple[str, Submit]] = {
        "draft_submit": (
            "draft",
            lambda meta, user, text: rt.desk.draft(case_number(meta), user, text, "modal"),
        ),
        "request_changes_submit": (
            "comment",
            lambda meta, user, text: rt.desk.request_changes(case_number(meta), version(meta), user, text),
        ),
        "ignore_submit": ("reason", lambda meta, user, text: rt.desk.ignore(case_number(meta), user, text)),
        "reassign_submit": (
            "department",
            lambda meta, user, text: rt.desk.reassign(case_number(meta), user, text),
        ),
    }
    for callback_id, (block_id, act) in submissions.items():
        _register_submission(app, callback_id, block_id, act)


def _register_submission(app: App, callback_id: str, block_id: str, act: Submit) -> None:
    @app.view(callback_id)
    def _submit(ack: Ack, body: dict[str, Any]) -> None:
        metadata = str((body.get("view") or {}).get("private_metadata") or "")
        try:
            act(metadata, body["user"]["id"], modal_input(body, block_id))
        except BridgeError as exc:
            ack(response_action="errors", errors={block_id: str(exc)[:ERROR_MAX_CHARS]})
            return
        ack()
