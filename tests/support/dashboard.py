"""Closed cases written straight into a bridge's history, for the dashboard's tests and bench."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bridge.store.history import CaseFacts, Event, History, history_url, open_engine

#: A customer's words that would be live markup, a mention and a link if the page did not escape them.
HOSTILE_TEXT = '<script>document.title="owned"</script><b>bold</b> <!channel> http://evil.example/x'


def history_at(data_dir: Path) -> History:
    """The history the bridge with ``data_dir`` (and no ``DATABASE_URL``) reads."""
    return History(open_engine(history_url(None, data_dir)))


def closed_case(number: int, created: datetime, **values: object) -> CaseFacts:
    base: dict[str, object] = {
        "number": number,
        "platform": "x",
        "created_at": created,
        "closed_at": created + timedelta(minutes=40),
        "state": "posted",
        "department": "billing",
        "verdict": "respond",
        "service_model": "concierge",
        "author_handle": f"customer{number}",
        "author_handle_folded": f"customer{number}",
        "author_id": str(9000 + number),
        "text": f"my bill {number} is wrong",
        "hour_of_week": created.weekday() * 24 + created.hour,
        "week": (created - timedelta(days=created.weekday())).date().isoformat(),
        "needed_response": True,
        "first_reply_seconds": 600.0,
        "first_human_reply_seconds": 600.0,
        "answers": 1,
        "sla_minutes": 15,
        "sla_met": True,
        "outcome": "answered",
    }
    base.update(values)
    return CaseFacts(**base)  # type: ignore[arg-type]


def fill(history: History, now: datetime) -> list[CaseFacts]:
    """A small desk's month: three weeks of cases, one hostile text, surveys answered."""
    cases = []
    start = (now - timedelta(days=21)).replace(hour=9, minute=0, second=0, microsecond=0)
    for i in range(1, 43):
        created = start + timedelta(hours=12 * (i - 1))
        extra: dict[str, object] = {"expert": "U0EXP1" if i % 2 else "U0EXP2"}
        if i % 7 == 0:
            extra.update(department="logistics", sla_met=False, first_reply_seconds=1800.0)
        if i % 5 == 0:
            extra.update(csat=4 + i % 2, nps=9, survey_comment=f"thanks for case {i}")
        if i == 7:  # logistics: one answer's link clicked three times, one sale
            extra.update(link_clicks=3, link_conversions=1)
        cases.append(closed_case(i, created, **extra))
    cases.append(
        closed_case(
            43,
            now - timedelta(days=1),
            text=HOSTILE_TEXT,
            author_handle="mallory",
            author_handle_folded="mallory",
            csat=1,
            survey_comment=HOSTILE_TEXT,
        )
    )
    for case in cases:
        events = [
            Event(case.created_at, "ingested", "bridge", {"verdict": case.verdict}),
            Event(case.created_at + timedelta(minutes=5), "claimed", "U0EXP1"),
            Event(case.closed_at, "posted", "bridge", {"reply": "1"}),
        ]
        history.save(case, events)
    return cases


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
