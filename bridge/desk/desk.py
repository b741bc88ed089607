"""What people on the desk do to a case: claim, draft, note, approve, request changes, ignore, reassign.

Each method checks the person's role from the playbook, applies one atomic transition and enqueues the
chat updates. A refusal raises :class:`NotAllowed` whose text tells the person why and who may act;
nothing is half done when that happens.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Concatenate, ParamSpec, TypeVar

import structlog
from structlog.contextvars import bound_contextvars

from bridge.domain.clock import Clock
from bridge.domain.errors import NotAllowed
from bridge.domain.lifecycle import Action, State
from bridge.domain.model import Case, Draft
from bridge.domain.work import Dispatch
from bridge.playbook.model import Department, Playbook
from bridge.store.cases import Outcome, Store
from bridge.text.answer_length import answer_length

__all__ = ["NOTE_PREFIX", "Desk", "Done", "P", "R", "approval_notice", "people", "refusals_recorded", "who"]

NOTE_PREFIX = "note:"
#: A person or a channel-wide ping as chat adapters pass them on (``<@U123>``, ``<!here>``): words for
#: colleagues, never for a customer, so a thread reply holding one is not an answer.
_CHAT_ADDRESS = re.compile(r"<[@!][^<>\s]+>")


log = structlog.get_logger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


def who(user: str) -> str:
    """A reference to a person in core text; chat adapters render ``<@ID>`` their own way."""
    return f"<@{user}>"


def approval_notice(version: int, user: str) -> str:
    """What the case's thread is told when ``user`` approves draft ``version``."""
    return f"Draft v{version} approved by {who(user)}; posting it now."


def people(users: list[str]) -> str:
    return ", ".join(who(u) for u in users) or "nobody (none configured)"


@dataclass(frozen=True)
class Done:
    """What the acting person is told after a successful action."""

    message: str
    case: int
    version: int = 0


def refusals_recorded(
    action: str,
) -> Callable[[Callable[Concatenate[Desk, P], R]], Callable[Concatenate[Desk, P], R]]:
    """A desk action whose log lines carry its case number, and whose refusals are logged as
    ``refused`` (who, what, why), counted, and appended to the case's audit timeline: a second
    claim, a self-approval or a forged click leaves a trace an operator can find."""

    def decorate(method: Callable[Concatenate[Desk, P], R]) -> Callable[Concatenate[Desk, P], R]:
        signature = inspect.signature(method)

        def run(desk: Desk, /, *args: P.args, **kwargs: P.kwargs) -> R:
            call = signature.bind(desk, *args, **kwargs).arguments
            number, user = int(call["number"]), str(call["user"])
            with bound_contextvars(case=number):
                try:
                    return method(desk, *args, **kwargs)
                except NotAllowed as refusal:
                    desk.record_refusal(number, user, action, refusal)
                    raise

        functools.update_wrapper(run, method)
        return run

    return decorate


