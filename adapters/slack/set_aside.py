"""The digest's **Needs an answer** button in Slack: a click in, :meth:`SetAsideLedger.needs_answer`
out, and what the core said told to the person who clicked (a refusal included), never raised to Bolt."""

from __future__ import annotations

from typing import Any

import structlog
from slack_bolt import Ack, App
from slack_sdk import WebClient

from adapters.slack.crisis_cards import ACTION_PREFIX
from adapters.slack.text import cut, escape, escape_keeping_people, quote
from bridge.app.runtime import Runtime
from bridge.domain.errors import BridgeError, NotAllowed
from bridge.flow.set_aside import NEEDS_ANSWER, SHOWN_HOURS, DigestEntry

__all__ = ["NEEDS_ANSWER_ACTION", "home_blocks", "register_set_aside"]

log = structlog.get_logger(__name__)
#: The digest is a notice (adapters.slack.crisis_cards renders it), so its button carries that prefix.
NEEDS_ANSWER_ACTION = ACTION_PREFIX + NEEDS_ANSWER
HOME_SET_ASIDE_MAX = 10
HOME_TEXT_MAX = 600


def _home_row(entry: DigestEntry) -> dict[str, Any]:
    head = f"*#{entry.number}* @{escape(entry.author_handle)} · {escape(entry.department)}"
    text = f"{head}\n{cut(entry.why, 200)}\n{quote(cut(entry.text, HOME_TEXT_MAX))}"
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": text, "verbatim": True},
        "accessory": {
            "type": "button",
            "text": {"type": "plain_text", "text": "Needs an answer"},
            "action_id": NEEDS_ANSWER_ACTION,
            "value": str(entry.number),
        },
    }


def home_blocks(rt: Runtime, user: str, said: str = "") -> list[dict[str, Any]]:
    """The App Home's view of what triage set aside: every case for the social team, a department's
    own for its people, each with **Needs an answer**; nothing for anyone else. ``said`` is the
    bridge's answer to the person's last click here."""
    playbook = rt.playbook
    mine = frozenset(name for name, d in playbook.departments.items() if user in d.experts + d.approvers)
    if not mine:
        return []
    shown = rt.set_aside.recent(None if rt.steering.is_social(user) else mine)
    title = f"Set aside in the last {SHOWN_HOURS} hours: {len(shown)}"
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": title}}]
    if said:
        answer = {"type": "mrkdwn", "text": escape_keeping_people(said)[:HOME_TEXT_MAX], "verbatim": True}
        blocks.append({"type": "context", "elements": [answer]})
    blocks += [_home_row(entry) for entry in shown[:HOME_SET_ASIDE_MAX]]
    if len(shown) > HOME_SET_ASIDE_MAX:
        more = f"… and {len(shown) - HOME_SET_ASIDE_MAX} more, in the social team's digest."
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]})
    return blocks


def _case_number(value: str) -> int:
    try:
        return int(value.lstrip("#"))
    except ValueError:
        raise NotAllowed("That button does not name a case; the digest may be out of date.") from None


def register_set_aside(app: App, rt: Runtime) -> None:
    """Attach the listener for the digest's button (one line in ``adapters.slack.app``)."""

    @app.action(NEEDS_ANSWER_ACTION)
    def _needs_answer(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = str((body.get("user") or {}).get("id") or "")
        channel = str(
            (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
        )
        value = str(body["actions"][0].get("value") or "")
        try:
            text = rt.set_aside.needs_answer(_case_number(value), user, rt.steering).message
        except BridgeError as exc:
            text = str(exc)
        if channel and user:
            rt.dispatch.tell("slack", channel, user, text)
        elif user and (body.get("view") or {}).get("type") == "home":  # clicked in the App Home
            from adapters.slack.commands import home_view  # it shows these rows: imported when used

            client.views_publish(user_id=user, view=home_view(rt, user, said=text))
        else:
            log.info("needs_answer_not_shown", text=text)
