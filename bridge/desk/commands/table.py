"""Every ``/bridge`` subcommand once: its arguments, one line of help and who may use it.

``help``, each subcommand's usage error and the lists chat adapters show are all made from
:data:`SUBCOMMANDS`, so a new argument or a renamed command is written in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.domain.errors import NotAllowed

__all__ = [
    "BY_NAME",
    "COMMAND",
    "HELP",
    "SOCIAL_CONFIRMED",
    "SOCIAL_ONLY",
    "SUBCOMMANDS",
    "Subcommand",
    "help_text",
]

COMMAND = "/bridge"
#: Who may use a subcommand; a case's own department and the social team when not said otherwise.
SOCIAL_CONFIRMED = "social team only, confirmed first"
SOCIAL_ONLY = "social team only"


@dataclass(frozen=True)
class Subcommand:
    name: str
    arguments: str  # as people type them: "1042 billing"; optional ones in brackets: "[reason]"
    help: str
    who: str = ""

    @property
    def usage(self) -> str:
        return f"{self.name} {self.arguments}".strip()

    @property
    def required(self) -> int:
        """How many arguments must be given: those not in brackets."""
        return sum(1 for word in self.arguments.split() if not word.startswith("["))

    def line(self) -> str:
        """One line of ``help``."""
        return f"• `{self.usage}` — {self.help}" + (f" ({self.who})" if self.who else "")

    def check(self, args: list[str]) -> None:
        """Refuse too few arguments with this subcommand's usage."""
        if len(args) < self.required:
            raise NotAllowed(f"Usage: {COMMAND} {self.usage}")


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("route", "1042 billing", "move a case to another department"),
    Subcommand("assign", "1042 @alice", "assign a case on someone's behalf"),
    Subcommand("unassign", "1042", "take a case off its owner; it waits for a claim again"),
    Subcommand("status", "1042", "state, owner, deadlines and timeline"),
    Subcommand("queue", "[department]", "open cases, oldest first, with SLA status"),
    Subcommand("ignore", "1042 [reason]", "set a case aside without an answer"),
    Subcommand("reopen", "1042", "reopen an answered, resolved or ignored case"),
    Subcommand("resolve", "1042 [note]", "close a case"),
    Subcommand("retry", "1042", "post an approved answer again"),
    Subcommand("dm", "1042", "move to private messages (the move-to-DM reply goes to sign-off)"),
    Subcommand("public", "1042", "back from private messages to public replies"),
    Subcommand(
        "mute", "@handle|1042", "their posts (a case's author's) stop reaching the brand", SOCIAL_CONFIRMED
    ),
    Subcommand("unmute", "@handle|1042", "undo a mute", SOCIAL_CONFIRMED),
    Subcommand("hide", "1042", "hide the case's post under the brand's conversation", SOCIAL_CONFIRMED),
    Subcommand("unhide", "1042", "show a hidden post again", SOCIAL_CONFIRMED),
    Subcommand(
        "block", "1042", "block a case's author (Mastodon; X's API no longer blocks)", SOCIAL_CONFIRMED
    ),
    Subcommand(
        "report",
        "[department] [period]",
        "the desk's KPIs against targets; `report 1042` reports a case's author to their instance's "
        "moderators (social team only, confirmed first)",
    ),
    Subcommand("hours", "", "opening hours and whether the desk is open now"),
    Subcommand("help", "", "this list"),
)
BY_NAME: dict[str, Subcommand] = {sub.name: sub for sub in SUBCOMMANDS}

HELP = f"*{COMMAND}* commands:\n" + "\n".join(sub.line() for sub in SUBCOMMANDS)


def help_text(others: list[str]) -> str:
    """``help``: the table, then subcommands other parts of the bridge registered (``incident``)."""
    return HELP + "".join(f"\n• `{name}`" for name in others)
