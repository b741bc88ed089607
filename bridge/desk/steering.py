"""The social team's hand on the wheel: assign on someone's behalf, unassign, resolve, reopen.

These are the desk's actions that are not an expert's own (claim, draft, approve live in
:mod:`bridge.desk.desk`). Each checks who may steer and applies one transition from the lifecycle table.
"""

from __future__ import annotations

from bridge.desk.desk import Desk, Done, people, who
from bridge.domain.errors import NotAllowed
from bridge.domain.lifecycle import Action
from bridge.domain.model import Case


class Steering:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.store = desk.store

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
