"""``/bridge …``: one command with subcommands, the same for every chat platform.

Chat adapters hand over who typed what; this module parses it, calls the desk, and answers in text
meant only for that person. Deliberate actions against people on the social platform (mute, hide)
come back as a :class:`Confirmation` that the adapter turns into a dialog before anything happens.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from bridge.desk.desk import Desk, who
from bridge.desk.steering import Steering
from bridge.domain.errors import BridgeError, NotAllowed
from bridge.domain.lifecycle import OPEN_STATES, State
from bridge.domain.model import Case
from bridge.store.timeline import format_timeline

HELP = """*/bridge* commands:
• `route 1042 billing` — move a case to another department
• `assign 1042 @alice` · `unassign 1042` — assign on someone's behalf
• `status 1042` — state, owner, deadlines and timeline
• `queue [department]` — open cases, oldest first, with SLA status
• `ignore 1042 [reason]` · `reopen 1042` · `resolve 1042 [note]`
• `retry 1042` — post an approved answer again
• `dm 1042` — move to private messages (the move-to-DM reply goes to sign-off) · `public 1042` — back
• `mute @handle` · `unmute @handle` · `hide 1042` · `unhide 1042` · `block @handle` — social team only,
  confirmed first
• `hours` — opening hours and whether the desk is open now
• `help` — this list"""

#: A person as the core itself writes one (:func:`bridge.desk.desk.who`): ``<@ID>``, the neutral
#: token every chat adapter puts in a command for a person it recognised (``<@ID|name>`` is Slack's
#: older escaped form).
#: A Slack user id typed by hand (``@U123ABC``) is accepted too.
_PERSON = re.compile(
    r"^<@(?P<token>[A-Za-z0-9][A-Za-z0-9:._\-]{1,99})(?:\|[^>]*)?>$|^@?(?P<bare>[UW][A-Z0-9]{2,})$"
)
_CASE_NUMBER = re.compile(r"#?(?P<digits>[0-9]{1,18})")  # ASCII digits only: int() takes "١٢" too
QUEUE_LIMIT = 30
TIMELINE_LIMIT = 12
FAILED = "Something went wrong with that command; it has been logged."
#: Confirmed actions on a case (the target is its number) rather than on a person (a handle).
CASE_ACTIONS = ("hide", "unhide")
CONFIRMED_ACTIONS = ("mute", "unmute", *CASE_ACTIONS)

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Confirmation:
    """An action that must be confirmed in a dialog before it runs."""

    action: str  # "mute", "unmute", "hide", "unhide"
    target: str  # a handle for mute/unmute, a case number for hide/unhide
    prompt: str


@dataclass(frozen=True)
class CommandReply:
    """An answer meant only for the person who typed the command.

    ``text`` is the bridge's own words: people as ``<@ID>`` tokens, Slack-style ``*bold*`` and
    `` `code` ``. ``verbatim`` is text the bridge does not vouch for (a case's timeline holds customers'
    words): each chat adapter shows it exactly as it is, in a preformatted block after ``text``, through
    its one escaping function, so nothing in it can mention, broadcast, link or format."""

    text: str
    confirm: Confirmation | None = None
    verbatim: str = ""


class Words(list[str]):
    """A subcommand's arguments split on whitespace, keeping the text they came from, so free text
    (a reason, a note) is taken exactly as typed: quotes and apostrophes included."""

    def __init__(self, text: str) -> None:
        super().__init__(text.split())
        self.text = text

    def rest(self, skip: int) -> str:
        """The text after the first ``skip`` words, as typed."""
        parts = self.text.split(maxsplit=skip)
        return parts[skip].strip() if len(parts) > skip else ""


def rest(args: list[str], skip: int) -> str:
    """Free text after the first ``skip`` arguments: verbatim from :class:`Words`, else joined words."""
    return args.rest(skip) if isinstance(args, Words) else " ".join(args[skip:])


def _case_number(token: str) -> int:
    match = _CASE_NUMBER.fullmatch(token)
    if not match:
        raise NotAllowed(f"{token!r} is not a case number; use one like 1042 or #1042.")
    return int(match.group("digits"))


def _unquoted(text: str) -> str:
    """A name typed with or without quotes around it (straight or typographic, even unbalanced)."""
    return text.strip().strip("\"'“”‘’").strip()


def _person(token: str) -> str:
    match = _PERSON.match(token)
    if not match:
        raise NotAllowed(f"{token!r} is not a person; mention them like @alice.")
    return match.group("token") or match.group("bare")


def _handle(token: str) -> str:
    handle = token.lstrip("@")
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,50}", handle):
        raise NotAllowed(f"{token!r} is not a social handle; write it like @customer.")
    return handle


def _age(since: datetime, now: datetime) -> str:
    minutes = int((now - since).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h{minutes % 60:02d}m"
    return f"{minutes // 1440}d"


def sla_status(case: Case, now: datetime) -> str:
    if case.sla_due is None:
        return "no SLA"
    if case.state.value in ("posted", "resolved", "ignored"):
        return "answered" if case.state is State.POSTED else case.state.value
    left = int((case.sla_due - now).total_seconds() // 60)
    return f"due in {left}m" if left >= 0 else f"OVERDUE by {-left}m"


class Commands:
    def __init__(
        self,
        desk: Desk,
        steering: Steering,
        extra: dict[str, Callable[[str, list[str]], CommandReply]] | None = None,
    ) -> None:
        """``extra`` adds subcommands owned by other parts of the bridge (``incident``)."""
        self.desk = desk
        self.steering = steering
        self.store = desk.store
        self._table: dict[str, Callable[[str, list[str]], CommandReply]] = {
            "help": self.help,
            "route": self.route,
            "assign": self.assign,
            "unassign": self.unassign,
            "status": self.status,
            "queue": self.queue,
            "ignore": self.ignore,
            "reopen": self.reopen,
            "resolve": self.resolve,
            "mute": self.mute,
            "unmute": self.unmute,
            "block": self.block,
            "hide": self.hide,
            "unhide": self.unhide,
            "dm": self.dm,
            "retry": self.retry,
            "hours": self.hours,
            "public": self.public,
        }
        self.extra: dict[str, Callable[[str, list[str]], CommandReply]] = dict(extra or {})

    def register(self, name: str, handler: Callable[[str, list[str]], CommandReply]) -> None:
        """Let another part of the bridge (crisis, playbook hours) add a subcommand."""
        self.extra[name] = handler

    def names(self) -> list[str]:
        """Every subcommand this desk answers, sorted: chat adapters need it to tell a command from
        ordinary words (a Teams thread reply that mentions the bot is a draft unless it names one)."""
        return sorted({*self._table, *self.extra})

    def _handler(self, name: str) -> Callable[[str, list[str]], CommandReply] | None:
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
            return handler(user, args)
        except BridgeError as exc:
            return CommandReply(str(exc))
        except Exception:
            log.exception("command_failed", user=user, command=name, chat=chat, channel=channel)
            return CommandReply(FAILED)

    @staticmethod
    def _need(args: list[str], count: int, usage: str) -> None:
        if len(args) < count:
            raise NotAllowed(f"Usage: /bridge {usage}")

    # subcommands -----------------------------------------------------------------------------------
    def help(self, user: str, args: list[str]) -> CommandReply:
        extra = "".join(f"\n• `{name}`" for name in self.names() if name not in self._table)
        return CommandReply(HELP + extra)

    def route(self, user: str, args: list[str]) -> CommandReply:
        self._need(args, 2, "route 1042 billing")
        department = _unquoted(rest(args, 1))
        return CommandReply(self.desk.reassign(_case_number(args[0]), user, department).message)

    def assign(self, user: str, args: list[str]) -> CommandReply:
        self._need(args, 2, "assign 1042 @alice")
        return CommandReply(self.steering.assign(_case_number(args[0]), user, _person(args[1])).message)

    def unassign(self, user: str, args: list[str]) -> CommandReply:
        self._need(args, 1, "unassign 1042")
        return CommandReply(self.steering.unassign(_case_number(args[0]), user).message)

    def ignore(self, user: str, args: list[str]) -> CommandReply:
        self._need(args, 1, "ignore 1042 [reason]")
        return CommandReply(self.desk.ignore(_case_number(args[0]), user, rest(args, 1)).message)

    def reopen(self, user: str, args: list[str]) -> CommandReply:
        self._need(args, 1, "reopen 1042")
        return CommandReply(self.steering.reopen(_case_number(args[0]), user).message)

    def resolve(self, user: str, args: list[str]) -> CommandReply:
        self._need(args, 1, "resolve 1042 [note]")
        return CommandReply(self.steering.resolve(_case_number(args[0]), user, rest(args, 1)).message)

    def status(self, user: str, args: list[str]) -> CommandReply:
        self._need(args, 1, "status 1042")
        number = _case_number(args[0])
        case = self.store.get(number)
        now = self.desk.clock.now()
        entries = self.store.audit(number)[-TIMELINE_LIMIT:]
        head = (
            f"{case.ref} · {case.state.value} · {case.department} · owner "
            f"{who(case.claimant) if case.claimant else 'nobody'} · {sla_status(case, now)}"
        )
        return CommandReply(head, verbatim=format_timeline(case, entries))

    def queue(self, user: str, args: list[str]) -> CommandReply:
        typed = _unquoted(rest(args, 0))
        names = self.desk.playbook.departments
        department = self.desk.playbook.department_named(typed) if typed else ""
        if department is None:
            raise NotAllowed(f"There is no department {typed!r}. Choose one of: {', '.join(sorted(names))}.")
        now = self.desk.clock.now()
        cases = [self.store.get(n) for n in self.store.open_cases() if self.store.exists(n)]
        cases = [
            c for c in cases if c.state in OPEN_STATES and (not department or c.department == department)
        ]
        cases.sort(key=lambda c: c.created_at)
        if not cases:
            return CommandReply(f"No open cases{' in ' + department if department else ''}.")
        lines = [f"Open cases{' in ' + department if department else ''}: {len(cases)} (oldest first)"]
        for case in cases[:QUEUE_LIMIT]:
            owner = f" · {who(case.claimant)}" if case.claimant else ""
            lines.append(
                f"• {case.ref} {case.state.value} · {case.department} · {_age(case.created_at, now)} old · "
                f"{sla_status(case, now)}{owner} · @{case.author_handle}"
            )
        if len(cases) > QUEUE_LIMIT:
            lines.append(f"… and {len(cases) - QUEUE_LIMIT} more")
        return CommandReply("\n".join(lines))

    def hours(self, user: str, args: list[str]) -> CommandReply:
        """Opening hours, and whether the desk is open right now."""
        hours = self.desk.playbook.hours
        now = self.desk.clock.now()
        if hours is None or not hours.weekly:
            return CommandReply("The desk is open around the clock (the playbook sets no opening hours).")
        if hours.is_open(now):
            state = "Open now."
        else:
            reopens = hours.next_open(now)
            state = "Closed now" + (f"; back {hours.describe_moment(reopens)}." if reopens else ".")
        return CommandReply(f"{state} Opening hours ({hours.timezone}): {hours.describe_week()}")

    def retry(self, user: str, args: list[str]) -> CommandReply:
        self._need(args, 1, "retry 1042")
        return CommandReply(self.steering.retry(_case_number(args[0]), user).message)

    # public and private conversations -------------------------------------------------------------------
    def dm(self, user: str, args: list[str]) -> CommandReply:
        """Draft the move-to-private-messages reply (:meth:`Steering.move_to_private`)."""
        self._need(args, 1, "dm 1042")
        return CommandReply(self.steering.move_to_private(_case_number(args[0]), user).message)

    def public(self, user: str, args: list[str]) -> CommandReply:
        """Back to public replies (:meth:`Steering.go_public`)."""
        self._need(args, 1, "public 1042")
        return CommandReply(self.steering.go_public(_case_number(args[0]), user).message)

    # deliberate actions against people: confirmed first, social team only ------------------------------
    def mute(self, user: str, args: list[str]) -> CommandReply:
        self._need(args, 1, "mute @handle")
        self.steering.require_social(user, "mute")
        handle = _handle(args[0])
        return CommandReply(
            "Confirm in the dialog.",
            Confirmation(
                "mute", handle, f"Mute @{handle}? Their posts stop reaching the brand's timeline; reversible."
            ),
        )

    def unmute(self, user: str, args: list[str]) -> CommandReply:
        self._need(args, 1, "unmute @handle")
        self.steering.require_social(user, "unmute")
        handle = _handle(args[0])
        return CommandReply("Confirm in the dialog.", Confirmation("unmute", handle, f"Unmute @{handle}?"))

    def block(self, user: str, args: list[str]) -> CommandReply:
        self._need(args, 1, "block @handle")
        self.steering.require_social(user, "block")
        handle = _handle(args[0])
        return CommandReply(
            "X removed blocking from its API, so the bridge cannot block. "
            f"Use `/bridge mute @{handle}` (reversible) or `/bridge hide <case>` to hide a reply."
        )

    def hide(self, user: str, args: list[str]) -> CommandReply:
        self._need(args, 1, "hide 1042")
        self.steering.require_social(user, "hide replies")
        case = self.store.get(_case_number(args[0]))
        return CommandReply(
            "Confirm in the dialog.",
            Confirmation(
                "hide",
                str(case.number),
                f"Hide @{case.author_handle}'s post of {case.ref} under the brand's conversation? "
                f"Reversible with `/bridge unhide {case.number}`.",
            ),
        )

    def unhide(self, user: str, args: list[str]) -> CommandReply:
        self._need(args, 1, "unhide 1042")
        self.steering.require_social(user, "unhide replies")
        case = self.store.get(_case_number(args[0]))
        return CommandReply(
            "Confirm in the dialog.",
            Confirmation(
                "unhide",
                str(case.number),
                f"Show @{case.author_handle}'s post of {case.ref} under the brand's conversation again?",
            ),
        )

    def confirmed(self, user: str, confirmation: Confirmation, *, chat: str = "", channel: str = "") -> str:
        """Run a confirmed action: checked again (the dialog may be old), enqueued, audited."""
        self.steering.require_social(user, confirmation.action)
        if confirmation.action not in CONFIRMED_ACTIONS:
            raise NotAllowed(f"Unknown action {confirmation.action!r}.")
        if confirmation.action in CASE_ACTIONS:
            case = self.store.get(_case_number(confirmation.target))
            target = str(case.number)
            self.store.record(case.number, f"{confirmation.action}_requested", user)
        else:
            target = _handle(confirmation.target)
            self.store.record_global(f"{confirmation.action}_requested", user, handle=target)
        self.desk.dispatch.social_action(confirmation.action, target, user, chat, channel)
        return f"{confirmation.action.capitalize()} of {confirmation.target} is on its way."
