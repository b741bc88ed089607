"""Slack as a chat platform: cards, thread messages and ephemeral notes through the Web API."""

from __future__ import annotations

from typing import Any

import structlog
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.cards import card_blocks, card_fallback, preview_blocks, preview_fallback, quoted
from adapters.slack.crisis_cards import notice_blocks, notice_fallback
from adapters.slack.text import escape_keeping_people
from bridge.crisis.ports import Notice
from bridge.domain.model import MessageRef
from bridge.domain.ports import CardView, DraftPreview
from bridge.store.pacing import ChannelPacer

log = structlog.get_logger(__name__)

QUOTE_MAX = 3000


class SlackChat:
    name = "slack"

    def __init__(self, client: WebClient, pacer: ChannelPacer | None = None) -> None:
        self.client = client
        self.pacer = pacer

    def _post(self, **kwargs: Any) -> MessageRef:
        """``chat.postMessage`` at the channel's pace (about one message per second per channel)."""
        if self.pacer is not None:
            self.pacer.wait_turn(str(kwargs["channel"]))
        response = self.client.chat_postMessage(unfurl_links=False, unfurl_media=False, **kwargs)
        return MessageRef("slack", str(response["channel"]), str(response["ts"]))

    def post_card(self, channel: str, card: CardView) -> MessageRef:
        return self._post(channel=channel, text=card_fallback(card), blocks=card_blocks(card))

    def update_card(self, ref: MessageRef, card: CardView) -> None:
        self.client.chat_update(
            channel=ref.channel, ts=ref.ts, text=card_fallback(card), blocks=card_blocks(card)
        )

    def post_in_thread(self, ref: MessageRef, text: str, quote: str = "") -> MessageRef:
        """The bridge's words in a card's thread; a ``quote`` (a customer's words) follows, escaped and
        block-quoted in a ``verbatim`` section, so Slack makes no link of an address in it either."""
        body = escape_keeping_people(text)
        if not quote:
            return self._post(channel=ref.channel, thread_ts=ref.ts, text=body)
        said = quoted(quote, QUOTE_MAX)
        blocks = [
            {"type": "section", "text": {"type": "mrkdwn", "text": body[:QUOTE_MAX]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": said, "verbatim": True}},
        ]
        return self._post(channel=ref.channel, thread_ts=ref.ts, text=body + "\n" + said, blocks=blocks)

    def post_preview(self, ref: MessageRef, preview: DraftPreview) -> MessageRef:
        return self._post(
            channel=ref.channel,
            thread_ts=ref.ts,
            text=preview_fallback(preview),
            blocks=preview_blocks(preview),
        )

    def post_message(self, channel: str, text: str, link_to: MessageRef | None = None) -> MessageRef:
        body = escape_keeping_people(text)
        if link_to is not None:
            link = self.client.chat_getPermalink(channel=link_to.channel, message_ts=link_to.ts)
            body += f" <{link['permalink']}|Open the case>"
        return self._post(channel=channel, text=body)

    def tell(self, channel: str, user: str, text: str) -> None:
        self.client.chat_postEphemeral(channel=channel, user=user, text=escape_keeping_people(text))

    # crisis notices (bridge.crisis.ports.CrisisChat) ---------------------------------------------------
    def post_notice(self, channel: str, notice: Notice) -> MessageRef:
        return self._post(channel=channel, text=notice_fallback(notice), blocks=notice_blocks(notice))

    def update_notice(self, ref: MessageRef, notice: Notice) -> None:
        """Paced like a post: a mass-issue card changing every second still keeps the channel's pace."""
        if self.pacer is not None:
            self.pacer.wait_turn(ref.channel)
        self.client.chat_update(
            channel=ref.channel, ts=ref.ts, text=notice_fallback(notice), blocks=notice_blocks(notice)
        )

    def open_channel(self, name: str, invite: tuple[str, ...] = ()) -> str:
        """Create the channel and invite people; if it exists or cannot be created, name it and let
        posting resolve it (``chat.postMessage`` accepts a channel name)."""
        try:
            channel = str(self.client.conversations_create(name=name)["channel"]["id"])
        except SlackApiError as exc:
            log.warning("slack_channel_not_created", channel=name, error=exc.response.get("error"))
            return "#" + name
        if invite:
            try:
                self.client.conversations_invite(channel=channel, users=",".join(invite))
            except SlackApiError as exc:
                log.warning("slack_invite_failed", channel=channel, error=exc.response.get("error"))
        return channel
