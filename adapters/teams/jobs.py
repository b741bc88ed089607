"""RQ jobs of the Teams adapter: what the bot's web process asks workers to send.

The web process only records and enqueues (Teams, like Slack, wants its answer quickly); these run in
workers with the same retry policy as the core's jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.teams.cards import confirm_card
from bridge.app.enqueue import enqueue as enqueue_job
from bridge.app.runtime import Runtime, current
from bridge.crisis.ports import Notice


def _chat() -> Any:
    chat = current().chats.get("teams")
    if chat is None or not hasattr(chat, "sync_team"):
        raise RuntimeError("Teams is not configured in this worker (set TEAMS_APP_ID or TEAMS_LOCAL=1)")
    return chat


def enqueue(rt: Runtime, job: Callable[..., Any], *args: Any) -> None:
    """Queue one of this module's jobs with the core's retry policy."""
    enqueue_job(rt.queue, job, *args)


def sync_team(team_id: str) -> int:
    """Read the channels of a team the bridge was just added to."""
    return int(_chat().sync_team(team_id))


def reply(conversation: str, text: str, verbatim: str = "") -> str:
    """A command's answer, where the command was typed; ``verbatim`` (customers' words) is shown as
    it is, after the bridge's words."""
    return str(_chat().reply(conversation, text, mrkdwn=True, verbatim=verbatim))


def notice(conversation: str, notice: Notice) -> str:
    """A command's answer that carries a chart (``@Bridge report``), as a card where it was typed."""
    return str(_chat().reply_notice(conversation, notice))


def confirm(conversation: str, prompt: str, action: str, target: str) -> str:
    """The confirmation a deliberate command (mute, unmute, hide) needs, where it was typed."""
    return str(_chat().send_card(conversation, confirm_card(prompt, action, target), prompt))
