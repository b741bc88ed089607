"""RQ jobs of the Teams adapter: what the bot's web process asks workers to send.

The web process only records and enqueues (Teams, like Slack, wants its answer quickly); these run in
workers with the same retry policy as the core's jobs.
"""

from __future__ import annotations

from typing import Any

from rq import Retry

from adapters.teams.cards import confirm_card
from bridge.dispatch import JOB_TIMEOUT_SECONDS, RETRY_INTERVALS_SECONDS
from bridge.runtime import Runtime, current


def _chat() -> Any:
    chat = current().chats.get("teams")
    if chat is None or not hasattr(chat, "sync_team"):
        raise RuntimeError("Teams is not configured in this worker (set TEAMS_APP_ID or TEAMS_LOCAL=1)")
    return chat


def enqueue(rt: Runtime, name: str, *args: Any) -> None:
    rt.queue.enqueue(
        f"adapters.teams.jobs.{name}",
        *args,
        retry=Retry(max=len(RETRY_INTERVALS_SECONDS), interval=RETRY_INTERVALS_SECONDS),
        job_timeout=JOB_TIMEOUT_SECONDS,
    )


def sync_team(team_id: str) -> int:
    """Read the channels of a team the bridge was just added to."""
    return int(_chat().sync_team(team_id))


def reply(conversation: str, text: str) -> str:
    """A command's answer, where the command was typed."""
    return str(_chat().reply(conversation, text, mrkdwn=True))


def confirm(conversation: str, prompt: str, action: str, target: str) -> str:
    """The confirmation a deliberate command (mute, unmute, hide) needs, where it was typed."""
    return str(_chat().send_card(conversation, confirm_card(prompt, action, target), prompt))
