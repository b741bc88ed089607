"""The engagement read's rules and the re-archiving of a closed case once something is recorded on
it (engagement, a click, a conversion, a survey answer), on a real Redis and RQ queue."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bridge.app.runtime import REARCHIVE_COALESCE_SECONDS, Runtime, build_core
from bridge.app.settings import Settings
from bridge.domain.clock import ManualClock
from bridge.domain.errors import PlaybookError
from bridge.playbook.loader import load_model
from bridge.playbook.model import Playbook
from bridge.reports.links import Counted, TrackedLinks
from bridge.reports.surveys import Answered
from bridge.store.cases import Store
from tests.conftest import PLAYBOOK
from tests.support.cases import routed_case

DESK = """brand: {name: Acme}
default_department: social
departments:
  social: {slack_channel: C0SOCIAL, approvers: [U0SOC2]}
"""


def core(redis_url: str, playbook: Path, data_dir: Path) -> Iterator[Runtime]:
    settings = Settings(
        redis_url=redis_url,
        bridge_playbook=playbook,
        bridge_key_prefix=f"eng-{uuid.uuid4().hex}:",
        bridge_queue=f"eng-{uuid.uuid4().hex}",
        bridge_data_dir=data_dir,
    )
    rt = build_core(settings)
    yield rt
    rt.queue.empty()
    keys = list(rt.redis.scan_iter(match=settings.bridge_key_prefix + "*"))
    if keys:
        rt.redis.delete(*keys)


@pytest.fixture
def rt(redis_url: str, tmp_path: Path) -> Iterator[Runtime]:
    yield from core(redis_url, PLAYBOOK, tmp_path)


def queued(rt: Runtime) -> list[tuple[str, tuple[object, ...]]]:
    return [(str(job.func_name).rsplit(".", 1)[-1], tuple(job.args)) for job in rt.queue.jobs]


def test_a_closed_case_is_archived_again_when_something_lands_on_it_and_an_open_one_is_not(
    rt: Runtime,
) -> None:
    number = rt.store.create_case_once(routed_case("501"))[0]
    rt.rearchive(number)
    rt.rearchive(99999)  # gone meanwhile
    assert queued(rt) == []
    rt.store.r.hset(rt.store.k("case", number), "state", "resolved")
    rt._survey_answered(Answered(number, "csat", 4, "x"))
    assert queued(rt) == [("archive_case", (number,))]
    assert rt.meter.read()["bridge_surveys_answered_total"], "and still counted"


def test_a_burst_of_clicks_on_a_closed_case_archives_it_once_after_the_window(rt: Runtime) -> None:
    number = rt.store.create_case_once(routed_case("504"))[0]
    token = rt.links.token_for(number, "https://shop.acme.com/b")
    rt.links.click(token)  # open: nothing to archive
    rt.store.r.hset(rt.store.k("case", number), "state", "posted")
    for _ in range(3):
        rt.links.click(token)
    rt.links.convert(token, "B-1", 5.0)
    registry = rt.queue.scheduled_job_registry
    (job_id,) = registry.get_job_ids()
    due = registry.get_scheduled_time(rt.queue.fetch_job(job_id)) - rt.clock.now()
    # after the window (RQ keeps whole seconds, and a moment has passed since)
    assert REARCHIVE_COALESCE_SECONDS - 1 < due.total_seconds() <= REARCHIVE_COALESCE_SECONDS + 1
    assert queued(rt) == [] and rt.store.get(number).state.value == "posted"


def test_clicks_and_counted_conversions_tell_their_case_and_a_replayed_order_does_not(store: Store) -> None:
    told: list[int] = []
    playbook = load_model(Path("desk.yml"), Playbook, text=DESK + "measure: {tracked_links: true}\n")
    links = TrackedLinks(
        store,
        lambda: playbook,
        "https://bridge.example.com",
        ManualClock(datetime(2026, 12, 1, tzinfo=UTC)),
        on_counted=told.append,
    )
    number = store.create_case_once(routed_case("502"))[0]
    token = links.token_for(number, "https://shop.acme.com/a")
    assert links.click(token) is not None and told == [number]
    assert links.click("NoSuchToken1") is None and told == [number]
    assert links.convert(token, "A-1", 10.0)[0] is Counted.COUNTED and told == [number, number]
    assert links.convert(token, "A-1", 10.0)[0] is Counted.DUPLICATE and told == [number, number]


def test_engagement_hours_zero_turns_the_read_off(redis_url: str, tmp_path: Path) -> None:
    playbook = tmp_path / "off.yml"
    playbook.write_text(PLAYBOOK.read_text(encoding="utf-8") + "measure:\n  engagement_hours: 0\n")
    for rt in core(redis_url, playbook, tmp_path):
        number = rt.store.create_case_once(routed_case("503", reply_id="9001"))[0]
        assert rt.engagement.plan(number, rt.store.get(number)) is None
        assert rt.queue.scheduled_job_registry.get_job_ids() == []


def test_engagement_hours_must_be_zero_or_more() -> None:
    with pytest.raises(PlaybookError, match="engagement_hours"):
        load_model(Path("desk.yml"), Playbook, text=DESK + "measure: {engagement_hours: -1}\n")
    measured = load_model(Path("desk.yml"), Playbook, text=DESK + "measure: {engagement_hours: 1.5}\n")
    assert measured.measure.engagement_hours == 1.5
    assert load_model(Path("desk.yml"), Playbook, text=DESK).measure.engagement_hours == 24
