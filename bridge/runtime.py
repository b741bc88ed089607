"""Everything a process needs, built once from settings: the store, the queue, the playbook, the
platforms and the services. Jobs find it here; tests install their own."""

from __future__ import annotations

from dataclasses import dataclass, field

import redis
from rq import Queue

from bridge.chat_updates import ChatUpdates
from bridge.clock import Clock, SystemClock
from bridge.commands import Commands
from bridge.crisis.commands import incident_command
from bridge.crisis.service import Crisis
from bridge.desk import Desk
from bridge.dispatch import Dispatcher
from bridge.escalation import Escalation
from bridge.followups import FollowUps
from bridge.ingest import Ingestor
from bridge.moderation import Moderation
from bridge.out_of_hours import OutOfHoursReplies
from bridge.outlets import Outlets
from bridge.playbook import Playbook
from bridge.playbook_source import PlaybookSource
from bridge.ports import ChatPlatform, SocialPlatform
from bridge.publisher import Publisher
from bridge.redis_conn import connect, resolve_url
from bridge.settings import Settings
from bridge.steering import Steering
from bridge.store import Store


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
        self.dispatch = Dispatcher(self.queue)
        self.outlets = Outlets(self.socials, self.main_accounts)
        self.desk = Desk(self.store, self.playbooks, self.dispatch, self.clock)
        self.ingestor = Ingestor(self.store, self.playbooks, self.dispatch, self.clock)
        self.publisher = Publisher(self.store, self.outlets, self.dispatch, self.clock)
        self.chat_updates = ChatUpdates(self.store, self.playbooks, self.chats, self.desk)
        self.steering = Steering(self.desk)
        self.commands = Commands(self.desk, self.steering)
        self.moderation = Moderation(self.store, self.socials, self.dispatch)
        self.escalation = Escalation(self.store, self.playbooks, self.chats, self.dispatch, self.clock)
        self.chat_updates.escalation = self.escalation
        self.followups = FollowUps(self.store, self.dispatch)
        self.ingestor.followups = self.followups
        self.ingestor.chats = self.chats.keys()  # a live view: platforms are added after construction
        self.publisher.followups = self.followups
        self.out_of_hours = OutOfHoursReplies(
            self.store, self.playbooks, self.socials, self.dispatch, self.clock
        )
        self.out_of_hours.followups = self.followups
        # crisis mode (bridge/crisis): detection, alerts, mass-issue cards, incidents
        self.crisis = Crisis(self.store, self.playbooks, self.queue, self.clock, self.chats, self.outlets)
        self.crisis.wire(self.dispatch, self.followups)
        self.ingestor.crisis = self.crisis
        self.commands.register("incident", incident_command(self.crisis))

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
    """The process's runtime, built from the environment on first use (workers start this way)."""
    global _current
    if _current is None:
        from bridge.wiring import build  # the composition root imports adapters; keep it lazy

        _current = build(Settings())
    return _current


def install(runtime: Runtime | None) -> None:
    global _current
    _current = runtime
