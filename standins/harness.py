"""The whole bridge on one machine: stand-ins of Slack and X, the real web app, a worker on demand.

Used by the end-to-end tests and by ``bridge demo``, so what the demo shows is what the tests check.
Jobs run when :meth:`LocalBridge.drain` is called, in this process, by a real RQ ``SimpleWorker``
(:class:`bridge.app.workers.InlineWorker`).
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, overload

import requests
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from bridge.app import runtime
from bridge.app.poller import poll_once
from bridge.app.runtime import Runtime
from bridge.app.settings import Settings
from bridge.app.sla_timers import fire_due
from bridge.app.workers import InlineWorker
from bridge.domain.clock import Clock
from bridge.text.answer_length import use_character_limit
from bridge.wiring import build, build_web_app
from standins.bluesky_api import APP_PASSWORD as BLUESKY_APP_PASSWORD
from standins.bluesky_api import BlueskyStandIn
from standins.mastodon_api import TOKEN as MASTODON_TOKEN
from standins.mastodon_api import MastodonStandIn
from standins.meta_graph import IG_ID, PAGE_ID, MetaGraphStandIn
from standins.meta_graph import TOKEN as META_TOKEN
from standins.meta_webhook import APP_SECRET as META_APP_SECRET
from standins.meta_webhook import VERIFY_TOKEN as META_VERIFY_TOKEN
from standins.meta_webhook import MetaWebhookSender
from standins.server import BackgroundServer
from standins.slack_api import SlackStandIn
from standins.slack_requests import (
    SignedRequest,
    block_action,
    edited_thread_message,
    event_body,
    interactive_body,
    sign,
    slash_command_body,
    thread_message,
    view_submission,
)
from standins.slack_sign_in import CLIENT_ID as SLACK_CLIENT_ID
from standins.slack_sign_in import CLIENT_SECRET as SLACK_CLIENT_SECRET
from standins.x_api import XStandIn

BOT_TOKEN = "xoxb-test-token"
DASHBOARD_TOKEN = "dashboard-token-for-tests"  # a stand-in's, not a secret
TIMER_JOB = "bridge.app.jobs.sla_check"  # SLA timers were jobs; now see bridge.store.timers
MAIN_ACCESS_TOKEN = "1100000002-main-access-token"
X_TOKENS: dict[str, Any] = {
    "x_bearer_token": "x-bearer",
    "x_consumer_key": "ck",
    "x_consumer_secret": "cs",
    "x_access_token": "2244994945-access-token",
    "x_access_token_secret": "ats",
}


@dataclass(frozen=True)
class PendingTimer:
    """An SLA timer waiting: ``args`` (case number, kind) as its job had, ``at`` an epoch second."""

    args: tuple[int, str]
    at: float


@dataclass(frozen=True)
class Answer:
    status: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


class LocalBridge:
    def __init__(
        self,
        *,
        playbook: Path,
        redis_url: str | None = None,
        data_dir: Path | None = None,
        clock: Clock | None = None,
        x_user_id: str = "2244994945",
        x_handle: str = "AcmeHelp",
        x_main_account: tuple[str, str] | None = None,
        channel_interval_ms: int = 0,
        mastodon: bool = False,
        bluesky: bool = False,
        meta: bool = False,
        database_url: str | None = None,
    ) -> None:
        """``x_main_account`` (handle, user id) adds the main brand account, with its own tokens,
        beside the care handle; the playbook should name it as ``accounts.x.main_handle``.
        ``mastodon`` adds a Mastodon instance's stand-in (:attr:`mastodon`) and connects the bridge to it;
        ``bluesky`` adds a Bluesky PDS's stand-in (:attr:`bluesky`) the same way; ``meta`` a Graph
        API stand-in (:attr:`meta`) for a Facebook Page and its Instagram account, and Meta's webhook
        sender (:attr:`meta_webhook`) pointed at the bridge."""
        self.playbook = playbook
        self.redis_url = redis_url
        self.data_dir = data_dir or Path("var")
        self.database_url = database_url  # the case history; None: SQLite under data_dir
        self.clock = clock
        self.channel_interval_ms = channel_interval_ms  # 0: no pacing, so tests do not wait
        self.signing_secret = secrets.token_hex(16)
        self.slack = SlackStandIn()
        self.x = XStandIn(user_id=x_user_id, handle=x_handle)
        self.x_main: dict[str, Any] = {}
        if x_main_account is not None:
            handle, user_id = x_main_account
            self.x.add_account(handle, handle, user_id=user_id, access_token=MAIN_ACCESS_TOKEN)
            self.x_main = {
                "x_main_access_token": MAIN_ACCESS_TOKEN,
                "x_main_access_token_secret": "main-ats",
                "x_main_user_id": user_id,
            }
        self.mastodon = MastodonStandIn(handle=x_handle) if mastodon else None
        self.bluesky = BlueskyStandIn() if bluesky else None
        self.meta = MetaGraphStandIn() if meta else None
        self.meta_webhook: MetaWebhookSender
        self.run_id = uuid.uuid4().hex[:10]
        self._servers: list[BackgroundServer] = []
        self.rt: Runtime
        self.web: BackgroundServer

    # life cycle -----------------------------------------------------------------------------------
    def start(self) -> LocalBridge:
        slack_server = BackgroundServer(self.slack.app).start()
        x_server = BackgroundServer(self.x.app).start()
        self._servers += [slack_server, x_server]
        mastodon: dict[str, Any] = {}
        if self.mastodon is not None:
            mastodon_server = BackgroundServer(self.mastodon.app).start()
            self._servers.append(mastodon_server)
            mastodon = {"mastodon_base_url": mastodon_server.url, "mastodon_access_token": MASTODON_TOKEN}
        settings = Settings(
            redis_url=self.redis_url,
            bridge_data_dir=self.data_dir,
            database_url=self.database_url,
            bridge_playbook=self.playbook,
            bridge_queue=f"bridge-{self.run_id}",
            bridge_key_prefix=f"bridge-{self.run_id}:",
            bridge_channel_interval_ms=self.channel_interval_ms,
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=self.signing_secret,
            slack_api_url=slack_server.url + "/api/",
            slack_client_id=SLACK_CLIENT_ID,
            slack_client_secret=SLACK_CLIENT_SECRET,
            bridge_dashboard_token=DASHBOARD_TOKEN,
            x_api_url=x_server.url,
            **X_TOKENS,
            **self.x_main,
            **mastodon,
            **self._start_bluesky(),
            **self._start_meta(),
        )
        self.rt = build(settings, self.clock)
        runtime.install(self.rt)
        self.web = BackgroundServer(build_web_app(self.rt)).start()
        self._servers.append(self.web)
        self.meta_webhook = MetaWebhookSender(self.web.url + "/meta/webhook")
        return self

    def _start_meta(self) -> dict[str, Any]:
        if self.meta is None:
            return {}
        server = BackgroundServer(self.meta.app).start()
        self._servers.append(server)
        return {
            "meta_graph_url": server.url,
            "meta_page_access_token": META_TOKEN,
            "meta_app_secret": META_APP_SECRET,
            "meta_verify_token": META_VERIFY_TOKEN,
            "meta_page_id": PAGE_ID,
            "meta_instagram_account_id": IG_ID,
        }

    def _start_bluesky(self) -> dict[str, Any]:
        if self.bluesky is None:
            return {}
        server = BackgroundServer(self.bluesky.app).start()
        self._servers.append(server)
        return {
            "bluesky_service_url": server.url,
            "bluesky_handle": self.bluesky.me["handle"],
            "bluesky_app_password": BLUESKY_APP_PASSWORD,
        }

    def stop(self) -> None:
        for server in reversed(self._servers):
            server.stop()
        self._servers.clear()
        runtime.install(None)
        if self.mastodon is not None:
            use_character_limit("mastodon", None)  # the instance it was read from is gone
        if self.bluesky is not None:
            use_character_limit("bluesky", None)
            self.rt.socials["bluesky"].close()  # type: ignore[attr-defined]  # its HTTP connections
        if self.meta is not None:
            self.rt.socials["facebook"].close()  # type: ignore[attr-defined]  # its HTTP connections

    def __enter__(self) -> LocalBridge:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def cleanup_redis(self) -> None:
        """Remove this run's keys from a shared Redis."""
        for pattern in (f"bridge-{self.run_id}:*", f"rq:*bridge-{self.run_id}*"):
            keys = list(self.rt.redis.scan_iter(match=pattern, count=1000))
            if keys:
                self.rt.redis.delete(*keys)

    # work ----------------------------------------------------------------------------------------
    def poll(self) -> float:
        return poll_once(self.rt)

    def drain(self, *, include_scheduled: bool = False, include_timers: bool = False, rounds: int = 5) -> int:
        """Run queued jobs until none are left, taking the queues in the order ``bridge worker`` does
        (case work, then tells); optionally release scheduled ones first: retries and deferred posts
        with ``include_scheduled``, SLA timers with ``include_timers``."""
        done = 0
        queues = self.rt.dispatch.queues
        for _ in range(rounds):
            if include_scheduled or include_timers:
                self.release_scheduled(retries=include_scheduled, timers=include_timers)
            before = sum(queue.count for queue in queues)
            if before == 0:
                break
            worker = InlineWorker(queues, connection=self.rt.redis)
            worker.work(burst=True, with_scheduler=False, logging_level="WARNING")
            done += before
        return done

    @overload
    def scheduled(self, *, timers: Literal[False] = False) -> list[Job]: ...
    @overload
    def scheduled(self, *, timers: Literal[True]) -> list[PendingTimer]: ...
    def scheduled(self, *, timers: bool = False) -> list[Job] | list[PendingTimer]:
        """SLA timers when ``timers`` (:mod:`bridge.store.timers`), else scheduled jobs (retries,
        deferred posts)."""
        if timers:
            return [PendingTimer((number, kind), at) for number, kind, at in self.rt.timers.pending()]
        registry = ScheduledJobRegistry(queue=self.rt.queue)
        jobs = [Job.fetch(job_id, connection=self.rt.redis) for job_id in registry.get_job_ids()]
        return [j for j in jobs if j.func_name != TIMER_JOB]

    def scheduled_count(self) -> int:
        return len(self.scheduled())

    def release_scheduled(self, *, retries: bool = True, timers: bool = False) -> int:
        """Move scheduled jobs to the queue now, and fire every SLA timer now, as time passing would
        (a timer not due by the bridge's clock sets itself again)."""
        registry = ScheduledJobRegistry(queue=self.rt.queue)
        chosen = self.scheduled() if retries else []
        for job in chosen:
            registry.remove(job)
            self.rt.queue.enqueue_job(job)
        fired = fire_due(self.rt, everything=True) if timers else 0
        return len(chosen) + fired

    # inbound Slack requests -------------------------------------------------------------------------
    def send(self, signed: SignedRequest) -> Answer:
        response = requests.post(
            self.web.url + "/slack/events",
            data=signed.body.encode("utf-8"),
            headers=signed.headers,
            timeout=30,
        )
        return Answer(response.status_code, response.text)

    def send_event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None
    ) -> Answer:
        body = event_body(event, event_id=event_id)
        return self.send(sign(self.signing_secret, body, "application/json", retry_num=retry_num))

    def send_interaction(self, payload: dict[str, Any]) -> Answer:
        body = interactive_body(payload)
        return self.send(sign(self.signing_secret, body, "application/x-www-form-urlencoded"))

    def card_of(self, number: int) -> dict[str, Any]:
        case = self.rt.store.get(number)
        message = self.slack.find_message(case.channel, case.card_ts)
        if message is None:
            raise AssertionError(f"case #{number} has no card in the Slack stand-in")
        return message

    def click(self, user: str, number: int, action_id: str, value: str | None = None) -> Answer:
        case = self.rt.store.get(number)
        payload = block_action(user, case.channel, case.card_ts, action_id, value or str(number))
        return self.send_interaction(payload)

    def submit(self, user: str, callback_id: str, metadata: str, values: dict[str, dict[str, Any]]) -> Answer:
        return self.send_interaction(view_submission(user, callback_id, metadata, values))

    def reply_in_thread(self, user: str, number: int, text: str) -> tuple[Answer, dict[str, Any]]:
        case = self.rt.store.get(number)
        event = thread_message(user, case.channel, case.card_ts, text)
        return self.send_event(event), event

    def edit_reply(self, original: dict[str, Any], text: str) -> Answer:
        return self.send_event(edited_thread_message(original, text))

    def slash(self, user: str, channel: str, text: str) -> Answer:
        body = slash_command_body(user, channel, text)
        return self.send(sign(self.signing_secret, body, "application/x-www-form-urlencoded"))
