"""Reading a subcommand's arguments: free text as typed, case numbers, people and social handles.

Each reader refuses what it cannot read with a :class:`NotAllowed` that shows the expected form, so a
typo is answered with how to write it rather than acted on.
"""

from __future__ import annotations

import re

from bridge.domain.errors import NotAllowed

__all__ = ["Words", "case_number", "handle", "person", "rest", "unquoted"]

#: A person as the core itself writes one (:func:`bridge.desk.desk.who`): ``<@ID>``, the neutral
#: token every chat adapter puts in a command for a person it recognised (``<@ID|name>`` is Slack's
#: older escaped form).
#: A Slack user id typed by hand (``@U123ABC``) is accepted too.
_PERSON = re.compile(
    r"^<@(?P<token>[A-Za-z0-9][A-Za-z0-9:._\-]{1,99})(?:\|[^>]*)?>$|^@?(?P<bare>[UW][A-Z0-9]{2,})$"
)
_CASE_NUMBER = re.compile(r"#?(?P<digits>[0-9]{1,18})")  # ASCII digits only: int() takes "١٢" too
_HANDLE = re.compile(r"[A-Za-z0-9_.\-]{1,50}")


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


def case_number(token: str) -> int:
    match = _CASE_NUMBER.fullmatch(token)
    if not match:
        raise NotAllowed(f"{token!r} is not a case number; use one like 1042 or #1042.")
    return int(match.group("digits"))


def unquoted(text: str) -> str:
    """A name typed with or without quotes around it (straight or typographic, even unbalanced)."""
    return text.strip().strip("\"'“”‘’").strip()


def person(token: str) -> str:
    match = _PERSON.match(token)
    if not match:
        raise NotAllowed(f"{token!r} is not a person; mention them like @alice.")
    return match.group("token") or match.group("bare")


def handle(token: str) -> str:
    typed = token.lstrip("@")
    if not _HANDLE.fullmatch(typed):
        raise NotAllowed(f"{token!r} is not a social handle; write it like @customer.")
    return typed
