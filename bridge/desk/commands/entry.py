"""The one entry point chat adapters call: :class:`Commands` answers ``/bridge …`` for every platform.

Chat adapters hand over who typed what; the command is looked up in the command table, its arguments
counted, and it is answered in text meant only for that person. Which module does what:
:mod:`~bridge.desk.commands.parsing` reads arguments, :mod:`~bridge.desk.commands.table` lists the
subcommands, :mod:`~bridge.desk.commands.cases` changes cases, :mod:`~bridge.desk.commands.views` shows
them and :mod:`~bridge.desk.commands.moderation` asks before acting against people.
"""

from __future__ import annotations

import structlog

from bridge.desk.commands.cases import CaseCommands
from bridge.desk.commands.moderation import Moderation
from bridge.desk.commands.parsing import Words
from bridge.desk.commands.replies import FAILED, CommandReply, Handler
from bridge.desk.commands.table import BY_NAME, SUBCOMMANDS, help_text
from bridge.desk.commands.views import Views
from bridge.desk.desk import Desk
from bridge.desk.steering import Steering
from bridge.domain.errors import BridgeError

__all__ = ["Commands"]

log = structlog.get_logger(__name__)


class Commands(CaseCommands, Views, Moderation):
    def __init__(self, desk: Desk, steering: Steering, extra: dict[str, Handler] | None = None) -> None:
        """``extra`` adds subcommands owned by other parts of the bridge (``incident``)."""
        self.desk = desk
        self.steering = steering
        self.store = desk.store
        self._table: dict[str, Handler] = {sub.name: getattr(self, sub.name) for sub in SUBCOMMANDS}
        self.extra: dict[str, Handler] = dict(extra or {})

    def register(self, name: str, handler: Handler) -> None:
        """Let another part of the bridge (crisis, playbook hours) add a subcommand."""
        self.extra[name] = handler

    def names(self) -> list[str]:
        """Every subcommand this desk answers, sorted: chat adapters need it to tell a command from
        ordinary words (a Teams thread reply that mentions the bot is a draft unless it names one)."""
        return sorted({*self._table, *self.extra})

    def _handler(self, name: str) -> Handler | None:
        return self._table.get(name) or self.extra.get(name)

    def run(self, user: str, text: str, *, chat: str = "", channel: str = "") -> CommandReply:
        """Answer one command. Words are split on whitespace only (no shell quoting: an apostrophe in
        a reason is not an error), and free text is taken verbatim from what was typed.

        A refusal (:class:`BridgeError`) is the answer. Anything else is a bug or an outage, not the
        person's fault: it is logged with its traceback (``command_failed``) and the person is told it
        failed, instead of the chat platform showing a bare HTTP 500 ("dispatch_failed") that says
        nothing and that Slack may retry."""
        parts = text.strip().split(maxsplit=1)
        if not parts:
            return self.help(user, [])
        name = parts[0].lower()
        args = Words(parts[1] if len(parts) > 1 else "")
        handler = self._handler(name)
        if handler is None:
            return CommandReply(f"Unknown command {name!r}. Try one of: {', '.join(self.names())}.")
        try:
            if name in self._table:
                BY_NAME[name].check(args)
            return handler(user, args)
        except BridgeError as exc:
            return CommandReply(str(exc))
        except Exception:
            log.exception("command_failed", user=user, command=name, chat=chat, channel=channel)
            return CommandReply(FAILED)

    def help(self, user: str, args: list[str]) -> CommandReply:
        return CommandReply(help_text([name for name in self.names() if name not in self._table]))
