"""Teams as a chat platform: case cards, thread messages, private notes and crisis notices (the
:class:`~bridge.crisis.ports.CrisisChat` port) through the Bot Connector.

A :class:`~bridge.domain.model.MessageRef` from this adapter keeps the channel exactly as the playbook wrote
it (an id, a name or ``Team/Channel``), so the core sees a case stay where its department works; the
registry remembers which conversation and service URL each posted message really went to. A card's
thread is the conversation ``<channel>;messageid=<card id>``. People written ``<@ID>`` by the core
become names on cards and real mentions in messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from functools import partial
from typing import Any
from urllib.parse import quote as urlquote

import structlog
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationParameters,
)

from adapters.teams.cards import CONTENT_TYPE, case_card, case_summary, note_card, preview_card
from adapters.teams.connector import Connector
from adapters.teams.crisis_cards import notice_card
from adapters.teams.people import TeamsPeople
from adapters.teams.previews import public_status
from adapters.teams.registry import ChannelUnknown, PostedMessage, TeamsRegistry, split_thread, thread_id
from adapters.teams.rendering import message as render_message
from adapters.teams.text import (
    plain,
    render_people,
)
from bridge.crisis.ports import Notice
from bridge.desk.desk import people as list_people
from bridge.domain.errors import PlatformError, Rejected
from bridge.domain.model import MessageRef
from bridge.domain.ports import CardView, DraftPreview

log = structlog.get_logger(__name__)
LOCAL_BOT_ACCOUNT = "28:escalation-bridge-local"
MEMBER_PAGE_SIZE = 500
MEMBER_PAGES_MAX = 100
REFRESH_USERS_MAX = 60
SUMMARY_MAX = 200  # Teams refreshes a card by itself for at most 60 userIds


def card_activity(card: dict[str, Any], summary: str = "") -> Activity:
    """A card message. ``summary`` is what notifications and the activity feed show, as plain text
    (never rendered): pass it unescaped; it is made one clean line here."""
    return Activity(
        type=ActivityTypes.message,
        summary=plain(summary, SUMMARY_MAX) or None,
        attachments=[Attachment(content_type=CONTENT_TYPE, content=card)],
    )


class TeamsChat:
    name = "teams"

    def __init__(
        self,
        connector: Connector,
        registry: TeamsRegistry,
        people: TeamsPeople,
        departments: Callable[[], list[str]] = list,
        crisis_home: Callable[[], str] = str,
    ) -> None:
        """``crisis_home`` names leadership's Teams channel (from the playbook), where an incident runs
        when its own channel does not exist (see :meth:`open_channel`)."""
        self.connector = connector
        self.registry = registry
        self.people = people
        self.departments = departments
        self.crisis_home = crisis_home

    # sending ---------------------------------------------------------------------------------------
    def _send(self, posted: PostedMessage, conversation: str, activity: Activity, reply_to: str = "") -> str:
        client = self.connector.client(posted.service_url)
        if reply_to:
            activity.reply_to_id = reply_to
            result = self.connector.call(
                posted.conversation,
                "reply_to_activity",
                lambda: client.conversations.reply_to_activity(conversation, reply_to, activity),
            )
        else:
            result = self.connector.call(
                posted.conversation,
                "send_to_conversation",
                lambda: client.conversations.send_to_conversation(conversation, activity),
            )
        if result is None or not result.id:
            raise PlatformError(f"Teams returned no message id for a post to {conversation}")
        return str(result.id)

    def _home(self, ref: MessageRef) -> PostedMessage:
        posted = self.registry.posted(ref.channel, ref.ts)
        if posted is not None:
            return posted
        channel = self.registry.resolve(ref.channel)
        return PostedMessage(channel.id, channel.service_url)

    def _where(self, conversation: str) -> PostedMessage:
        """The service URL for any conversation the bridge has seen (a channel, thread, or chat)."""
        channel_id, _ = split_thread(conversation)
        url = self.registry.service_url_of(channel_id)
        if not url:
            raise Rejected(f"No Teams service URL is known for conversation {conversation}.")
        return PostedMessage(channel_id, url)

    def message(self, text: str, *, mrkdwn: bool = False, verbatim: str = "") -> Activity:
        """The bridge's words as a Teams message (see :func:`adapters.teams.rendering.message`)."""
        return render_message(self.people, text, mrkdwn=mrkdwn, verbatim=verbatim)

    # the port (bridge.domain.ports.ChatPlatform) ----------------------------------------------------------
    def _case_card(self, card: CardView) -> dict[str, Any]:
        return case_card(card, name_of=self.people.name_of, departments=self.departments())

    def _post_root(self, channel: str, activity: Activity, **about: object) -> MessageRef:
        """A new post (a card with a thread of its own) in the channel the playbook names. A channel
        the bridge does not know is refused for good: retrying cannot make it known, an operator can."""
        try:
            target = self.registry.resolve(channel)
        except ChannelUnknown as exc:
            log.warning("teams_channel_unknown", channel=channel, error=str(exc), **about)
            raise Rejected(str(exc)) from exc
        posted = PostedMessage(target.id, target.service_url)
        activity_id = self._send(posted, target.id, activity)
        self.registry.remember_message(channel, activity_id, posted, root=True)
        log.info("teams_card_posted", channel=target.qualified, id=activity_id, **about)
        return MessageRef("teams", channel, activity_id)

    def _update(self, ref: MessageRef, activity: Activity) -> None:
        """Replace a posted card in place (everyone sees the new one), at the conversation's pace."""
        posted = self._home(ref)
        activity.id = ref.ts
        client = self.connector.client(posted.service_url)
        self.connector.call(
            posted.conversation,
            "update_activity",
            lambda: client.conversations.update_activity(posted.conversation, ref.ts, activity),
        )

    def post_card(self, channel: str, card: CardView) -> MessageRef:
        activity = card_activity(self._case_card(card), case_summary(card))
        return self._post_root(channel, activity, case=card.number)

    def update_card(self, ref: MessageRef, card: CardView) -> None:
        self._update(ref, card_activity(self._case_card(card), case_summary(card)))
        self._update_previews(card)

    def _in_thread(self, ref: MessageRef, activity: Activity) -> MessageRef:
        posted = self._home(ref)
        activity_id = self._send(posted, thread_id(posted.conversation, ref.ts), activity, reply_to=ref.ts)
        self.registry.remember_message(ref.channel, activity_id, posted, root=False)
        return MessageRef("teams", ref.channel, activity_id)

    def post_in_thread(self, ref: MessageRef, text: str, quote: str = "") -> MessageRef:
        if not quote:
            return self._in_thread(ref, self.message(text))
        card = note_card(render_people(text, self.people.name_of), quote)
        return self._in_thread(ref, card_activity(card, "A customer wrote"))

    def post_preview(self, ref: MessageRef, preview: DraftPreview) -> MessageRef:
        """Everyone sees the draft and who may sign it off; only the approvers' own refreshed view
        (:meth:`~adapters.teams.actions.CardActions.status_for`) has the buttons. Teams refreshes the
        card by itself for the ``userIds`` listed (at most 60): every approver first, then the author.
        Everyone else sees the posted message, which :meth:`update_card` keeps up to date."""
        watchers = dict.fromkeys([*preview.approvers, preview.author])
        people = [p for p in map(self.people.get, watchers) if p is not None and p.account]
        accounts = list(dict.fromkeys(p.account for p in people))[:REFRESH_USERS_MAX]
        status = f"Waiting for sign-off by {list_people(list(preview.approvers))}."
        posted = self._in_thread(ref, self._preview(preview, status, accounts))
        record = {
            "channel": ref.channel,
            "id": posted.ts,
            "preview": asdict(preview),
            "refresh": accounts,
            "status": status,
        }
        self.registry.remember_preview(preview.number, preview.version, record)
        return posted

    def _preview(self, preview: DraftPreview, status: str, accounts: list[str]) -> Activity:
        card = preview_card(preview, name_of=self.people.name_of, status=status, refresh_for=accounts)
        return card_activity(card, f"Draft v{preview.version} for case #{preview.number}")

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
                self._update(where, self._preview(preview, status, record["refresh"]))
            except Rejected as exc:
                log.warning("teams_preview_not_updated", case=view.number, version=version, error=str(exc))
            self.registry.remember_preview(view.number, version, {**record, "status": status})

    def post_message(self, channel: str, text: str, link_to: MessageRef | None = None) -> MessageRef:
        target = self.registry.resolve(channel)
        activity = self.message(text)
        if link_to is not None:
            link = self.link(link_to) if link_to.chat == self.name else ""
            activity.text = f"{activity.text} [Open the case]({link})" if link else activity.text
        activity_id = self._send(PostedMessage(target.id, target.service_url), target.id, activity)
        return MessageRef("teams", channel, activity_id)

    # crisis notices (bridge.crisis.ports.CrisisChat) ----------------------------------------------
    def _notice(self, notice: Notice) -> Activity:
        return card_activity(notice_card(notice, name_of=self.people.name_of), notice.title)

    def post_notice(self, channel: str, notice: Notice) -> MessageRef:
        return self._post_root(channel, self._notice(notice), notice=notice.key)

    def update_notice(self, ref: MessageRef, notice: Notice) -> None:
        self._update(ref, self._notice(notice))

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
                self._tell_privately(person.account, channel, text)
                return
            except Rejected as exc:
                log.info("teams_private_note_failed", user=user, error=str(exc))
        self.reply(channel, f"<@{user}> {text}")

    # beyond the port: used by the bot's jobs --------------------------------------------------------
    def reply(self, conversation: str, text: str, *, mrkdwn: bool = False, verbatim: str = "") -> str:
        """Post the bridge's ``text`` (and any ``verbatim`` text after it) in a conversation: a thread,
        a channel, or a chat."""
        where = self._where(conversation)
        _, root = split_thread(conversation)
        activity = self.message(text, mrkdwn=mrkdwn, verbatim=verbatim)
        return self._send(where, conversation, activity, reply_to=root)

    def send_card(self, conversation: str, card: dict[str, Any], summary: str = "") -> str:
        where = self._where(conversation)
        _, root = split_thread(conversation)
        return self._send(where, conversation, card_activity(card, summary), reply_to=root)

    def _tell_privately(self, account: str, near: str, text: str) -> None:
        where = self._where(near)
        conversation = self.registry.chat_with(account)
        if not conversation:
            tenant = self.registry.tenant_of(where.conversation)
            parameters = ConversationParameters(
                is_group=False,
                bot=ChannelAccount(id=self.registry.bot_account() or LOCAL_BOT_ACCOUNT),
                members=[ChannelAccount(id=account)],
                tenant_id=tenant or None,
                channel_data={"tenant": {"id": tenant}} if tenant else None,
            )
            client = self.connector.client(where.service_url)
            created = self.connector.call(
                "", "create_conversation", lambda: client.conversations.create_conversation(parameters)
            )
            conversation = str(created.id)
            self.registry.remember_chat(account, conversation, where.service_url)
        self._send(PostedMessage(conversation, where.service_url), conversation, self.message(text))

    def sync_team(self, team_id: str) -> int:
        """Read a team's channels and members (on install), so the playbook can name its channels
        and its people show with their names before they have said anything; returns the channels."""
        url = self.registry.service_url_of(team_id)
        if not url:
            raise Rejected(f"No Teams service URL is known for team {team_id}.")
        teams_client = self.connector.teams_client(url)
        listing = self.connector.call(
            team_id, "get_teams_channels", lambda: teams_client.teams.get_teams_channels(team_id)
        )
        channels = list(listing.conversations or [])
        for channel in channels:
            self.registry.record_channel(team_id, str(channel.id), str(channel.name or ""))
        client = self.connector.client(url)
        token: str | None = None
        for _page in range(MEMBER_PAGES_MAX):
            fetch = partial(
                client.conversations.get_conversation_paged_members,
                team_id,
                page_size=MEMBER_PAGE_SIZE,
                continuation_token=token,
                raw=True,
            )
            raw = self.connector.call(team_id, "get_conversation_paged_members", fetch)
            page = raw.response.json() or {}
            for member in page.get("members") or []:
                aad = str(member.get("aadObjectId") or member.get("objectId") or "")
                self.people.remember(str(member.get("id") or ""), aad, str(member.get("name") or ""))
            token = page.get("continuationToken")
            if not token:
                break
        return len(channels)

    def link(self, ref: MessageRef) -> str:
        """A deep link that opens a posted message in Teams ("" when its channel is unknown now)."""
        try:
            posted = self._home(ref)
        except ChannelUnknown:
            return ""
        tenant = self.registry.tenant_of(posted.conversation)
        query = f"?parentMessageId={urlquote(ref.ts)}" + (f"&tenantId={urlquote(tenant)}" if tenant else "")
        return (
            f"https://teams.microsoft.com/l/message/{urlquote(posted.conversation)}/{urlquote(ref.ts)}{query}"
        )
