"""Messages the bot receives: drafts and notes in a card's thread, and commands by @mention.

A reply in a case card's thread (the conversation ``<channel>;messageid=<card id>``) goes to the desk
exactly as a Slack thread reply does: a draft from the claimant, a note when it starts with ``note:``.
A message that @mentions the bot elsewhere, or anything said to it in a 1:1 chat, is a command
(``@Bridge route 1042 billing``); in a card's thread a mention is a command only when its first word
names one, so "@Bridge Hi Maria, …" is still a draft. Edits (``messageUpdate``) make new versions;
an edited command is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog

from adapters.teams import jobs
from adapters.teams.people import person_tokens
from adapters.teams.registry import TeamsRegistry, split_thread
from adapters.teams.text import from_teams
from bridge.app.runtime import Runtime
from bridge.crisis.ports import Notice
from bridge.domain.errors import BridgeError
from bridge.domain.model import MessageRef

log = structlog.get_logger(__name__)
SLASH = "/bridge"


@dataclass(frozen=True)
class Incoming:
    """A Teams message, reduced to what the bridge acts on."""

    conversation: str
    conversation_type: str  # "channel", "personal" or "groupChat"
    activity_id: str
    user: str
    text: str
    bot_tags: tuple[str, ...] = ()  # the exact "<at>Bridge</at>" texts that mention the bot
    people: dict[str, str] = field(default_factory=dict)  # other mentions: display name -> "<@ID>"
    bot_name: str = "Bridge"
    edited: bool = False


class Messages:
    def __init__(self, rt: Runtime, registry: TeamsRegistry) -> None:
        self.rt = rt
        self.registry = registry

    def handle(self, message: Incoming) -> None:
        without_bot = message.text
        for tag in message.bot_tags:
            without_bot = without_bot.replace(tag, " ")
        number = self._case_of_thread(message)
        if number is not None:
            command = self._command_text(message, without_bot)
            first = command.split(maxsplit=1)[0].lower() if command.strip() else ""
            if message.bot_tags and first in self.rt.commands.names():
                if message.edited:  # an edited command is neither run again nor a draft
                    log.info("teams_edited_command_ignored", user=message.user, command=first)
                    return
                self._command(message, command)
            else:
                # colleagues it @mentions become person tokens, which no answer to a customer holds
                self._thread_reply(message, number, from_teams(without_bot, mentions=message.people))
            return
        if message.edited:
            return
        if message.conversation_type == "personal" or message.bot_tags:
            self._command(message, self._command_text(message, without_bot))

    @staticmethod
    def _command_text(message: Incoming, without_bot: str) -> str:
        """What the shared command parser reads: plain words, people as ``<@ID>`` tokens."""
        return person_tokens(from_teams(without_bot, mentions=message.people))

    def _case_of_thread(self, message: Incoming) -> int | None:
        channel, root = split_thread(message.conversation)
        if message.conversation_type != "channel" or not root or root == message.activity_id:
            return None
        address = self.registry.address_of(channel, root)
        if address is None:
            return None
        return self.rt.store.case_for_message(MessageRef("teams", address, root))

    def _thread_reply(self, message: Incoming, number: int, text: str) -> None:
        if not text:
            return
        try:
            self.rt.desk.thread_reply(
                number, message.user, text, source="edit" if message.edited else "thread"
            )
        except BridgeError as exc:
            self.rt.dispatch.tell("teams", message.conversation, message.user, str(exc))

    def _command(self, message: Incoming, text: str) -> None:
        reply = self.rt.commands.run(message.user, text, chat="teams", channel=message.conversation)
        mention = "@" + message.bot_name
        if reply.confirm is not None:
            confirm = reply.confirm
            jobs.enqueue(
                self.rt, jobs.confirm, message.conversation, confirm.prompt, confirm.action, confirm.target
            )
            return
        answer = reply.text.replace(SLASH + " ", mention + " ").replace(SLASH, mention)
        if reply.image is not None:  # a report: its words and its chart on one card
            title, _, rest = answer.partition("\n")
            notice = Notice(title=title.strip("*"), text=rest, image=reply.image, key="report")
            jobs.enqueue(self.rt, jobs.notice, message.conversation, notice)
        else:
            jobs.enqueue(self.rt, jobs.reply, message.conversation, answer, reply.verbatim)
        log.info("teams_command", user=message.user, command=text.split(maxsplit=1)[:1])
