"""The social team's hand on the wheel: assign on someone's behalf, unassign, resolve, reopen, and
moving a conversation to private messages and back.

These are the desk's actions that are not an expert's own (claim, draft, approve live in
:mod:`bridge.desk.desk`). Each checks who may steer and applies one transition from the lifecycle table,
guarded by what the check was made on, so a case that changed meanwhile is refused rather than half
changed.
"""

from __future__ import annotations

from collections.abc import Callable

from bridge.desk.desk import Desk, Done, people, who
from bridge.domain.errors import NotAllowed
from bridge.domain.lifecycle import Action, State, allowed
from bridge.domain.model import Case
from bridge.domain.windows import private_window
from bridge.playbook.templates import case_context, render

__all__ = ["DEFAULT_MOVE_TO_DM", "DEFAULT_PRIVATE_REPLY", "Steering"]

DEFAULT_MOVE_TO_DM = (
    "Hi @{{ author.handle }}, we'd like to sort this out with you personally. Please send us a direct "
    "message with your order or account number and we'll take it from there."
)

#: Where the move to private is the private reply itself (Meta): it goes to the customer's inbox.
DEFAULT_PRIVATE_REPLY = (
    "Hi, thanks for your comment. We'd like to sort this out with you personally: reply to this "
    "message with your order or account number and we'll take it from there."
)


