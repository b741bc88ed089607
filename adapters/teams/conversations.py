"""Sending activities to Teams conversations through the Bot Connector, and remembering where each went.

A :class:`~bridge.domain.model.MessageRef` from this adapter keeps the channel exactly as the playbook wrote
it (an id, a name or ``Team/Channel``), so the core sees a case stay where its department works; the
registry remembers which conversation and service URL each posted message really went to. A card's
thread is the conversation ``<channel>;messageid=<card id>``.
"""

from __future__ import annotations

from urllib.parse import quote as urlquote

import structlog
from botbuilder.schema import Activity, ChannelAccount, ConversationParameters

from adapters.teams.connector import Connector
from adapters.teams.registry import ChannelUnknown, PostedMessage, TeamsRegistry, split_thread, thread_id
from bridge.domain.errors import PlatformError, Rejected
from bridge.domain.model import MessageRef

log = structlog.get_logger(__name__)
LOCAL_BOT_ACCOUNT = "28:escalation-bridge-local"


class Conversations:
    def __init__(self, connector: Connector, registry: TeamsRegistry) -> None:
        self.connector = connector
        self.registry = registry

    def send(self, posted: PostedMessage, conversation: str, activity: Activity, reply_to: str = "") -> str:
        """Post ``activity`` (in reply to ``reply_to`` when given) at the conversation's pace; its id."""
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

    def home(self, ref: MessageRef) -> PostedMessage:
        """Where a posted message went; for one the registry does not remember, its channel now."""
        posted = self.registry.posted(ref.channel, ref.ts)
        if posted is not None:
            return posted
        channel = self.registry.resolve(ref.channel)
        return PostedMessage(channel.id, channel.service_url)

    def where(self, conversation: str) -> PostedMessage:
        """The service URL for any conversation the bridge has seen (a channel, thread, or chat)."""
        channel_id, _ = split_thread(conversation)
        url = self.registry.service_url_of(channel_id)
        if not url:
            raise Rejected(f"No Teams service URL is known for conversation {conversation}.")
        return PostedMessage(channel_id, url)

    def post_root(self, channel: str, activity: Activity, **about: object) -> MessageRef:
        """A new post (a card with a thread of its own) in the channel the playbook names. A channel
        the bridge does not know is refused for good: retrying cannot make it known, an operator can."""
        try:
            target = self.registry.resolve(channel)
        except ChannelUnknown as exc:
            log.warning("teams_channel_unknown", channel=channel, error=str(exc), **about)
            raise Rejected(str(exc)) from exc
        posted = PostedMessage(target.id, target.service_url)
        activity_id = self.send(posted, target.id, activity)
        self.registry.remember_message(channel, activity_id, posted, root=True)
        log.info("teams_card_posted", channel=target.qualified, id=activity_id, **about)
        return MessageRef("teams", channel, activity_id)

    def post_in_channel(self, channel: str, activity: Activity) -> MessageRef:
        """A message of its own in a channel, not remembered as a card."""
        target = self.registry.resolve(channel)
        activity_id = self.send(PostedMessage(target.id, target.service_url), target.id, activity)
        return MessageRef("teams", channel, activity_id)

    def update(self, ref: MessageRef, activity: Activity) -> None:
        """Replace a posted card in place (everyone sees the new one), at the conversation's pace."""
        posted = self.home(ref)
        activity.id = ref.ts
        client = self.connector.client(posted.service_url)
        self.connector.call(
            posted.conversation,
            "update_activity",
            lambda: client.conversations.update_activity(posted.conversation, ref.ts, activity),
        )

    def in_thread(self, ref: MessageRef, activity: Activity) -> MessageRef:
        """A reply in the thread of the posted message ``ref``."""
        posted = self.home(ref)
        activity_id = self.send(posted, thread_id(posted.conversation, ref.ts), activity, reply_to=ref.ts)
        self.registry.remember_message(ref.channel, activity_id, posted, root=False)
        return MessageRef("teams", ref.channel, activity_id)

    def reply(self, conversation: str, activity: Activity) -> str:
        """Post in a conversation: a thread (as a reply to its root), a channel, or a chat."""
        where = self.where(conversation)
        _, root = split_thread(conversation)
        return self.send(where, conversation, activity, reply_to=root)

    def send_privately(self, account: str, near: str, activity: Activity) -> None:
        """In the 1:1 chat with ``account``, started (in the tenant of ``near``) when there is none yet."""
        where = self.where(near)
        conversation = self.registry.chat_with(account)
        if not conversation:
            conversation = self._open_chat(account, where)
        self.send(PostedMessage(conversation, where.service_url), conversation, activity)

    def _open_chat(self, account: str, where: PostedMessage) -> str:
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
        return conversation

    def link(self, ref: MessageRef) -> str:
        """A deep link that opens a posted message in Teams ("" when its channel is unknown now)."""
        try:
            posted = self.home(ref)
        except ChannelUnknown:
            return ""
        tenant = self.registry.tenant_of(posted.conversation)
        query = f"?parentMessageId={urlquote(ref.ts)}" + (f"&tenantId={urlquote(tenant)}" if tenant else "")
        return (
            f"https://teams.microsoft.com/l/message/{urlquote(posted.conversation)}/{urlquote(ref.ts)}{query}"
        )
