"""``/bridge`` for Slack, the confirmation dialog for deliberate actions, and the App Home tab.

The command's words go to :class:`bridge.desk.commands.Commands` unchanged; its answer comes back as the
ephemeral response to the command. Mute, unmute, hide and unhide open a confirmation modal first.
"""

from __future__ import annotations

import json
from typing import Any

import structlog
from slack_bolt import Ack, App
from slack_sdk import WebClient

from adapters.slack.set_aside import home_blocks as set_aside_home
from adapters.slack.text import code_block, cut, escape, escape_keeping_people
from bridge.app.runtime import Runtime
from bridge.desk.commands import FAILED, CommandReply, Confirmation, sla_status
from bridge.domain.errors import BridgeError, NotAllowed
from bridge.domain.lifecycle import OPEN_STATES, State
from bridge.domain.model import Case

log = structlog.get_logger(__name__)
COMMAND = "/bridge"
CONFIRM_CALLBACK = "confirm_action"
HOME_CASES_MAX = 20
HOME_BLOCKS_MAX = 100
SLACK_TEXT_MAX = 3000
SECTION_TEXT_MAX = 3000
SECTIONS_MAX = 20
IMAGE_ALT_MAX = 2000


def command_answer(reply: CommandReply) -> dict[str, Any]:
    """A command's answer as an ephemeral response: the bridge's words with its people live, then the
    ``verbatim`` part (customers' words) escaped in a code block of a ``verbatim`` section, where Slack
    links nothing. ``text`` repeats both for notifications and clients without blocks."""
    words = escape_keeping_people(reply.text)
    sections = [
        {"type": "section", "text": {"type": "mrkdwn", "text": cut_text(part)}} for part in _parts(words)
    ]
    if reply.verbatim:
        block = code_block(reply.verbatim, SECTION_TEXT_MAX - 40)
        sections.append({"type": "section", "text": {"type": "mrkdwn", "text": block, "verbatim": True}})
        words = words[: SLACK_TEXT_MAX - len(block) - 1] + "\n" + block
    if reply.image is not None and reply.image.url:
        sections.append(
            {"type": "image", "image_url": reply.image.url, "alt_text": reply.image.alt[:IMAGE_ALT_MAX]}
        )
    return {"text": words[:SLACK_TEXT_MAX], "blocks": sections, "response_type": "ephemeral"}


def _parts(escaped: str) -> list[str]:
    """Long words (a report) as several sections, split between lines, each within a section's limit."""
    parts: list[str] = []
    for line in escaped.split("\n"):
        if parts and len(parts[-1]) + 1 + len(line) <= SECTION_TEXT_MAX:
            parts[-1] += "\n" + line
        else:
            parts.append(line)
    return [p for p in parts if p.strip()][:SECTIONS_MAX]


def cut_text(escaped: str) -> str:
    """Already escaped words within a section's limit, never ending inside an entity."""
    if len(escaped) <= SECTION_TEXT_MAX:
        return escaped
    kept = escaped[: SECTION_TEXT_MAX - 1]
    amp = kept.rfind("&")
    return (kept[:amp] if amp > kept.rfind(";") else kept) + "…"


def confirm_modal(confirmation: Confirmation, channel: str) -> dict[str, Any]:
    metadata = json.dumps({"action": confirmation.action, "target": confirmation.target, "channel": channel})
    return {
        "type": "modal",
        "callback_id": CONFIRM_CALLBACK,
        "title": {"type": "plain_text", "text": "Please confirm"},
        "submit": {"type": "plain_text", "text": confirmation.action.capitalize()[:24]},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": metadata[:3000],
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": cut(confirmation.prompt, 2900), "verbatim": True},
            }
        ],
    }