class Desk:
    def __init__(
        self,
        store: Store,
        playbook: Callable[[], Playbook],
        dispatch: Dispatch,
        clock: Clock,
        *,
        on_refused: Callable[[str], None] | None = None,
        rewrite_links: Callable[[int, str], str] | None = None,
    ) -> None:
        self.store = store
        self._playbook = playbook
        self.dispatch = dispatch
        self.clock = clock
        self.on_refused = on_refused or (lambda _action: None)
        # a draft's links as they will be posted (tracked links, when the playbook says so)
        self.rewrite_links = rewrite_links or (lambda _number, text: text)

    def record_refusal(self, number: int, user: str, action: str, refusal: NotAllowed) -> None:
        """Once per refusal, even when one action refuses inside another (a thread reply's draft)."""
        if getattr(refusal, "recorded", False):
            return
        refusal.recorded = True  # type: ignore[attr-defined]
        reason = str(refusal)[:500]
        log.warning("refused", by=user, action=action, reason=reason)
        self.store.record(number, "refused", user, attempted=action, reason=reason)
        self.on_refused(action)

    @property
    def playbook(self) -> Playbook:
        return self._playbook()

    def department_of(self, case: Case) -> Department:
        return self.playbook.departments.get(case.department) or self.playbook.social_team()

    def _refused(self, case: Case, outcome: Outcome, doing: str) -> NotAllowed:
        current = self.store.get(case.number)
        if current.state == State.CLAIMED and doing == "claim":
            return NotAllowed(f"{case.ref} is already claimed by {who(current.claimant)}.")
        if outcome.reason == "guard" and outcome.guard.startswith("draft_version="):
            return NotAllowed(
                f"{case.ref} has a newer draft (v{current.draft_version}); review that one instead."
            )
        if outcome.reason == "guard" and outcome.guard.startswith("mode="):
            return NotAllowed(f"{case.ref} was just moved to private messages; nothing was drafted.")
        return NotAllowed(f"Cannot {doing} {case.ref}: it is {current.state.value}.")

    # claim -----------------------------------------------------------------------------------------
    @refusals_recorded("claim")
    def claim(self, number: int, user: str) -> Done:
        case = self.store.get(number)
        department = self.department_of(case)
        if not department.may_claim(user):
            everyone = list(dict.fromkeys([*department.experts, *department.approvers]))
            raise NotAllowed(
                f"Only {case.department} experts and approvers may claim {case.ref}: {people(everyone)}."
            )
        if case.state == State.CLAIMED:
            raise NotAllowed(f"{case.ref} is already claimed by {who(case.claimant)}.")
        outcome = self.store.transition(
            number,
            Action.CLAIM,
            user,
            guards={"claimant": ""},
            values={"claimant": user, "claimed_at": self.clock.now()},
        )
        if not outcome.ok:
            raise self._refused(case, outcome, "claim")
        self.dispatch.refresh_card(number)
        log.info("claimed", by=user)
        return Done(f"You claimed {case.ref}. Reply in the card's thread to draft the answer.", number)

    # drafts and notes ------------------------------------------------------------------------------
    @refusals_recorded("draft")
    def thread_reply(self, number: int, user: str, text: str, source: str = "thread") -> Done | None:
        """A reply in a card's thread: a note when it starts with ``note:``, a draft from the claimant."""
        if text.strip().casefold().startswith(NOTE_PREFIX):
            self.note(number, user, text.strip()[len(NOTE_PREFIX) :].strip())
            return None
        case = self.store.get(number)
        if case.claimant != user:
            return None  # colleagues talking in the thread; only the claimant drafts
        address = _CHAT_ADDRESS.search(text)
        if address is not None:
            raise NotAllowed(
                f"Not taken as a draft for {case.ref}: it mentions someone in chat, which the customer "
                "would see as a code. Start with `note:` to talk to colleagues, or write the answer "
                "without the mention."
            )
        return self.draft(number, user, text, source)

    def note(self, number: int, user: str, text: str) -> None:
        self.store.transition(number, Action.NOTE, user, detail={"note": text[:2000]})

    @refusals_recorded("draft")
    def draft(
        self, number: int, user: str, text: str, source: str = "thread", *, private: bool = False
    ) -> Done:
        """A new draft version from the claimant. ``private`` marks it as the move-to-private-messages
        reply (``pending_private``), in the same atomic step as the draft itself: a refused draft leaves
        no mark, and any other draft clears a mark left by an earlier move-to-DM draft it replaces."""
        case = self.store.get(number)
        if case.claimant != user:
            owner = f"it is claimed by {who(case.claimant)}" if case.claimant else "claim it first"
            raise NotAllowed(f"Only the claimant drafts the answer to {case.ref}; {owner}.")
        if not text.strip():
            raise NotAllowed(f"The draft for {case.ref} is empty; write the answer the customer should read.")
        # stored as it will be posted: the preview, the length check and the sign-off see these words
        text = self.rewrite_links(number, text.strip())
        body = Draft(number, 0, text, user, source, self.clock.now()).to_json()
        outcome = self.store.transition(
            number,
            Action.DRAFT,
            user,
            # a move-to-DM reply only while the case is still public: moved meanwhile, nothing is drafted
            guards={"claimant": user, **({"mode": ""} if private else {})},
            values={"approved_version": 0, "approver": None, "pending_private": "1" if private else None},
            counter="draft_version",
            side_value=body,
        )
        if not outcome.ok:
            raise self._refused(case, outcome, "draft for")
        self.dispatch.post_preview(number, outcome.counter)
        if case.state == State.APPROVED and case.approved_version:
            self.dispatch.thread_notice(
                number,
                f"Draft v{outcome.counter} replaces approved v{case.approved_version}: that approval is "
                "withdrawn and nothing is posted until the new version is signed off.",
            )
        if case.pending_private and not private and case.mode != "private":
            self.dispatch.thread_notice(
                number,
                f"Draft v{outcome.counter} replaces the move-to-private-messages reply: {case.ref} stays "
                f"public. `/bridge dm {number}` drafts the move again.",
            )
        self.dispatch.refresh_card(number)
        log.info("drafted", by=user, version=outcome.counter, source=source)
        return Done(
            f"Draft v{outcome.counter} of {case.ref} is waiting for sign-off.", number, outcome.counter
        )

    def get_draft(self, number: int, version: int) -> Draft:
        draft = self.store.draft(number, version)
        if draft is None:
            raise NotAllowed(f"#{number} has no draft v{version}.")
        return Draft(number, version, draft.text, draft.author, draft.source, draft.created_at)

    # sign-off --------------------------------------------------------------------------------------
    def _check_approver(self, case: Case, user: str, doing: str) -> None:
        department = self.department_of(case)
        if not department.may_approve(user):
            raise NotAllowed(
                f"Only {case.department} approvers may {doing} {case.ref}: {people(department.approvers)}."
            )

    @refusals_recorded("approve")
    def approve(self, number: int, version: int, user: str) -> Done:
        case = self.store.get(number)
        self._check_approver(case, user, "approve")
        draft = self.get_draft(number, version)
        if self.playbook.sign_off.four_eyes and draft.author == user:
            raise NotAllowed(f"Four eyes: someone other than the author of draft v{version} must approve it.")
        length = answer_length(case, draft.text)
        if not length.valid:
            raise NotAllowed(f"Draft v{version} cannot be posted: {length.describe()}.")
        outcome = self.store.transition(
            number,
            Action.APPROVE,
            user,
            guards={"draft_version": str(version)},
            values={"approved_version": version, "approver": user},
            detail={"version": version},
        )
        if not outcome.ok:
            raise self._refused(case, outcome, "approve")
        self.dispatch.publish(number)
        self.dispatch.refresh_card(number)
        self.dispatch.thread_notice(number, approval_notice(version, user))
        log.info("approved", by=user, version=version, author=draft.author)
        return Done(f"You approved draft v{version} of {case.ref}.", number, version)

    @refusals_recorded("request_changes")
    def request_changes(self, number: int, version: int, user: str, comment: str = "") -> Done:
        case = self.store.get(number)
        self._check_approver(case, user, "review")
        outcome = self.store.transition(
            number,
            Action.REQUEST_CHANGES,
            user,
            guards={"draft_version": str(version)},
            detail={"version": version, "comment": comment[:2000]},
        )
        if not outcome.ok:
            raise self._refused(case, outcome, "request changes to")
        said = f": {comment}" if comment else "."
        self.dispatch.thread_notice(
            number, f"{who(case.claimant)}, {who(user)} asks for changes to draft v{version}{said}"
        )
        self.dispatch.refresh_card(number)
        return Done(f"You asked for changes to draft v{version} of {case.ref}.", number, version)

    # routing and setting aside --------------------------------------------------------------------
    def check_member(self, case: Case, user: str, doing: str) -> None:
        department = self.department_of(case)
        social = self.playbook.social_team()
        members = set(department.experts + department.approvers + social.experts + social.approvers)
        if members and user not in members:
            raise NotAllowed(f"Only {case.department} or social team members may {doing} {case.ref}.")

    @refusals_recorded("ignore")
    def ignore(self, number: int, user: str, reason: str = "") -> Done:
        case = self.store.get(number)
        self.check_member(case, user, "ignore")
        outcome = self.store.transition(
            number,
            Action.IGNORE,
            user,
            values={"ignore_reason": reason[:500]},
            detail={"reason": reason[:500]},
        )
        if not outcome.ok:
            raise self._refused(case, outcome, "ignore")
        self.dispatch.refresh_card(number)
        return Done(f"{case.ref} is ignored.", number)

    @refusals_recorded("reassign")
    def reassign(self, number: int, user: str, department: str) -> Done:
        case = self.store.get(number)
        self.check_member(case, user, "reassign")
        names = sorted(self.playbook.departments)
        typed, department = department, self.playbook.department_named(department) or ""
        if not department:
            raise NotAllowed(f"There is no department {typed!r}. Choose one of: {', '.join(names)}.")
        if department == case.department:
            raise NotAllowed(f"{case.ref} is already with {department}.")
        outcome = self.store.transition(
            number,
            Action.ROUTE,
            user,
            guards={"department": case.department},  # moved meanwhile: decide again on what it is now
            values={"department": department, "claimant": None, "claimed_at": None},
            detail={"from_department": case.department, "to_department": department},
        )
        if not outcome.ok and outcome.reason == "guard" and outcome.guard.startswith("department="):
            now_with = outcome.guard.removeprefix("department=")
            if now_with == department:
                raise NotAllowed(f"{case.ref} is already with {department}.")
            raise NotAllowed(f"{case.ref} was just moved to {now_with}; check it and route it again.")
        if not outcome.ok:
            raise self._refused(case, outcome, "reassign")
        self.dispatch.refresh_card(number)
        return Done(f"{case.ref} is now with {department}.", number)
