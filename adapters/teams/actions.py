"""Card buttons: an ``adaptiveCard/action`` invoke in, a desk call, the card as its clicker sees it out.
Crisis notices' buttons (``crisis_…`` verbs) go to :mod:`adapters.teams.crisis_actions`.

Teams shows the card this returns to the person who clicked, at once and only to them, so a refusal
("already claimed by …") appears on their view of the card; the worker's card update brings everyone
else up to date. A request that does not name a case or a known verb is the sender's mistake: HTTP 400.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adapters.teams.cards import VERBS, DraftForm, case_card, preview_card
from adapters.teams.crisis_actions import CrisisActions
from adapters.teams.people import TeamsPeople
from adapters.teams.previews import public_status
from adapters.teams.set_aside import NEEDS_ANSWER_VERB, needs_answer
from bridge.app.runtime import Runtime
from bridge.desk.cardview import card_view
from bridge.desk.commands import Confirmation
from bridge.desk.desk import people as list_people
from bridge.domain.errors import BridgeError, MalformedButton, NotAllowed, UnknownCase
from bridge.domain.lifecycle import State
from bridge.domain.ports import DraftPreview
from bridge.playbook.coverage import reachable_departments
from bridge.playbook.templates import draft_choices, starting_text

CARD = "application/vnd.microsoft.card.adaptive"
MESSAGE = "application/vnd.microsoft.activity.message"
ERROR = "application/vnd.microsoft.error"


class BadAction(ValueError):
    """The invoke is malformed: no case, no version, an unknown verb."""


@dataclass(frozen=True)
class CardAnswer:
    """What to answer an invoke with: the HTTP status and the Universal Actions response."""

    http_status: int
    status_code: int
    type: str
    value: Any


def _int(data: dict[str, Any], key: str) -> int:
    try:
        return int(str(data[key]).lstrip("#"))
    except (KeyError, ValueError, TypeError):
        raise BadAction(f"the action's data has no valid {key!r}") from None


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


class CardActions:
    def __init__(self, rt: Runtime, people: TeamsPeople) -> None:
        self.rt = rt
        self.people = people
        self.crisis = CrisisActions(rt, people)
        self._case_verbs: dict[str, Callable[[int, str, dict[str, Any]], object]] = {
            VERBS["claim"]: lambda n, user, _d: rt.desk.claim(n, user),
            VERBS["reassign"]: lambda n, user, d: rt.desk.reassign(n, user, _text(d, "department")),
            VERBS["ignore"]: lambda n, user, d: rt.desk.ignore(n, user, _text(d, "reason")),
            VERBS["submit_draft"]: self._submit_draft,
            VERBS["view"]: lambda _n, _u, _d: None,
        }
        self._draft_verbs: dict[str, Callable[[int, int, str, dict[str, Any]], object]] = {
            VERBS["approve"]: lambda n, v, user, _d: rt.desk.approve(n, v, user),
            VERBS["request_changes"]: lambda n, v, user, d: rt.desk.request_changes(
                n, v, user, _text(d, "comment")
            ),
            VERBS["refresh_preview"]: lambda _n, _v, _u, _d: None,
        }

    # entry -----------------------------------------------------------------------------------------
    def handle(self, user: str, value: dict[str, Any], conversation: str) -> CardAnswer:
        action = value.get("action")
        if not isinstance(action, dict) or action.get("type") != "Action.Execute":
            return self._bad("the invoke carries no Action.Execute")
        verb = str(action.get("verb") or "")
        raw = action.get("data")
        data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        try:
            if verb in self._case_verbs or verb in (VERBS["draft"], VERBS["draft_template"]):
                return self._case(verb, _int(data, "case"), user, data)
            if verb in self._draft_verbs:
                return self._draft(verb, _int(data, "case"), _int(data, "version"), user, data)
            if verb in (VERBS["confirm"], VERBS["cancel"]):
                return self._confirm(verb, user, data, conversation)
            if verb == NEEDS_ANSWER_VERB:  # the set-aside digest's button (adapters.teams.set_aside)
                return CardAnswer(200, 200, MESSAGE, needs_answer(self.rt, user, data))
            if self.crisis.handles(verb):
                return self._crisis(verb, user, data)
        except BadAction as exc:
            return self._bad(str(exc))
        except UnknownCase as exc:
            return CardAnswer(200, 200, MESSAGE, str(exc))
        return self._bad(f"unknown verb {verb!r}")

    @staticmethod
    def _bad(message: str) -> CardAnswer:
        return CardAnswer(400, 400, ERROR, {"code": "BadRequest", "message": message})

    # case card -------------------------------------------------------------------------------------
    def _submit_draft(self, number: int, user: str, data: dict[str, Any]) -> object:
        text = _text(data, "draft")
        if not text:
            raise NotAllowed("Write the answer in the box first.")
        return self.rt.desk.draft(number, user, text, "card")

    def _case(self, verb: str, number: int, user: str, data: dict[str, Any]) -> CardAnswer:
        notice: tuple[str, str] | None = None
        form: DraftForm | None = None
        try:
            if verb in (VERBS["draft"], VERBS["draft_template"]):
                chosen = _text(data, "template") if verb == VERBS["draft_template"] else ""
                form = self._draft_form(number, user, chosen)
            else:
                done = self._case_verbs[verb](number, user, data)
                notice = (done.message, "good") if hasattr(done, "message") else None
        except UnknownCase:
            raise
        except BridgeError as exc:
            notice = (str(exc), "attention")
        view = card_view(self.rt.store.get(number))
        card = case_card(
            view,
            name_of=self.people.name_of,
            departments=reachable_departments(self.rt.playbook, self.rt.chats.keys()),
            notice=notice,
            draft_form=form,
        )
        return CardAnswer(200, 200, CARD, card)

    def _draft_form(self, number: int, user: str, chosen: str) -> DraftForm:
        """The draft input as the Slack modal opens it: the latest draft, else the playbook's starting
        text; choosing a template refills it with that template, rendered for this case."""
        case = self.rt.store.get(number)
        if case.claimant != user:
            raise NotAllowed(f"Only the claimant drafts the answer to {case.ref}.")
        playbook, now = self.rt.playbook, self.rt.clock.now()
        choices = draft_choices(case, playbook, now)
        options = [(c.name, c.label) for c in choices]
        if chosen:
            picked = next((c for c in choices if c.name == chosen), None)
            if picked is None:
                raise NotAllowed(f"The playbook has no template {chosen!r} any more.")
            return DraftForm(picked.text, options, chosen)
        latest = self.rt.store.draft(number, case.draft_version) if case.draft_version else None
        return DraftForm(latest.text if latest else starting_text(case, playbook, now), options)

    # draft preview ---------------------------------------------------------------------------------
    def preview(self, number: int, version: int) -> DraftPreview:
        """The preview as :class:`bridge.flow.chat_updates.ChatUpdates` posts it."""
        return self.rt.chat_updates.preview(number, version)

    def status_for(self, viewer: str, number: int, version: int) -> str:
        """What this viewer's copy of a preview says instead of buttons ("" keeps the buttons): what
        everyone sees (:func:`~adapters.teams.previews.public_status`) unless they may act on it."""
        case = self.rt.store.get(number)
        department = self.rt.desk.department_of(case)
        shown = public_status(card_view(case), version, department.approvers)
        if case.state != State.DRAFTED or case.draft_version != version or not department.may_approve(viewer):
            return shown
        if self.rt.playbook.sign_off.four_eyes and self.rt.desk.get_draft(number, version).author == viewer:
            others = [a for a in department.approvers if a != viewer]
            return f"Waiting for sign-off by {list_people(others)}: a second person approves your draft."
        return ""

    def _draft(self, verb: str, number: int, version: int, user: str, data: dict[str, Any]) -> CardAnswer:
        notice: tuple[str, str] | None = None
        try:
            done = self._draft_verbs[verb](number, version, user, data)
            notice = (done.message, "good") if hasattr(done, "message") else None
        except UnknownCase:
            raise
        except BridgeError as exc:
            notice = (str(exc), "attention")
        try:
            preview = self.preview(number, version)
        except NotAllowed as exc:
            return CardAnswer(200, 200, MESSAGE, str(exc))
        card = preview_card(
            preview,
            name_of=self.people.name_of,
            status=self.status_for(user, number, version),
            notice=notice,
            refresh_for=(),
        )
        return CardAnswer(200, 200, CARD, card)

    # crisis notices (alert, statement and bulk-reply previews) -----------------------------------------
    def _crisis(self, verb: str, user: str, data: dict[str, Any]) -> CardAnswer:
        try:
            shown = self.crisis.handle(verb, user, data)
        except MalformedButton as exc:
            raise BadAction(str(exc)) from None
        return CardAnswer(200, 200, CARD if isinstance(shown, dict) else MESSAGE, shown)

    # confirmations (mute, unmute, hide) --------------------------------------------------------------
    def _confirm(self, verb: str, user: str, data: dict[str, Any], conversation: str) -> CardAnswer:
        action, target = _text(data, "action"), _text(data, "target")
        if not action or not target:
            raise BadAction("the confirmation names no action and target")
        if verb == VERBS["cancel"]:
            return CardAnswer(200, 200, MESSAGE, f"Cancelled: nothing was done to {target}.")
        try:
            said = self.rt.commands.confirmed(
                user, Confirmation(action, target, ""), chat="teams", channel=conversation
            )
        except BridgeError as exc:
            return CardAnswer(200, 200, MESSAGE, f"Not done: {exc}")
        return CardAnswer(200, 200, MESSAGE, said)
