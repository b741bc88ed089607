"""Deliberate actions against people on the social platform: social team only, confirmed first.

``mute``, ``unmute``, ``hide``, ``unhide``, ``block`` and ``report`` answer with a
:class:`Confirmation` that the chat adapter turns into a dialog; :meth:`Moderation.confirmed` runs it
once confirmed, after checking again.
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.desk.commands.parsing import case_number, handle
from bridge.desk.commands.replies import CommandReply, Confirmation, Handler
from bridge.desk.desk import Desk
from bridge.desk.steering import Steering
from bridge.domain.errors import NotAllowed
from bridge.store.cases import Store

__all__ = ["CASE_ACTIONS", "CONFIRMED", "CONFIRMED_ACTIONS", "Confirmed", "Moderation"]


@dataclass(frozen=True)
class Confirmed:
    """A confirmed action: what the social team may be refused (``doing``) and the dialog's question,
    with ``{handle}``, and for an action on a case ``{ref}`` and ``{number}``, filled in."""

    doing: str
    prompt: str
    on_case: bool = False  # the target is a case number rather than a handle


CONFIRMED: dict[str, Confirmed] = {
    "mute": Confirmed("mute", "Mute @{handle}? Their posts stop reaching the brand's timeline; reversible."),
    "unmute": Confirmed("unmute", "Unmute @{handle}?"),
    "hide": Confirmed(
        "hide replies",
        "Hide @{handle}'s post of {ref} under the brand's conversation? "
        "Reversible with `/bridge unhide {number}`.",
        on_case=True,
    ),
    "unhide": Confirmed(
        "unhide replies", "Show @{handle}'s post of {ref} under the brand's conversation again?", on_case=True
    ),
    # against a case's author, on the case's platform (a Mastodon handle is user@instance)
    "mute_author": Confirmed(
        "mute",
        "Mute @{handle}, who wrote {ref}? Their posts stop reaching the brand's timeline; "
        "reversible with `/bridge unmute {number}`.",
        on_case=True,
    ),
    "unmute_author": Confirmed("unmute", "Unmute @{handle}, who wrote {ref}?", on_case=True),
    "block": Confirmed(
        "block",
        "Block @{handle}, who wrote {ref}? They can no longer follow or reach the brand's account; "
        "undone only in the account's settings on the instance.",
        on_case=True,
    ),
    "report": Confirmed(
        "report",
        "Report @{handle} and their post of {ref} to the instance's moderators? "
        "A report cannot be withdrawn.",
        on_case=True,
    ),
}
#: Confirmed actions on a case (the target is its number) rather than on a person (a handle).
CASE_ACTIONS = tuple(name for name, action in CONFIRMED.items() if action.on_case)
CONFIRMED_ACTIONS = tuple(CONFIRMED)


def _names_a_case(token: str) -> bool:
    """``1042`` or ``#1042`` names a case (whose author is meant); ``@someone`` a handle on X."""
    return not token.startswith("@") and token.lstrip("#").isascii() and token.lstrip("#").isdigit()


class Moderation:
    """The moderation subcommands of :class:`~bridge.desk.commands.entry.Commands`."""

    desk: Desk
    steering: Steering
    store: Store
    extra: dict[str, Handler]

    def confirm_first(self, user: str, action: str, token: str) -> CommandReply:
        """The dialog for one of :data:`CONFIRMED`: refused before it opens unless ``user`` is on the
        social team and ``token`` is a handle (or, for an action on a case, an existing case)."""
        what = CONFIRMED[action]
        self.steering.require_social(user, what.doing)
        if what.on_case:
            case = self.store.get(case_number(token))
            target = str(case.number)
            prompt = what.prompt.format(handle=case.author_handle, ref=case.ref, number=case.number)
        else:
            target = handle(token)
            prompt = what.prompt.format(handle=target)
        return CommandReply("Confirm in the dialog.", Confirmation(action, target, prompt))

    def mute(self, user: str, args: list[str]) -> CommandReply:
        return self.confirm_first(user, "mute_author" if _names_a_case(args[0]) else "mute", args[0])

    def unmute(self, user: str, args: list[str]) -> CommandReply:
        return self.confirm_first(user, "unmute_author" if _names_a_case(args[0]) else "unmute", args[0])

    def hide(self, user: str, args: list[str]) -> CommandReply:
        return self.confirm_first(user, "hide", args[0])

    def unhide(self, user: str, args: list[str]) -> CommandReply:
        return self.confirm_first(user, "unhide", args[0])

    def block(self, user: str, args: list[str]) -> CommandReply:
        """A case's author, on platforms that block (Mastodon); a handle gets X's alternatives."""
        if _names_a_case(args[0]):
            return self.confirm_first(user, "block", args[0])
        self.steering.require_social(user, "block")
        blocked = handle(args[0])
        return CommandReply(
            "X removed blocking from its API, so the bridge cannot block. "
            f"Use `/bridge mute @{blocked}` (reversible) or `/bridge hide <case>` to hide a reply."
        )

    def report(self, user: str, args: list[str]) -> CommandReply:
        """``report 1042`` reports a case's author (confirmed first); any other words ask for the
        desk's KPI report, a subcommand the runtime adds (:mod:`bridge.reports.chat_reports`)."""
        if args and args[0].lstrip("#").isdigit():
            return self.confirm_first(user, "report", args[0])
        kpis = self.extra.get("report")
        if kpis is None:
            raise NotAllowed("Usage: /bridge report 1042 (reports are not available here)")
        return kpis(user, args)

    def confirmed(self, user: str, confirmation: Confirmation, *, chat: str = "", channel: str = "") -> str:
        """Run a confirmed action: checked again (the dialog may be old), enqueued, audited."""
        self.steering.require_social(user, confirmation.action)
        if confirmation.action not in CONFIRMED:
            raise NotAllowed(f"Unknown action {confirmation.action!r}.")
        if CONFIRMED[confirmation.action].on_case:
            case = self.store.get(case_number(confirmation.target))
            target = str(case.number)
            self.store.record(case.number, f"{confirmation.action}_requested", user)
        else:
            target = handle(confirmation.target)
            self.store.record_global(f"{confirmation.action}_requested", user, handle=target)
        self.desk.dispatch.social_action(confirmation.action, target, user, chat, channel)
        return f"{confirmation.action.capitalize()} of {confirmation.target} is on its way."
