"""The scheduled KPI digests: weekly to leadership's channel, daily to the social team's.

Follows the set-aside digest's pattern (:mod:`bridge.app.set_aside_digest`): each digest is an RQ job
scheduled in Redis for its next time (so it survives restarts), which posts and then schedules the
one after. Nothing has to start it by hand: the hourly maintenance (:func:`bridge.app.retention.sweep_job`)
schedules any configured digest that has no job waiting, and the job id and a per-run record make a
second scheduling or a retried job harmless (one notice per run). Times are the desk's
(``hours.timezone``; UTC without hours). A daily digest covers yesterday, a weekly one last week.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, time, timedelta, tzinfo

import structlog

from bridge.crisis.ports import CrisisChat, Notice
from bridge.domain.clock import Clock
from bridge.domain.ports import ChatPlatform
from bridge.domain.work import Dispatch
from bridge.playbook.homes import HasChannels, home
from bridge.playbook.hours import DAYS
from bridge.playbook.model import Playbook
from bridge.playbook.report_rules import Digest
from bridge.reports.chat_reports import ChatReports
from bridge.reports.periods import parse_period
from bridge.store.cases import Store

__all__ = ["KINDS", "ReportDigests", "next_due"]

log = structlog.get_logger(__name__)
KINDS = ("daily", "weekly")
_RUN_RECORD_SECONDS = 14 * 86_400
_PERIOD = {"daily": "yesterday", "weekly": "last-week"}


def next_due(kind: str, digest: Digest, after: datetime, zone: tzinfo) -> datetime:
    """The first time after ``after`` that the digest is due."""
    hour, minute = digest.hour_minute
    local = after.astimezone(zone)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        if kind == "weekly" and DAYS[day.weekday()] != digest.day:
            continue
        due = datetime.combine(day, time(hour, minute), zone).astimezone(UTC)
        if due > after:
            return due
    raise AssertionError("a daily or weekly time always comes within eight days")


class ReportDigests:
    def __init__(
        self,
        store: Store,
        playbook: Callable[[], Playbook],
        chats: Mapping[str, ChatPlatform],
        reports: ChatReports,
        dispatch: Dispatch,
        clock: Clock,
    ) -> None:
        self.store = store
        self._playbook = playbook
        self.chats = chats
        self.reports = reports
        self.dispatch = dispatch
        self.clock = clock

    def _zone(self, playbook: Playbook) -> tzinfo:
        return playbook.hours.zone if playbook.hours else UTC

    def _digest(self, playbook: Playbook, kind: str) -> Digest | None:
        return playbook.reports.daily if kind == "daily" else playbook.reports.weekly

    def ensure_scheduled(self) -> list[str]:
        """Schedule each configured digest's next run unless it already is; returns the kinds queued."""
        playbook = self._playbook()
        queued = []
        for kind in KINDS:
            digest = self._digest(playbook, kind)
            if digest is None:
                continue
            due = next_due(kind, digest, self.clock.now(), self._zone(playbook))
            if self.store.first_time(f"report-digest-scheduled:{kind}:{due:%Y%m%d%H%M}", _RUN_RECORD_SECONDS):
                self.dispatch.report_digest(kind, due)
                queued.append(kind)
        return queued

    def _place(self, playbook: Playbook, kind: str, digest: Digest) -> HasChannels:
        if digest.has_channel:
            return digest
        if kind == "weekly" and playbook.crisis is not None:
            return playbook.crisis.leadership
        return playbook.social_team()

    def run(self, kind: str) -> str:
        """The job: post the digest due now (once per run), then schedule the next."""
        playbook = self._playbook()
        digest = self._digest(playbook, kind)
        if digest is None:
            return "off"
        now, zone = self.clock.now(), self._zone(playbook)
        self.ensure_scheduled()
        run_id = f"{kind}:{now.astimezone(zone):%Y%m%d}"
        where = home(self._place(playbook, kind, digest), self.chats)
        chat = self.chats.get(where[0]) if where else None
        if where is None or not isinstance(chat, CrisisChat):
            log.warning("report_digest_nowhere", kind=kind)
            return "nowhere"
        if not self.store.first_time(f"report-digest:{run_id}", _RUN_RECORD_SECONDS):
            return "already posted"
        found = self.reports.report("", parse_period(_PERIOD[kind], now, zone))
        text = found.text.split("\n", 1)[1] if "\n" in found.text else ""
        notice = Notice(
            title=f"{kind.capitalize()} {found.title[0].lower()}{found.title[1:]}",
            text=text,
            image=found.chart,
            key=f"report:{run_id}",
        )
        chat.post_notice(where[1], notice)
        log.info("report_digest_posted", kind=kind, channel=where[1])
        return "posted"
