"""Crisis buttons on Teams cards: an ``adaptiveCard/action`` invoke with a ``crisis_…`` verb in, one
leadership desk call out (:mod:`bridge.crisis.buttons`, as the Slack listeners make it), and the
notice as the clicking person now sees it.

Teams shows the card an invoke returns to the clicker only, at once: the core's answer, or its
refusal ("Only leadership may …", "Four eyes: …"), is a line on their copy, and the worker's update
of the alert card brings everyone else up to date. Editing happens on that copy too: Edit answers
with the current text in an input, Save makes a new version that the worker posts for sign-off.
A value that names nothing raises :class:`~bridge.crisis.buttons.MalformedButton` for the caller to
answer as a malformed request (400); a notice that no longer exists is answered with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from adapters.teams.crisis_cards import CANCEL_VERBS, EDIT_INPUT, SAVE_VERBS, VERBS, EditForm, notice_card
from adapters.teams.people import TeamsPeople
from bridge.app.runtime import Runtime
from bridge.crisis.buttons import EDITS, NOTICE_OF, PRESSES, button_ids, press
from bridge.crisis.ports import Notice
from bridge.crisis.views import alert_notice
from bridge.domain.errors import BridgeError

GONE = "That notice is out of date: its alert or incident is no longer known."


@dataclass(frozen=True)
class Outcome:
    """What a click leaves on the clicker's copy: the core's words and, while editing, the form."""

    answer: tuple[str, str] | None = None  # (text, "good" | "attention")
    form: EditForm | None = None


#: (what the notice is, user, button value, the invoke's data) → outcome
Step = Callable[[str, str, str, dict[str, Any]], Outcome]


class CrisisActions:
    def __init__(self, rt: Runtime, people: TeamsPeople) -> None:
        self.rt = rt
        self.people = people
        self._steps: dict[str, tuple[str, Step]] = {}
        for action in PRESSES:
            self._steps[VERBS[action]] = (NOTICE_OF[action], partial(self._press, action))
        for action, what in EDITS.items():
            self._steps[VERBS[action]] = (what, self._open_form)
            self._steps[SAVE_VERBS[what]] = (what, self._save)
            self._steps[CANCEL_VERBS[what]] = (what, lambda *_: Outcome())

    def handles(self, verb: str) -> bool:
        return verb in self._steps

    def handle(self, verb: str, user: str, data: dict[str, Any]) -> dict[str, Any] | str:
        """The card the clicker now sees, or a message when the notice is gone. Raises
        :class:`~bridge.crisis.buttons.MalformedButton` when ``data.value`` names nothing."""
        what, step = self._steps[verb]
        value = str(data.get("value") or "")
        button_ids(value)  # a malformed value is refused before anything is done
        try:
            outcome = step(what, user, value, data)
        except BridgeError as exc:
            outcome = Outcome((str(exc), "attention"))
        notice = self._notice(what, value)
        if notice is None:
            return outcome.answer[0] if outcome.answer else GONE
        return notice_card(notice, name_of=self.people.name_of, answer=outcome.answer, edit=outcome.form)

    # steps ---------------------------------------------------------------------------------------------
    def _press(self, action: str, _what: str, user: str, value: str, _data: dict[str, Any]) -> Outcome:
        return Outcome((press(self.rt.crisis.leadership, action, value, user), "good"))

    def _open_form(self, what: str, user: str, value: str, _data: dict[str, Any]) -> Outcome:
        """The latest version's text in the input, refused up front to those who may not edit."""
        text = self.rt.crisis.leadership.current_text(button_ids(value)[0], what, user)
        return Outcome(form=EditForm(what, value, text))

    def _save(self, what: str, user: str, value: str, data: dict[str, Any]) -> Outcome:
        """A new version; refused, the form stays open with what was typed so nothing is lost."""
        typed = data.get(EDIT_INPUT)
        text = typed if isinstance(typed, str) else ""
        try:
            said = self.rt.crisis.leadership.edit(button_ids(value)[0], what, user, text)
        except BridgeError as exc:
            return Outcome((str(exc), "attention"), EditForm(what, value, text))
        return Outcome((said, "good"))

    # the notice clicked ----------------------------------------------------------------------------------
    def _notice(self, what: str, value: str) -> Notice | None:
        """The notice as the core renders it now: the alert, or the clicked version of a preview."""
        first, version = button_ids(value)
        crisis = self.rt.crisis
        if what == "alert":
            alert = crisis.alerts.get(first)
            return alert_notice(alert) if alert is not None else None
        incident = crisis.incidents.get(first)
        return crisis.board.previews[what](incident, version) if incident is not None else None
