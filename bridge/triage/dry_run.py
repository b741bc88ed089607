"""``bridge playbook test``: what a playbook would do with a file of mentions, with no platform contacted.

Each line of the mentions file is one JSON object::

    {"text": "@AcmeCare I was charged twice", "author": "maria_k", "followers": 120,
     "platform": "x", "created_at": "2025-03-03T09:12:00Z", "lang": "en", "account": "AcmeCare",
     "retweet": false, "id": "1"}

Only ``text`` is required; ``author`` may also be an object (``handle``, ``name``, ``id``,
``followers``). Each mention is decided at its own ``created_at`` (or at ``--at``), exactly as ingest
would decide it, and the report says verdict, department, priority, template and reasons, then a
summary per department. Blank lines and lines starting with ``#`` are skipped.
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bridge.domain.errors import MentionsFileError
from bridge.domain.model import Author, Mention
from bridge.playbook.model import Playbook
from bridge.triage.decision import Decision, decide
from bridge.triage.triager import Verdict

REPORT_WIDTH_CHARS = 110
TEXT_PREVIEW_CHARS = 60
VERDICTS = tuple(v.value for v in Verdict)


@dataclass(frozen=True)
class Tried:
    line: int
    mention: Mention
    decision: Decision


def _time(value: object, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise MentionsFileError(f"{where}: created_at {value!r} is not an ISO date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _followers(data: dict[str, Any], author: dict[str, Any], where: str) -> int:
    """The author's follower count: a whole number, under ``author`` or at the top of the line."""
    key, value = ("author.followers", author.get("followers"))
    if not value:
        key, value = ("followers", data.get("followers"))
    if not value:
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MentionsFileError(f"{where}: {key}: expected a whole number, got {value!r}")
    return value


def parse_mention(data: Any, where: str, account: str, now: datetime, number: int) -> Mention:
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise MentionsFileError(f'{where}: expected an object with "text" (a string)')
    author = data.get("author") or {}
    if isinstance(author, str):
        author = {"handle": author}
    if not isinstance(author, dict):
        raise MentionsFileError(f"{where}: author must be a handle or an object with handle, name, id")
    handle = str(author.get("handle") or "someone").lstrip("@")
    platform = str(data.get("platform") or "x")
    post_id = str(data.get("id") or number)
    return Mention(
        platform=platform,
        post_id=post_id,
        text=data["text"],
        author=Author(
            id=str(author.get("id") or handle),
            handle=handle,
            name=str(author.get("name") or handle),
            followers=_followers(data, author, where),
        ),
        created_at=_time(data["created_at"], where) if data.get("created_at") else now,
        url=f"https://x.com/{handle}/status/{post_id}" if platform == "x" else "",
        account=str(data.get("account") or account),
        lang=data.get("lang"),
        in_reply_to=data.get("in_reply_to"),
        is_retweet=bool(data.get("retweet")),
    )


def read_mentions(path: Path, playbook: Playbook, now: datetime) -> list[tuple[int, Mention]]:
    account = playbook.accounts.x.handle if playbook.accounts.x else ""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise MentionsFileError(f"{where}: not JSON: {exc.msg}") from None
        found.append((number, parse_mention(data, where, account, now, number)))
    return found


def try_mentions(playbook: Playbook, path: Path, at: datetime | None = None) -> list[Tried]:
    now = at or datetime.now(UTC)
    return [
        Tried(line, mention, decide(playbook, mention, at or mention.created_at))
        for line, mention in read_mentions(path, playbook, now)
    ]


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_PREVIEW_CHARS else text[: TEXT_PREVIEW_CHARS - 1] + "…"


