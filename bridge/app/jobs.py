"""RQ job bodies: thin, each finds the process runtime and calls one service."""

from __future__ import annotations

from rq.job import Job

from bridge.app import runtime
from bridge.domain.errors import Rejected


def post_card(number: int) -> None:
    rt = runtime.current()
    try:
        rt.chat_updates.post_card(number)
    except Rejected as exc:  # for good (an unknown channel …): retrying for half an hour cannot help
        rt.chat_updates.card_refused(number, str(exc))


def refresh_card(number: int) -> None:
    runtime.current().chat_updates.refresh_card(number)


def post_preview(number: int, version: int) -> None:
    runtime.current().chat_updates.post_preview(number, version)


def thread_notice(number: int, text: str, quote: str = "") -> None:
    runtime.current().chat_updates.thread_notice(number, text, quote)


def tell(chat: str, channel: str, user: str, text: str) -> None:
    runtime.current().chat_updates.tell(chat, channel, user, text)


def social_action(action: str, target: str, by: str, chat: str = "", channel: str = "") -> str:
    return runtime.current().moderation.run(action, target, by, chat, channel)


def sla_check(number: int, kind: str) -> str:
    return runtime.current().escalation.check(number, kind)


def out_of_hours_ack(number: int) -> str:
    return runtime.current().out_of_hours.acknowledge(number)


def publish(number: int) -> str:
    return runtime.current().publisher.publish(number)


def publish_gave_up(job: Job, connection: object, *exc_info: object) -> None:
    """RQ calls this after every failed attempt; only the last one needs a person."""
    if job.retries_left:
        return
    runtime.current().publisher.gave_up(int(job.args[0]), str(exc_info[1]) if len(exc_info) > 1 else "")
