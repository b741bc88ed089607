"""Walking what the bridge sent to Slack and Teams for text that would render live.

A walk reads each string where the platform renders it: Slack mrkdwn (``text`` of messages and of
``mrkdwn`` objects; a bare address becomes a link unless the object is ``verbatim`` or the message
has blocks), Teams markdown (``text``/``title`` of cards and messages, split into code blocks and the
rest) and Teams plain text (a notification ``summary``, text runs, inputs). What people never see
rendered (metadata, button values, input values) is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

SLACK_UNRENDERED = {"private_metadata", "value", "initial_value", "action_id", "block_id", "callback_id"}
TEAMS_UNRENDERED = {"data", "id", "verb", "userIds", "value", "placeholder", "replyToId"}
#: Plain text shows markdown escapes and invisible joiners as they are.
PLAIN_NOISE = re.compile(r"\\[\[\]_*<>`~#&|]|\u2060")


def slack_strings(node: Any, *, verbatim: bool = False) -> Iterator[tuple[str, bool]]:
    """Every string Slack renders as mrkdwn in ``node``, with whether a bare URL there becomes a link."""
    if isinstance(node, dict):
        if node.get("type") == "plain_text":
            return
        verbatim = bool(node.get("verbatim")) if node.get("type") == "mrkdwn" else verbatim
        fallback = bool(node.get("blocks"))  # a message's text beside blocks only shows in notifications
        for key, value in node.items():
            if key in SLACK_UNRENDERED:
                continue
            if isinstance(value, str):
                if key == "text":
                    yield value, not (verbatim or fallback)
            else:
                yield from slack_strings(value, verbatim=verbatim)
    elif isinstance(node, list):
        for item in node:
            yield from slack_strings(item, verbatim=verbatim)


def slack_problems(payloads: list[Any], live: re.Pattern[str], bare: re.Pattern[str]) -> list[str]:
    """Strings with ``live`` markup anywhere, or a ``bare`` address where Slack would link it."""
    return [
        text
        for payload in payloads
        for text, links in slack_strings(payload)
        if live.search(text) or (links and bare.search(text))
    ]


def teams_strings(node: Any) -> Iterator[tuple[str, str]]:
    """Every string a Teams client shows, with how: "markdown" or "plain"."""
    if isinstance(node, dict):
        plain = node.get("type") in ("TextRun", "Input.Text") or node.get("textFormat") == "plain"
        action = str(node.get("type", "")).startswith("Action")
        for name, value in node.items():
            if name in TEAMS_UNRENDERED:
                continue
            if isinstance(value, str):
                if name == "summary" or (name in ("title", "text") and plain):
                    yield value, "plain"
                elif name in ("text", "title") and not action:
                    yield value, "markdown"
            else:
                yield from teams_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from teams_strings(item)


def teams_problems(payloads: list[Any], live: re.Pattern[str], live_in_code: re.Pattern[str]) -> list[str]:
    """Markdown with ``live`` text outside code blocks or ``live_in_code`` inside them, and plain
    text carrying markdown escapes or invisible joiners."""
    problems = []
    for payload in payloads:
        for text, how in teams_strings(payload):
            parts = text.split("```")
            if how == "markdown" and any(
                (live_in_code if n % 2 else live).search(part) for n, part in enumerate(parts)
            ):
                problems.append(text)
            if how == "plain" and PLAIN_NOISE.search(text):
                problems.append("plain text with markdown escapes: " + text)
    return problems
