"""Subcommands that change a case: route, assign, ignore, reopen, resolve, retry, dm and public.

Each reads its arguments and hands over to the desk or the steering service, where the decision and
the change are one atomic transition; nothing here writes the store.
"""

from __future__ import annotations

from bridge.desk.commands.parsing import case_number, person, rest, unquoted
from bridge.desk.commands.replies import CommandReply
from bridge.desk.desk import Desk
from bridge.desk.steering import Steering

__all__ = ["CaseCommands"]


class CaseCommands:
    """The case-changing subcommands of :class:`~bridge.desk.commands.entry.Commands`; their arguments
    were counted against the command table before they run."""

    desk: Desk
    steering: Steering

    def route(self, user: str, args: list[str]) -> CommandReply:
        department = unquoted(rest(args, 1))
        return CommandReply(self.desk.reassign(case_number(args[0]), user, department).message)

    def assign(self, user: str, args: list[str]) -> CommandReply:
        return CommandReply(self.steering.assign(case_number(args[0]), user, person(args[1])).message)

    def unassign(self, user: str, args: list[str]) -> CommandReply:
        return CommandReply(self.steering.unassign(case_number(args[0]), user).message)

    def ignore(self, user: str, args: list[str]) -> CommandReply:
        return CommandReply(self.desk.ignore(case_number(args[0]), user, rest(args, 1)).message)

    def reopen(self, user: str, args: list[str]) -> CommandReply:
        return CommandReply(self.steering.reopen(case_number(args[0]), user).message)

    def resolve(self, user: str, args: list[str]) -> CommandReply:
        return CommandReply(self.steering.resolve(case_number(args[0]), user, rest(args, 1)).message)

    def retry(self, user: str, args: list[str]) -> CommandReply:
        return CommandReply(self.steering.retry(case_number(args[0]), user).message)

    def dm(self, user: str, args: list[str]) -> CommandReply:
        """Draft the move-to-private-messages reply (:meth:`Steering.move_to_private`)."""
        return CommandReply(self.steering.move_to_private(case_number(args[0]), user).message)

    def public(self, user: str, args: list[str]) -> CommandReply:
        """Back to public replies (:meth:`Steering.go_public`)."""
        return CommandReply(self.steering.go_public(case_number(args[0]), user).message)