def outcome_modal(text: str) -> dict[str, Any]:
    """What replaces the confirmation modal when the outcome cannot be told in its channel.

    A view submission's ``response_action: errors`` needs the ``block_id`` of an input block to show
    a message under, and the confirmation has no input, so the modal is updated to say it instead."""
    return {
        "type": "modal",
        "callback_id": CONFIRM_CALLBACK + "_outcome",
        "title": {"type": "plain_text", "text": "Bridge"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": escape_keeping_people(text)[:2900]}}
        ],
    }


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    """A dialog's private metadata as a mapping; empty when it is missing or not a JSON object."""
    try:
        data = json.loads(view.get("private_metadata") or "")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _case_line(case: Case, now: Any) -> str:
    return (
        f"*#{case.number}* {escape(case.state.value)} · {escape(case.department)} · "
        f"{escape(sla_status(case, now))} · @{escape(case.author_handle)}: {cut(case.text, 200)}"
    )


def home_view(rt: Runtime, user: str, said: str = "") -> dict[str, Any]:
    """The person's claimed cases, then the queues of the departments they belong to, then what triage
    set aside (:mod:`adapters.slack.set_aside`); ``said`` answers the person's last click there."""
    now = rt.clock.now()
    cases = [rt.store.get(n) for n in rt.store.open_cases() if rt.store.exists(n)]
    cases = [c for c in cases if c.state in OPEN_STATES]
    mine = sorted((c for c in cases if c.claimant == user), key=lambda c: c.created_at)
    departments = [name for name, d in rt.playbook.departments.items() if user in d.experts + d.approvers]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your cases"}},
    ]
    lines = [_case_line(c, now) for c in mine[:HOME_CASES_MAX]] or ["Nothing claimed. Claim a card to start."]
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": cut_lines(lines), "verbatim": True}})
    for name in departments:
        waiting = sorted(
            (c for c in cases if c.department == name and c.state in (State.ROUTED, State.REOPENED)),
            key=lambda c: c.created_at,
        )
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": f"{name} queue"[:150]}})
        rows = [_case_line(c, now) for c in waiting[:HOME_CASES_MAX]] or ["No case is waiting."]
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": cut_lines(rows), "verbatim": True}}
        )
        if len(blocks) >= HOME_BLOCKS_MAX - 2:
            break
    blocks += set_aside_home(rt, user, said)[: max(0, HOME_BLOCKS_MAX - len(blocks))]
    return {"type": "home", "blocks": blocks}


def cut_lines(lines: list[str]) -> str:
    """Join already escaped lines, dropping whole lines past Slack's section limit."""
    out: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > SLACK_TEXT_MAX - 40:
            out.append(f"… and {len(lines) - len(out)} more")
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out)


def register_commands(app: App, rt: Runtime) -> None:
    @app.command(COMMAND)
    def bridge_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        user, channel = str(command.get("user_id", "")), str(command.get("channel_id", ""))
        reply = rt.commands.run(user, str(command.get("text", "")), chat="slack", channel=channel)
        if reply.confirm is not None and command.get("trigger_id"):
            ack()
            client.views_open(trigger_id=command["trigger_id"], view=confirm_modal(reply.confirm, channel))
            return
        ack(**command_answer(reply))

    @app.view(CONFIRM_CALLBACK)
    def confirmed(ack: Ack, body: dict[str, Any]) -> None:
        """Run the confirmed action and say how it went: in the channel the command was typed in,
        or, when the dialog does not name one, in the dialog itself."""
        user = str(body["user"]["id"])
        data = _metadata(body.get("view") or {})
        channel = data["channel"] if isinstance(data.get("channel"), str) else ""
        action, target = data.get("action"), data.get("target")
        try:
            if not (isinstance(action, str) and action and isinstance(target, str) and target):
                raise NotAllowed("the dialog does not say what to do; run the command again.")
            confirmation = Confirmation(action, target, "")
            text = rt.commands.confirmed(user, confirmation, chat="slack", channel=channel)
        except BridgeError as exc:
            text = f"Not done: {exc}"
        except Exception:
            log.exception("confirmation_failed", user=user)
            text = FAILED
        if channel:
            ack()
            rt.dispatch.tell("slack", channel, user, text)
        else:
            ack(response_action="update", view=outcome_modal(text))

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        user = str(event.get("user") or "")
        if user and event.get("tab", "home") == "home":
            client.views_publish(user_id=user, view=home_view(rt, user))
