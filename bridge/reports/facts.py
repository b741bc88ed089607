"""A closed case's facts, measured once from what the bridge recorded: the case's hash and its timeline.

Pure: given the case's fields, its timeline (oldest first), the playbook and a sentiment scorer, it
returns the :class:`~bridge.store.history.CaseFacts` the history stores. Each measure is defined here
and repeated in :mod:`bridge.reports.definitions`, which people read next to every figure:

- the customer's messages are the first post (``created_at``, the platform's time) and every later
  ``customer_follow_up`` or ``customer_dm`` (when the bridge saw it);
- a reply is an answer ``posted`` (signed off by a person) or an ``out_of_hours_ack``; only the first
  kind is a *human* reply;
- handling is each claim (or assignment) to the next answer posted;
- the case is resolved when it was last resolved, or for a case left answered, at its last answer;
- the SLA is met when the first human reply came within the platform's target, counting only open
  minutes when the playbook says so (``sla.respect_hours``); it applies to cases that needed a
  response: answered, or given a card and neither ignored by a person nor monitored (a troll), and
  not set aside by triage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bridge.playbook.model import Playbook
from bridge.store.history import CaseFacts, Event

__all__ = [
    "CLOSING_ACTIONS",
    "CUSTOMER_MESSAGES",
    "HUMAN_REPLIES",
    "REPLIES",
    "Scorer",
    "build_facts",
    "events_from",
    "week_slot",
]

CUSTOMER_MESSAGES = frozenset({"customer_follow_up", "customer_dm"})
HUMAN_REPLIES = frozenset({"posted"})
REPLIES = HUMAN_REPLIES | {"out_of_hours_ack"}
CLAIMS = frozenset({"claim", "assign"})
CLOSING_ACTIONS = frozenset({"posted", "resolve", "ignore"})
#: Triage's own ``ignore`` at ingest: the case was set aside without a card.
_SET_ASIDE_BY = "bridge"

Scorer = Callable[[str], float]


def events_from(timeline: Sequence[Mapping[str, str]]) -> list[Event]:
    """Redis audit entries (``action``, ``by``, ``at`` and the rest) as history events, in order."""
    out = []
    for entry in timeline:
        at = entry.get("at")
        if not at:
            continue
        detail = {k: v for k, v in entry.items() if k not in ("action", "by", "at", "case", "id")}
        out.append(
            Event(_utc(datetime.fromisoformat(at)), entry.get("action", "?"), entry.get("by", ""), detail)
        )
    return sorted(out, key=lambda e: e.at)


def week_slot(at: datetime, zone: ZoneInfo | None) -> tuple[int, str]:
    """(hour of the week, 0 = Monday 00:00, and the week's Monday) in the desk's zone."""
    local = at.astimezone(zone or UTC)
    monday = local.date() - timedelta(days=local.weekday())
    return local.weekday() * 24 + local.hour, monday.isoformat()


@dataclass(frozen=True)
class _Times:
    messages: list[datetime]
    human: list[datetime]
    any_reply: list[datetime]
    claims: list[datetime]


def _times(created: datetime, events: Sequence[Event]) -> _Times:
    return _Times(
        messages=sorted([created, *(e.at for e in events if e.kind in CUSTOMER_MESSAGES)]),
        human=[e.at for e in events if e.kind in HUMAN_REPLIES],
        any_reply=[e.at for e in events if e.kind in REPLIES],
        claims=[e.at for e in events if e.kind in CLAIMS],
    )


def _responses(times: _Times) -> tuple[int, float]:
    """Every customer message → the next human reply after it: how many had one, and the waits summed."""
    count, total = 0, 0.0
    for message in times.messages:
        reply = next((r for r in times.human if r >= message), None)
        if reply is not None:
            count += 1
            total += (reply - message).total_seconds()
    return count, total


def _handling(times: _Times) -> tuple[int, float]:
    """Each answer's handling: from the latest claim since the previous answer to the answer."""
    count, total, previous = 0, 0.0, None
    for answer in times.human:
        claims = [c for c in times.claims if c <= answer and (previous is None or c > previous)]
        if claims:
            count += 1
            total += (answer - claims[-1]).total_seconds()
        previous = answer
    return count, total


def _seconds(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else max(0.0, (end - start).total_seconds())


def _polarity(playbook: Playbook, score: float | None, given: str = "") -> str:
    if given:
        return given
    if score is None:
        return ""
    rules = playbook.triage
    if score <= rules.negative_below:
        return "negative"
    return "positive" if score >= rules.positive_above else "neutral"


def _sla(
    playbook: Playbook, platform: str, created: datetime, first_human: datetime | None, needed: bool
) -> tuple[int, float | None, bool | None]:
    target = playbook.sla.first_response_for(platform)
    if not needed:
        return target, None, None
    if first_human is None:
        return target, None, False
    hours = playbook.hours
    if hours is not None and playbook.sla.respect_hours:
        waited = hours.open_minutes_between(created, first_human)
    else:
        waited = max(0.0, (first_human - created).total_seconds() / 60)
    return target, waited, waited <= target


def _sentiment_end(
    raw: Mapping[str, str], events: Sequence[Event], score: Scorer
) -> tuple[float | None, bool]:
    """The sentiment of the customer's last message: (score, whether it is a later message than the first)."""
    last = next((e for e in reversed(events) if e.kind in CUSTOMER_MESSAGES and e.detail.get("text")), None)
    if last is not None:
        return score(last.detail["text"]), True
    return (float(raw["sentiment"]) if raw.get("sentiment") else None), False


def _int(raw: Mapping[str, str], name: str) -> int | None:
    value = raw.get(name, "")
    try:
        return int(float(value)) if value != "" else None
    except ValueError:
        return None


def _about(raw: Mapping[str, str], events: Sequence[Event], playbook: Playbook) -> dict[str, Any]:
    """Who and what: the case's cuts (platform, department, expert …) and the customer."""
    handle = raw.get("author_handle", "")
    return {
        "number": int(raw["number"]),
        "platform": raw.get("platform", ""),
        "state": raw.get("state", ""),
        "outcome": raw.get("state", ""),
        "department": raw.get("department", ""),
        "expert": raw.get("claimant", "")
        or next((e.actor for e in reversed(events) if e.kind in CLAIMS), ""),
        "approver": raw.get("approver", ""),
        "service_model": playbook.service_model,
        "kind": raw.get("kind", ""),
        "verdict": raw.get("verdict", ""),
        "priority": raw.get("priority", ""),
        "language": raw.get("lang", ""),
        "author_handle": handle,
        "author_handle_folded": handle.lstrip("@").casefold(),
        "author_id": raw.get("author_id", ""),
        "text": raw.get("text", ""),
        "post_url": raw.get("post_url", ""),
        "erased_on": raw.get("erased_on", ""),
    }


def _timing(created: datetime, times: _Times, events: Sequence[Event], state: str) -> dict[str, Any]:
    """When things happened, and how long they took."""
    first_any = min(times.any_reply, default=None)
    first_human = min(times.human, default=None)
    resolves = [e.at for e in events if e.kind == "resolve"]
    resolved_at = (
        resolves[-1] if resolves else (times.human[-1] if state == "posted" and times.human else None)
    )
    responses, response_seconds = _responses(times)
    handled, handling_seconds = _handling(times)
    return {
        "first_reply_at": first_any,
        "first_human_reply_at": first_human,
        "claimed_at": min(times.claims, default=None),
        "answered_at": times.human[-1] if times.human else None,
        "resolved_at": resolved_at,
        "first_reply_seconds": _seconds(created, first_any),
        "first_human_reply_seconds": _seconds(created, first_human),
        "response_count": responses,
        "response_seconds": response_seconds,
        "handled_count": handled,
        "handling_seconds": handling_seconds,
        "resolution_seconds": _seconds(created, resolved_at),
        "answers": len(times.human),
        "reopened": sum(1 for e in events if e.kind == "reopen"),
    }


def _feelings(
    raw: Mapping[str, str], events: Sequence[Event], playbook: Playbook, score: Scorer
) -> dict[str, Any]:
    """Sentiment at the start and the end, and what the surveys and tracked links recorded."""
    given = raw.get("polarity", "") if raw.get("polarity") != "unknown" else ""
    start = float(raw["sentiment"]) if raw.get("sentiment") not in (None, "") else None
    end, later = _sentiment_end(raw, events, score)
    return {
        "sentiment_start": start,
        "sentiment_end": end,
        "polarity_start": _polarity(playbook, start, given),
        "polarity_end": _polarity(playbook, end, "" if later else given),
        "csat": _int(raw, "csat"),
        "nps": _int(raw, "nps"),
        "survey_comment": raw.get("survey_comment") or None,
        "link_clicks": _int(raw, "link_clicks") or 0,
        "link_conversions": _int(raw, "link_conversions") or 0,
        "engagement_likes": _int(raw, "engagement_likes"),
        "engagement_replies": _int(raw, "engagement_replies"),
        "engagement_reposts": _int(raw, "engagement_reposts"),
    }


def build_facts(
    raw: Mapping[str, str], events: Sequence[Event], playbook: Playbook, score: Scorer, now: datetime
) -> CaseFacts:
    """The facts of the closed case whose Redis hash is ``raw`` and timeline ``events`` (in order)."""
    created = _utc(datetime.fromisoformat(raw["created_at"]))
    times = _times(created, events)
    closing = [e for e in events if e.kind in CLOSING_ACTIONS]
    set_aside = raw.get("cardless") == "1" and any(
        e.kind == "ignore" and e.actor == _SET_ASIDE_BY for e in events[:3]
    )
    carded = any(e.kind == "card_posted" for e in events) or bool(raw.get("card_ts"))
    # a person who ignored it, or a monitored troll, decided it needed no answer
    waived = raw.get("state") == "ignored" or raw.get("verdict") == "monitor"
    needed = not set_aside and (bool(times.human) or (carded and not waived))
    first_human = min(times.human, default=None)
    target, open_minutes, met = _sla(playbook, raw.get("platform", ""), created, first_human, needed)
    hour, week = week_slot(created, playbook.hours.zone if playbook.hours else None)
    return CaseFacts(
        created_at=created,
        closed_at=closing[-1].at if closing else now,
        hour_of_week=hour,
        week=week,
        needed_response=needed,
        set_aside=set_aside,
        sla_minutes=target,
        sla_open_minutes=open_minutes,
        sla_met=met,
        **_about(raw, events, playbook),
        **_timing(created, times, events, raw.get("state", "")),
        **_feelings(raw, events, playbook, score),
    )


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
