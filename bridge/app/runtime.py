"""Everything a process needs, built once from settings: the store, the queue, the playbook, the
platforms and the services. Jobs find it here; tests install their own."""

from __future__ import annotations

from dataclasses import dataclass, field

import redis
from rq import Queue

from bridge.app.crisis_dispatch import CrisisDispatcher
from bridge.app.dispatch import Dispatcher
from bridge.app.metrics import REFUSED_ACTIONS, Meter
from bridge.app.set_aside_digest import SetAsideDigest
from bridge.app.settings import Settings
from bridge.crisis.commands import incident_command
from bridge.crisis.service import Crisis
from bridge.desk.commands import Commands
from bridge.desk.desk import Desk
from bridge.desk.steering import Steering
from bridge.domain.clock import Clock, SystemClock
from bridge.domain.errors import NoRuntime
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
from bridge.store.cases import Store
from bridge.store.redis_conn import connect, resolve_url
from bridge.store.timers import CaseTimers
from bridge.triage.learning.active import use_model_file
from bridge.triage.learning.model import MODEL_FILE

__all__ = ["Runtime", "build_core", "current", "install"]


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
        self.dispatch = Dispatcher(self.queue, self.timers)
        self.meter = Meter(self.redis, self.settings.bridge_key_prefix)
        self.outlets = Outlets(self.socials, self.main_accounts)
        self.followups = FollowUps(self.store, self.dispatch)
        self.desk = Desk(
            self.store,
            self.playbooks,
            self.dispatch,
            self.clock,
            on_refused=lambda action: self.meter.count(REFUSED_ACTIONS, action=action),
        )
        self.publisher = Publisher(self.store, self.outlets, self.dispatch, self.clock, self.followups)
        self.escalation = Escalation(self.store, self.playbooks, self.chats, self.dispatch, self.clock)
        self.chat_updates = ChatUpdates(self.store, self.playbooks, self.chats, self.desk, self.escalation)
        self.steering = Steering(self.desk)
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
        )
        self.commands = Commands(self.desk, self.steering, extra={"incident": incident_command(self.crisis)})

    @property
    def playbook(self) -> Playbook:
        return self.playbooks()


def build_core(settings: Settings, clock: Clock | None = None) -> Runtime:
    """The core without platforms; :func:`bridge.wiring.build` adds the configured ones."""
    url = resolve_url(settings.redis_url, settings.bridge_data_dir)
    client = connect(url)
    return Runtime(
        settings=settings,
        redis=client,
        store=Store(client, settings.bridge_key_prefix),
        queue=Queue(settings.bridge_queue, connection=client),
        playbooks=PlaybookSource(settings.bridge_playbook),
        clock=clock or SystemClock(),
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
