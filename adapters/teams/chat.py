"""Teams as a chat platform: case cards, thread messages, private notes and crisis notices (the
:class:`~bridge.crisis.ports.CrisisChat` port) through the Bot Connector.

:class:`TeamsChat` implements the ports and decides what to say where; it renders with
:mod:`~adapters.teams.rendering`, sends with :class:`~adapters.teams.conversations.Conversations` (which
remembers where each message went) and reads a team's channels and members with
:class:`~adapters.teams.team_sync.TeamSync`. People written ``<@ID>`` by the core become names on cards
and real mentions in messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import structlog
from botbuilder.schema import Activity

from adapters.teams.conversations import Conversations
from adapters.teams.people import TeamsPeople
from adapters.teams.previews import public_status
from adapters.teams.registry import ChannelUnknown, TeamsRegistry
from adapters.teams.rendering import (
    card_activity,
    case_activity,
    note_activity,
    notice_activity,
    preview_activity,
)
from adapters.teams.rendering import message as render_message
from adapters.teams.team_sync import TeamSync
from bridge.crisis.ports import Notice
from bridge.desk.desk import people as list_people
from bridge.domain.errors import Rejected
from bridge.domain.model import MessageRef
from bridge.domain.ports import CardView, DraftPreview

log = structlog.get_logger(__name__)
REFRESH_USERS_MAX = 60  # Teams refreshes a card by itself for at most 60 userIds


class TeamsChat:
    name = "teams"

    def __init__(
        self,
        conversations: Conversations,
        registry: TeamsRegistry,
        people: TeamsPeople,
        team_sync: TeamSync,
        departments: Callable[[], list[str]] = list,
        crisis_home: Callable[[], str] = str,
    ) -> None:
        """``departments`` are those a case may be reassigned to (shown on its card); ``crisis_home``
        names leadership's Teams channel (from the playbook), where an incident runs when its own
        channel does not exist (see :meth:`open_channel`)."""
        self.conversations = conversations
        self.registry = registry
        self.people = people
        self.team_sync = team_sync
        self.departments = departments
        self.crisis_home = crisis_home

    def message(self, text: str, *, mrkdwn: bool = False, verbatim: str = "") -> Activity:
        """The bridge's words as a Teams message (see :func:`adapters.teams.rendering.message`)."""
        return render_message(self.people, text, mrkdwn=mrkdwn, verbatim=verbatim)

    # the port (bridge.domain.ports.ChatPlatform) ----------------------------------------------------------
    def post_card(self, channel: str, card: CardView) -> MessageRef:
        activity = case_activity(card, self.people, self.departments())
        return self.conversations.post_root(channel, activity, case=card.number)

    def update_card(self, ref: MessageRef, card: CardView) -> None:
        self.conversations.update(ref, case_activity(card, self.people, self.departments()))
        self._update_previews(card)

    def post_in_thread(self, ref: MessageRef, text: str, quote: str = "") -> MessageRef:
        if not quote:
            return self.conversations.in_thread(ref, self.message(text))
        return self.conversations.in_thread(ref, note_activity(self.people, text, quote))

    def post_preview(self, ref: MessageRef, preview: DraftPreview) -> MessageRef:
        """Everyone sees the draft and who may sign it off; only the approvers' own refreshed view
        (:meth:`~adapters.teams.actions.CardActions.status_for`) has the buttons. Teams refreshes the
        card by itself for the ``userIds`` listed (at most 60): every approver first, then the author.
        Everyone else sees the posted message, which :meth:`update_card` keeps up to date."""
        watchers = dict.fromkeys([*preview.approvers, preview.author])
        people = [p for p in map(self.people.get, watchers) if p is not None and p.account]
        accounts = list(dict.fromkeys(p.account for p in people))[:REFRESH_USERS_MAX]
        status = f"Waiting for sign-off by {list_people(list(preview.approvers))}."
        activity = preview_activity(preview, self.people, status, accounts)
        posted = self.conversations.in_thread(ref, activity)
        record = {
            "channel": ref.channel,
            "id": posted.ts,
            "preview": asdict(preview),
            "refresh": accounts,
            "status": status,
        }
        self.registry.remember_preview(preview.number, preview.version, record)
        return posted

    def _update_previews(self, view: CardView) -> None:
        """Bring each posted preview of the case up to date for the people Teams does not refresh it
        for: it said "Waiting for sign-off" to them long after the draft was approved. A preview Teams
        refuses to change (deleted, say) is left as it is: the card itself is up to date."""
        for version, record in sorted(self.registry.previews(view.number).items()):
            preview = DraftPreview(
                **{**record["preview"], "approvers": tuple(record["preview"]["approvers"])}
            )
            status = public_status(view, version, preview.approvers)
            if status == record["status"]:
                continue
            where = MessageRef("teams", record["channel"], record["id"])
            try:
                activity = preview_activity(preview, self.people, status, record["refresh"])
                self.conversations.update(where, activity)
            except Rejected as exc:
                log.warning("teams_preview_not_updated", case=view.number, version=version, error=str(exc))
            self.registry.remember_preview(view.number, version, {**record, "status": status})

    def post_message(self, channel: str, text: str, link_to: MessageRef | None = None) -> MessageRef:
        activity = self.message(text)
        if link_to is not None:
            link = self.link(link_to) if link_to.chat == self.name else ""
            activity.text = f"{activity.text} [Open the case]({link})" if link else activity.text
        return self.conversations.post_in_channel(channel, activity)

    # crisis notices (bridge.crisis.ports.CrisisChat) ----------------------------------------------
    def post_notice(self, channel: str, notice: Notice) -> MessageRef:
        return self.conversations.post_root(channel, notice_activity(notice, self.people), notice=notice.key)

    def update_notice(self, ref: MessageRef, notice: Notice) -> None:
        self.conversations.update(ref, notice_activity(notice, self.people))

    def open_channel(self, name: str, invite: tuple[str, ...] = ()) -> str:
        """A Teams channel called ``name`` that the bridge has seen (as ``Team/Channel``: it reads well
        in "its channel is #…" and resolves again), else leadership's own channel, saying why there.

        A bot cannot create Teams channels or add people to them (only Microsoft Graph can, with admin
        consent this bot does not ask for); ``invite`` is unused, members are the team's. Not an error,
        because the core posts the kickoff, the mass card and the statement for sign-off to what this
        returns: failing would leave leadership with an incident whose statement never reaches them.
        """
        try:
            return self.registry.resolve(name).qualified
        except ChannelUnknown as exc:
            home = self.crisis_home()
            if not home:
                raise ChannelUnknown(
                    f"Teams bots cannot create channels: create {name!r} in the team, or set "
                    f"crisis.incident_channel in the playbook to a channel the bridge knows ({exc})"
                ) from exc
        log.warning("teams_incident_channel_missing", channel=name, instead=home)
        self.post_message(
            home,
            f"Teams does not let the bridge create channels and no channel called {name} is known, so "
            "this incident runs here. To give incidents a channel of their own, create one with that "
            "name (or set crisis.incident_channel in the playbook to an existing channel).",
        )
        return home

    def tell(self, channel: str, user: str, text: str) -> None:
        """Privately in a 1:1 chat when Teams allows it; else in ``channel`` (where the person acted),
        mentioning them, since Teams channels have no messages only one person sees. Only a refusal
        (:class:`~bridge.domain.errors.Rejected`) falls back: a rate limit or an outage is raised for the
        job's retry, which honours ``Retry-After`` and says the note once, privately."""
        person = self.people.get(user)
        if person is not None and person.account:
            try:
                self.conversations.send_privately(person.account, channel, self.message(text))
            except Rejected as exc:
                log.info("teams_private_note_failed", user=user, error=str(exc))
            else:
                return
        self.reply(channel, f"<@{user}> {text}")

    def link(self, ref: MessageRef) -> str:
        """A deep link that opens a posted message in Teams ("" when its channel is unknown now)."""
        return self.conversations.link(ref)

    # beyond the port: used by the bot's jobs --------------------------------------------------------
    def reply(self, conversation: str, text: str, *, mrkdwn: bool = False, verbatim: str = "") -> str:
        """Post the bridge's ``text`` (and any ``verbatim`` text after it) in a conversation: a thread,
        a channel, or a chat."""
        return self.conversations.reply(conversation, self.message(text, mrkdwn=mrkdwn, verbatim=verbatim))

    def reply_notice(self, conversation: str, notice: Notice) -> str:
        """A notice (a report with its chart) where a command was typed."""
        return self.conversations.reply(conversation, notice_activity(notice, self.people))

    def send_card(self, conversation: str, card: dict[str, Any], summary: str = "") -> str:
        return self.conversations.reply(conversation, card_activity(card, summary))

    def sync_team(self, team_id: str) -> int:
        """Read a team's channels and members (on install), so the playbook can name its channels
        and its people show with their names before they have said anything; returns the channels."""
        return self.team_sync.sync(team_id)
