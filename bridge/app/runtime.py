"""Everything a process needs, built once from settings: the store, the queue, the playbook, the
platforms and the services. Jobs find it here; tests install their own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import redis
import structlog
from rq import Queue

from bridge.app.crisis_dispatch import CrisisDispatcher
from bridge.app.dispatch import Dispatcher
from bridge.app.metrics import REFUSED_ACTIONS, SURVEYS_ANSWERED, Meter
from bridge.app.report_digests import ReportDigests
from bridge.app.set_aside_digest import SetAsideDigest
from bridge.app.settings import Settings
from bridge.crisis.commands import incident_command
from bridge.crisis.service import Crisis
from bridge.desk.cardview import history_label
from bridge.desk.commands import Commands
from bridge.desk.desk import Desk
from bridge.desk.steering import Steering
from bridge.domain.clock import Clock, SystemClock
from bridge.domain.errors import NoRuntime
from bridge.domain.model import Case
from bridge.domain.ports import ChatPlatform, SocialPlatform
from bridge.flow.chat_updates import ChatUpdates
from bridge.flow.escalation import Escalation
from bridge.flow.followups import FollowUps
from bridge.flow.ingest import Ingestor
from bridge.flow.moderation import Moderation
from bridge.flow.out_of_hours import OutOfHoursReplies
from bridge.flow.outlets import Outlets
from bridge.flow.publisher import Publisher
from bridge.flow.set_aside import SetAsideLedger
from bridge.playbook.model import Playbook
from bridge.playbook.source import PlaybookSource
from bridge.reports.archive import Archiver
from bridge.reports.chart_links import Charts
from bridge.reports.chat_reports import ChatReports
from bridge.reports.engagement import EngagementReads
from bridge.reports.links import TrackedLinks
from bridge.reports.surveys import Answered, Surveys
from bridge.store.cases import Store
from bridge.store.redis_conn import connect, resolve_url
from bridge.store.refresh_inbox import RefreshInbox
from bridge.store.timers import CaseTimers
from bridge.triage.learning.active import use_model_file
from bridge.triage.learning.model import MODEL_FILE

if TYPE_CHECKING:
    from bridge.reports.query import Reports
    from bridge.store.history import History

__all__ = ["REARCHIVE_COALESCE_SECONDS", "Runtime", "build_core", "current", "install"]

#: Clicks and conversions on a closed case write it to the history at most once in this window.
REARCHIVE_COALESCE_SECONDS = 60


log = structlog.get_logger(__name__)


@dataclass
class Runtime:
    settings: Settings
    redis: redis.Redis
    store: Store
    queue: Queue
    playbooks: PlaybookSource
    clock: Clock
    chats: dict[str, ChatPlatform] = field(default_factory=dict)
    socials: dict[str, SocialPlatform] = field(default_factory=dict)  # the care handles: read and answer
    main_accounts: dict[str, SocialPlatform] = field(default_factory=dict)  # brand matters, statements

    def __post_init__(self) -> None:
        """Each service is built with everything it needs, lowest first."""
        use_model_file(self.settings.bridge_data_dir / MODEL_FILE)  # triage's fitted model, if saved
        self.timers = CaseTimers(self.redis, self.store.k("timers"))
        self.refreshes = RefreshInbox(self.redis, self.store.prefix)
        self.dispatch = Dispatcher(self.queue, self.timers, self.clock, self.refreshes)
        self.meter = Meter(self.redis, self.settings.bridge_key_prefix)
        self.outlets = Outlets(self.socials, self.main_accounts)
        self.followups = FollowUps(self.store, self.dispatch)
        # measuring (bridge/reports): tracked links in drafts, surveys after a case
        self.links = TrackedLinks(
            self.store,
            self.playbooks,
            self.settings.bridge_public_url,
            self.clock,
            on_counted=self.rearchive_soon,
        )
        self.surveys = Surveys(
            self.store,
            self.playbooks,
            self.socials,
            self.dispatch,
            self.clock,
            self.dispatch.survey,
            on_answered=self._survey_answered,
        )
        self.engagement = EngagementReads(
            self.store,
            self.playbooks,
            self.outlets,
            self.clock,
            self.dispatch.read_engagement,
            on_recorded=self.rearchive,
        )
        self.desk = Desk(
            self.store,
            self.playbooks,
            self.dispatch,
            self.clock,
            on_refused=lambda action: self.meter.count(REFUSED_ACTIONS, action=action),
            rewrite_links=self.links.rewrite,
        )
        self.publisher = Publisher(self.store, self.outlets, self.dispatch, self.clock, self.followups)
        self.escalation = Escalation(self.store, self.playbooks, self.chats, self.dispatch, self.clock)
        self.chat_updates = ChatUpdates(
            self.store, self.playbooks, self.chats, self.desk, self.escalation, self.customer_histories
        )
        self.steering = Steering(self.desk, on_resolved=self.surveys.plan)
        self.moderation = Moderation(self.store, self.socials, self.dispatch)
        self.out_of_hours = OutOfHoursReplies(
            self.store, self.playbooks, self.socials, self.dispatch, self.clock, self.followups
        )
        # crisis mode (bridge/crisis): detection, alerts, mass-issue cards, incidents
        self.crisis = Crisis(
            self.store,
            self.playbooks,
            self.clock,
            self.chats,
            self.outlets,
            dispatch=CrisisDispatcher(self.queue, self.clock),
            case_dispatch=self.dispatch,
            poster=self.publisher.poster,
        )
        self.set_aside = SetAsideLedger(self.store, self.playbooks, self.dispatch, self.clock)
        self.set_aside_digest = SetAsideDigest(self.store, self.playbooks, self.chats, self.set_aside)
        self.ingestor = Ingestor(
            self.store,
            self.playbooks,
            self.dispatch,
            self.clock,
            followups=self.followups,
            chats=self.chats.keys(),  # a live view: platforms are added after construction
            crisis=self.crisis,
            set_aside=self.set_aside,
            answers=self.surveys.answer_mention,
        )
        # measuring the desk (bridge/reports): /bridge report and the scheduled digests
        self.charts = Charts(self.store, self.settings.bridge_public_url)
        self.chat_reports = ChatReports(
            lambda: self.reports, self.store, self.playbooks, self.clock, self.charts
        )
        self.report_digests = ReportDigests(
            self.store, self.playbooks, self.chats, self.chat_reports, self.dispatch, self.clock
        )
        self.commands = Commands(
            self.desk,
            self.steering,
            extra={"incident": incident_command(self.crisis), "report": self.chat_reports.command},
        )

    @property
    def playbook(self) -> Playbook:
        return self.playbooks()

    # the case history (SQL), opened and migrated on first use ----------------------------------------
    @cached_property
    def history(self) -> History:
        from bridge.store.history import History, history_url, open_engine  # SQLAlchemy on use

        url = history_url(self.settings.database_url, self.settings.bridge_data_dir)
        return History(open_engine(url))

    def open_history_early(self) -> None:
        """Open the case history now (its migrations run on first use, about a second), so the first
        card after a worker starts does not wait for it; one that cannot be opened now is tried again
        by the first job that needs it."""
        try:
            self.history.count()
        except Exception as exc:  # noqa: BLE001  # another database: its outage must not stop a worker
            self.__dict__.pop("history", None)
            log.warning("history_not_opened_yet", error=str(exc))

    @cached_property
    def archiver(self) -> Archiver:
        return Archiver(self.store, lambda: self.history, self.playbooks)

    @cached_property
    def reports(self) -> Reports:
        from bridge.reports.query import Reports  # SQLAlchemy on use

        return Reports(self.history.engine)

    def rearchive(self, number: int) -> None:
        """Something was recorded on case ``number`` after it may have closed (its engagement, a
        survey answer): a closed case is written to the history again (an upsert)."""
        if self.store.is_closed(number):
            self.dispatch.archive_case(number)

    def rearchive_soon(self, number: int) -> None:
        """A click or a conversion on case ``number``: as :meth:`rearchive`, but once per
        :data:`REARCHIVE_COALESCE_SECONDS` however many clicks a popular answer gets, a little after
        the window closes, so the one write sees every click counted in it."""
        key = self.store.k("rearchive", number)
        if self.store.is_closed(number) and self.redis.set(key, 1, nx=True, ex=REARCHIVE_COALESCE_SECONDS):
            at = self.clock.now() + timedelta(seconds=REARCHIVE_COALESCE_SECONDS + 1)
            self.dispatch.archive_case(number, at=at)

    def _survey_answered(self, answered: Answered) -> None:
        self.meter.count(
            SURVEYS_ANSWERED, platform=answered.platform, kind=answered.kind, score=str(answered.score)
        )
        self.rearchive(answered.number)

    def customer_histories(self, cases: Sequence[Case]) -> list[tuple[str, str]]:
        """Each new card's line about its customer's earlier cases, and the dashboard's list of them
        (when the bridge has a public address); one query for them all."""
        from bridge.store.history.history import CustomerAsk  # SQLAlchemy on use

        asks = [CustomerAsk(c.platform, c.author_id, c.author_handle, before=c.number) for c in cases]
        base = (self.settings.bridge_public_url or "").rstrip("/")
        out = []
        for case, found in zip(cases, self.history.customers(asks), strict=True):
            line = history_label(found)
            handle = case.author_handle.lstrip("@")
            url = (
                f"{base}/dashboard/cases?{urlencode({'handle': handle})}" if line and base and handle else ""
            )
            out.append((line, url))
        return out


def build_core(settings: Settings, clock: Clock | None = None) -> Runtime:
    """The core without platforms; :func:`bridge.wiring.build` adds the configured ones."""
    url = resolve_url(settings.redis_url, settings.bridge_data_dir)
    client = connect(url)
    queue = Queue(settings.bridge_queue, connection=client)
    clock = clock or SystemClock()
    return Runtime(
        settings=settings,
        redis=client,
        store=Store(
            client, settings.bridge_key_prefix, on_closed=Dispatcher(queue).archive_case, clock=clock
        ),
        queue=queue,
        playbooks=PlaybookSource(settings.bridge_playbook),
        clock=clock,
    )


_current: Runtime | None = None


def current() -> Runtime:
    """The process's runtime, installed by whoever started the process (``bridge worker``, the
    harness), so a job body finds the services without this module knowing how they are built."""
    if _current is None:
        raise NoRuntime("no runtime is installed in this process: run jobs with `bridge worker`")
    return _current


def install(runtime: Runtime | None) -> None:
    global _current  # noqa: PLW0603  # the one runtime of this process, installed by whoever started it
    _current = runtime
