"""``/bridge …``: one command with subcommands, the same for every chat platform.

Chat adapters call :class:`Commands` (``run``, ``names``, ``register``, ``confirmed``) and show its
:class:`CommandReply`; deliberate actions against people on the social platform come back as a
:class:`Confirmation` that the adapter turns into a dialog before anything happens.
"""

from __future__ import annotations

from bridge.desk.commands.entry import Commands
from bridge.desk.commands.moderation import CASE_ACTIONS, CONFIRMED_ACTIONS
from bridge.desk.commands.parsing import Words, rest
from bridge.desk.commands.replies import FAILED, CommandReply, Confirmation, Handler
from bridge.desk.commands.table import HELP, SUBCOMMANDS, Subcommand
from bridge.desk.commands.views import sla_status

__all__ = [
    "CASE_ACTIONS",
    "CONFIRMED_ACTIONS",
    "FAILED",
    "HELP",
    "SUBCOMMANDS",
    "CommandReply",
    "Commands",
    "Confirmation",
    "Handler",
    "Subcommand",
    "Words",
    "rest",
    "sla_status",
]