class Steering:
    def __init__(self, desk: Desk, on_resolved: Callable[[int], object] | None = None) -> None:
        self.desk = desk
        self.store = desk.store
        self.on_resolved = on_resolved or (lambda _number: None)  # e.g. plan the customer's survey

    def social_team(self) -> list[str]:
        team = self.desk.playbook.social_team()
        return sorted(set(team.experts + team.approvers))

    def is_social(self, user: str) -> bool:
        return user in self.social_team()

    def require_social(self, user: str, doing: str) -> None:
        if not self.is_social(user):
            raise NotAllowed(f"Only the social team may {doing}: {people(self.social_team())}.")

    def may_steer(self, case: Case, user: str, doing: str) -> None:
        """The social team steers every case; a department's own people steer theirs."""
        if self.is_social(user):
            return
        self.desk.check_member(case, user, doing)

    def assign(self, number: int, by: str, assignee: str) -> Done:
        case = self.store.get(number)
        self.may_steer(case, by, "assign")
        department = self.desk.department_of(case)
        if not department.may_claim(assignee):
            raise NotAllowed(
                f"{who(assignee)} is not an expert of {case.department}: {people(department.experts)}."
            )
        outcome = self.store.transition(
            number,
            Action.ASSIGN,
            by,
            values={"claimant": assignee, "claimed_at": self.desk.clock.now()},
            detail={"assignee": assignee},
        )
        if not outcome.ok:
            raise NotAllowed(f"Cannot assign {case.ref}: it is {outcome.state.value}.")
        self.desk.dispatch.refresh_card(number)
        self.desk.dispatch.thread_notice(number, f"{who(by)} assigned {case.ref} to {who(assignee)}.")
        return Done(f"{case.ref} is assigned to {who(assignee)}.", number)

    def take(self, number: int, user: str, doing: str) -> Done:
        """``user`` takes an unclaimed case to do something themselves (``doing``, e.g. "move it to
        private messages"): an expert of its department, or a social-team member (the social team
        steers every case; the department's approvers still sign off whatever they draft). A claim
        made meanwhile wins: nobody's claim is taken away."""
        case = self.store.get(number)
        department = self.desk.department_of(case)
        if not (department.may_claim(user) or self.is_social(user)):
            raise NotAllowed(
                f"Only {case.department} experts or the social team may take {case.ref} to {doing}: "
                f"{people(sorted(set(department.experts) | set(self.social_team())))}."
            )
        outcome = self.store.transition(
            number,
            Action.ASSIGN,
            user,
            guards={"claimant": ""},
            values={"claimant": user, "claimed_at": self.desk.clock.now()},
            detail={"assignee": user, "to": doing},
        )
        if not outcome.ok:
            current = self.store.get(number)
            if current.claimant and current.claimant != user:
                raise NotAllowed(f"{case.ref} was just claimed by {who(current.claimant)}.")
            raise NotAllowed(f"Cannot take {case.ref} to {doing}: it is {outcome.state.value}.")
        self.desk.dispatch.refresh_card(number)
        return Done(f"You took {case.ref}.", number)

    def release(self, number: int, user: str) -> None:
        """Undo :meth:`take` when what it was for failed: back to waiting for a claim, unless the case
        moved on meanwhile (then it is left as it is)."""
        outcome = self.store.transition(
            number,
            Action.UNCLAIM,
            user,
            guards={"claimant": user},
            values={"claimant": None, "claimed_at": None},
            detail={"previous": user, "undone": "take"},
        )
        if outcome.ok:
            self.desk.dispatch.refresh_card(number)

    def unassign(self, number: int, by: str) -> Done:
        case = self.store.get(number)
        self.may_steer(case, by, "unassign")
        outcome = self.store.transition(
            number,
            Action.UNCLAIM,
            by,
            values={"claimant": None, "claimed_at": None},
            detail={"previous": case.claimant},
        )
        if not outcome.ok:
            raise NotAllowed(f"Cannot unassign {case.ref}: it is {outcome.state.value}.")
        self.desk.dispatch.refresh_card(number)
        return Done(f"{case.ref} is unassigned and waits for a claim again.", number)

    def resolve(self, number: int, by: str, reason: str = "") -> Done:
        case = self.store.get(number)
        self.may_steer(case, by, "resolve")
        detail = {"reason": reason[:500]} if reason else None
        outcome = self.store.transition(number, Action.RESOLVE, by, detail=detail)
        if not outcome.ok:
            raise NotAllowed(f"Cannot resolve {case.ref}: it is {outcome.state.value}.")
        self.desk.dispatch.refresh_card(number)
        self.on_resolved(number)
        return Done(f"{case.ref} is resolved.", number)

    def reopen(self, number: int, by: str) -> Done:
        case = self.store.get(number)
        self.may_steer(case, by, "reopen")
        outcome = self.store.transition(
            number, Action.REOPEN, by, values={"claimant": None, "claimed_at": None}
        )
        if not outcome.ok:
            raise NotAllowed(f"Cannot reopen {case.ref}: it is {outcome.state.value}.")
        self.desk.dispatch.refresh_card(number)
        return Done(f"{case.ref} is reopened and waits for a claim.", number)

    def retry(self, number: int, by: str) -> Done:
        """Post an approved answer again. Only asks: the publisher decides, atomically, whether the
        answer already went out before posting anything."""
        case = self.store.get(number)
        self.may_steer(case, by, "retry posting")
        if case.state not in (State.APPROVED, State.POSTING):
            raise NotAllowed(
                f"{case.ref} has no approved answer waiting to be posted (it is {case.state.value})."
            )
        self.desk.dispatch.publish(number)
        self.store.record(number, "retry_requested", by)
        return Done(
            f"Trying {case.ref} again: the bridge first checks whether the answer already went out.", number
        )

    # public and private conversations -----------------------------------------------------------------
    def move_to_private(self, number: int, user: str) -> Done:
        """Draft the move-to-private-messages reply. The case switches to private only once that very
        draft is approved and posted (``pending_private`` is set with the draft, atomically, and only
        while the case is still public).

        An unclaimed case is taken by the caller first: an expert of its department, or anyone on the
        social team, which steers every case (the draft is theirs; the department's approvers sign it
        off, four eyes). If the draft is refused, the case is given back: nothing is half done."""
        case = self.store.get(number)
        if case.mode == "private":
            raise NotAllowed(f"{case.ref} is already in private messages.")
        if case.claimant and case.claimant != user:
            raise NotAllowed(
                f"{case.ref} is claimed by {who(case.claimant)}; they move it to private messages"
                + self._how_to_take_over(case, user)
                + "."
            )
        if not allowed(Action.DRAFT if case.claimant else Action.ASSIGN, case.state):
            hint = (
                " (it reopens when the customer writes again)"
                if case.state in (State.POSTED, State.RESOLVED)
                else ""
            )
            raise NotAllowed(f"Cannot move {case.ref} to private messages: it is {case.state.value}{hint}.")
        self._check_window(case)
        took = not case.claimant
        if took:
            self.take(number, user, "move it to private messages")
        playbook = self.desk.playbook
        worded = playbook.templates.named(case.platform)
        template = worded.get("move_to_dm") or DEFAULT_MOVE_TO_DM
        if private_window(case, self.desk.clock.now()) is not None:
            template = worded.get("private_reply") or DEFAULT_PRIVATE_REPLY
        text = render(str(template), case_context(self.store.get(number), playbook.brand.name))
        try:
            done = self.desk.draft(number, user, text, source="dm", private=True)
        except NotAllowed:  # refused before anything changed: give back what was taken for it
            if took:
                self.release(number, user)
            raise
        return Done(
            f"Drafted the move-to-private-messages reply (v{done.version}) for sign-off. Once it "
            f"is posted, @{case.author_handle}'s direct messages join the case's thread.",
            number,
            done.version,
        )

    def _check_window(self, case: Case) -> None:
        """Where the platform answers privately only within a window (Meta), refuse a move outside
        it before anyone drafts, and say so in the case's thread."""
        window = private_window(case, self.desk.clock.now())
        if window is None:
            return
        if window.kind == "messaging":
            raise NotAllowed(f"{case.ref} is already a private message: answer it in the thread.")
        if not window.open:
            said = (
                f"A private reply to {case.ref} is no longer possible: {case.platform.capitalize()} allows "
                f"one within 7 days of the comment (closed {window.closes_at:%Y-%m-%d %H:%M} UTC). "
                "Answer publicly in this thread instead."
            )
            self.desk.dispatch.thread_notice(case.number, said)
            raise NotAllowed(said)

    def _how_to_take_over(self, case: Case, user: str) -> str:
        """What actually lets ``user`` act on a case someone else claimed, if anything does."""
        if self.desk.department_of(case).may_claim(user):
            return f" (or `/bridge assign {case.number} {who(user)}` it to you first)"
        if self.is_social(user):
            return f" (or `/bridge unassign {case.number}` first, then `/bridge dm {case.number}`)"
        return ""

    def go_public(self, number: int, by: str) -> Done:
        """Back to public replies: from a private conversation (``go_public``, the case waits for its
        claimant's next answer), or by calling off a move that is pending or a private answer under
        way (``leave_private``, the state stays).

        One transition guarded by the mode and the pending move the decision was made on: if the
        move-to-DM reply went out meanwhile, or someone else already brought the case back, the case is
        left as it now is and the person is told, instead of a private case losing its mode."""
        case = self.store.get(number)
        if case.mode != "private" and not case.pending_private:
            raise NotAllowed(f"{case.ref} is not in private messages.")
        self.may_steer(case, by, "move back to public")
        outcome = self.store.transition(
            number,
            Action.GO_PUBLIC if case.state is State.PRIVATE else Action.LEAVE_PRIVATE,
            by,
            guards={"mode": case.mode, "pending_private": case.pending_private},
            values={"mode": "", "pending_private": None},
        )
        if not outcome.ok:
            raise self._changed_meanwhile(case)
        self.desk.dispatch.thread_notice(number, f"{who(by)} moved {case.ref} back to public replies.")
        self.desk.dispatch.refresh_card(number)
        return Done(f"{case.ref} is public again: the next answer is a public reply.", number)

    def _changed_meanwhile(self, seen: Case) -> NotAllowed:
        now = self.store.get(seen.number)
        if now.mode != "private" and not now.pending_private:
            return NotAllowed(f"{seen.ref} is not in private messages any more: it changed meanwhile.")
        where = "in private messages" if now.mode == "private" else "waiting to move to private messages"
        return NotAllowed(
            f"{seen.ref} changed meanwhile: it is {now.state.value}, {where}. Nothing was changed; "
            f"check it and run `/bridge public {seen.number}` again."
        )