def describe(tried: Tried) -> str:
    d, m = tried.decision, tried.mention
    t = d.triage
    topic = d.routing.matched
    where = d.department if topic in ("", d.department) else f"{d.department}<{topic}"
    head = (
        f"line {tried.line}: {d.verdict:<7} {where:<14} {t.priority.value:<7} "
        f"{(d.template or '-'):<16} @{m.author.handle}: {_preview(m.text)}"
    )
    feeling = f"{t.sentiment:+.2f}" if t.sentiment_known else "unknown"
    facts = [f"kind {t.kind.value}", f"sentiment {feeling}", f"language {t.language}"]
    if t.needs:
        facts.append(f"asks ({', '.join(t.needs)})")
    if t.tags:
        facts.append(f"tags {', '.join(t.tags)}")
    facts.append(f"card in {d.department}" if d.gets_card else f"no card ({d.state.value})")
    if d.reply_account:
        facts.append(f"answer from @{d.reply_account}")
    if d.acknowledge:
        facts.append("out-of-hours acknowledgement posted")
    body = "; ".join(facts) + ". Why: " + "; ".join(d.reasons)
    wrapped = textwrap.fill(body, REPORT_WIDTH_CHARS, initial_indent="    ", subsequent_indent="    ")
    return head + "\n" + wrapped


def figures(tried: list[Tried]) -> dict[str, Any]:
    """The summary's numbers: per department and in total, the topics and the overall counts."""
    per: dict[str, Counter[str]] = {}
    for item in tried:
        counts = per.setdefault(item.decision.department, Counter())
        counts[item.decision.verdict] += 1
        counts["cards"] += item.decision.gets_card
    columns = ("cards", *VERDICTS)
    total: Counter[str] = Counter()
    for counts in per.values():
        total.update(counts)
    topics = Counter(
        item.decision.routing.matched
        for item in tried
        if item.decision.routing.matched not in ("", item.decision.department)
    )
    return {
        "departments": {name: {c: per[name][c] for c in columns} for name in sorted(per)},
        "total": {c: total[c] for c in columns},
        "topics": dict(sorted(topics.items())),
        "mentions": len(tried),
        "answered": total["respond"],
        "monitored": total["monitor"],
        "noise": total["noise"],
        "ignored": total["ignore"],
        "out_of_hours_acks": sum(item.decision.acknowledge for item in tried),
    }


def summary(tried: list[Tried]) -> str:
    numbers = figures(tried)
    per, total = numbers["departments"], numbers["total"]
    width = max([len("department"), *(len(name) for name in per)])
    columns = ("cards", *VERDICTS)
    lines = [f"{'department':<{width}}  " + "  ".join(f"{c:>7}" for c in columns)]
    for name, counts in per.items():
        lines.append(f"{name:<{width}}  " + "  ".join(f"{counts[c]:>7}" for c in columns))
    lines.append(f"{'total':<{width}}  " + "  ".join(f"{total[c]:>7}" for c in columns))
    if numbers["topics"]:
        shown = ", ".join(f"{name} {count}" for name, count in numbers["topics"].items())
        lines.append(f"topics the default department answered (service model): {shown}")
    lines.append(
        f"{numbers['mentions']} mentions: {numbers['answered']} answered, {numbers['monitored']} monitored, "
        f"{numbers['noise']} noise, {numbers['ignored']} ignored, "
        f"{numbers['out_of_hours_acks']} out-of-hours acknowledgements"
    )
    return "\n".join(lines)


def summary_json(tried: list[Tried]) -> str:
    """The summary as the last line of ``--json`` output: ``{"summary": {...}}``, the same figures."""
    return json.dumps({"summary": figures(tried)}, ensure_ascii=False)


def as_json(tried: Tried) -> str:
    d = tried.decision
    due = d.deadlines
    return json.dumps(
        {
            "line": tried.line,
            "verdict": d.verdict,
            "kind": d.triage.kind.value,
            "priority": d.triage.priority.value,
            "sentiment": d.triage.sentiment if d.triage.sentiment_known else None,
            "polarity": d.triage.polarity.value,
            "needs": list(d.triage.needs),
            "language": d.triage.language,
            "tags": list(d.triage.tags),
            "department": d.department,
            "state": d.state.value,
            "card": d.gets_card,
            "reply_account": d.reply_account,
            "template": d.template,
            "out_of_hours_ack": d.acknowledge,
            "first_response_due": due.first_response.isoformat() if due else None,
            "reasons": list(d.reasons),
        },
        ensure_ascii=False,
    )


__all__ = [
    "MentionsFileError",
    "Tried",
    "as_json",
    "describe",
    "figures",
    "read_mentions",
    "summary",
    "summary_json",
    "try_mentions",
]
