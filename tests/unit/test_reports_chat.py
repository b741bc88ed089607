"""``/bridge report`` and the digests: the headline KPIs against targets, each with its definition, a
chart, and the moderation ``report 1042`` left as it was."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bridge.app.report_digests import next_due
from bridge.app.runtime import Runtime, build_core
from bridge.app.settings import Settings
from bridge.playbook.report_rules import Digest
from bridge.reports.periods import parse_period
from bridge.store.history import CaseFacts, forget_engines
from tests.conftest import PLAYBOOK

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def rt(redis_url: str, tmp_path: Path) -> Iterator[Runtime]:
    forget_engines()
    settings = Settings(
        redis_url=redis_url,
        bridge_playbook=PLAYBOOK,
        bridge_key_prefix=f"rep-{uuid.uuid4().hex}:",
        bridge_data_dir=tmp_path,
        bridge_public_url="https://bridge.example.com/",
    )
    runtime = build_core(settings)
    now = datetime.now(UTC)
    for index, (department, minutes, met) in enumerate(
        [("billing", 10, True), ("billing", 30, False), ("logistics", 5, True)]
    ):
        runtime.history.save(
            CaseFacts(
                number=9001 + index,
                platform="x",
                created_at=now - timedelta(days=1, hours=index),
                closed_at=now - timedelta(hours=20),
                state="posted",
                department=department,
                first_reply_seconds=minutes * 60,
                first_human_reply_seconds=minutes * 60,
                needed_response=True,
                sla_met=met,
                answers=1,
            ),
            [],
        )
    yield runtime
    keys = list(runtime.redis.scan_iter(match=settings.bridge_key_prefix + "*"))
    if keys:
        runtime.redis.delete(*keys)
    forget_engines()


def test_a_department_report_shows_its_kpis_against_targets_with_definitions_and_a_chart(rt: Runtime) -> None:
    reply = rt.commands.run("U0EXP1", "report Billing 7d")
    lines = reply.text.splitlines()
    assert lines[0] == "*Desk report · billing · last 7 days*"
    assert "• *Cases*: 2 — _Closed cases whose first customer message falls in the period._" in lines
    assert any(line.startswith("• *First response (human reply)*: 20.0 min — _Mean time") for line in lines)
    assert any(line.startswith("• *SLA attainment*: 50.0% (target 90.0% ⚠️)") for line in lines)
    assert "• *SLA by platform*: x 50.0% within 15 min (target 90.0% ⚠️)" in lines
    assert reply.image is not None and reply.image.png.startswith(PNG)
    assert reply.image.url.startswith("https://bridge.example.com/reports/charts/")
    token = reply.image.url.rsplit("/", 1)[1].removesuffix(".png")
    assert rt.charts.get(token) == reply.image.png
    assert rt.charts.get("../../etc/passwd") is None


def test_report_with_a_case_number_is_still_the_moderation_report(rt: Runtime) -> None:
    reply = rt.commands.run("U0EXP1", "report 1042")
    assert reply.image is None and "social team" in reply.text  # refused: only the social team reports people


def test_words_that_are_neither_a_department_nor_a_period_are_refused_with_the_usage(rt: Runtime) -> None:
    reply = rt.commands.run("U0EXP1", "report marketing")
    assert reply.text.startswith(
        "'marketing' is neither a department (billing, logistics, social) nor a period."
    )
    assert "Usage: /bridge report [department] [period]" in reply.text


def test_periods_are_the_desks_days() -> None:
    now = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)  # a Sunday
    assert parse_period("yesterday", now).since == datetime(2026, 12, 5, tzinfo=UTC)
    last_week = parse_period("last-week", now)
    assert (last_week.since, last_week.until) == (
        datetime(2026, 11, 23, tzinfo=UTC),
        datetime(2026, 11, 30, tzinfo=UTC),
    )
    assert parse_period("2026-11", now).label == "November 2026"
    assert parse_period("2026-11-01..2026-11-02", now).days == 2


def test_the_next_digest_is_at_its_time_in_the_desks_zone() -> None:
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    after = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)  # Sunday 11:00 in Berlin
    assert next_due("daily", Digest(at="08:00"), after, berlin) == datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    assert next_due("weekly", Digest(at="12:00", day="sun"), after, berlin) == datetime(
        2026, 12, 6, 11, 0, tzinfo=UTC
    )


def test_the_backfill_command_writes_closed_cases_the_history_lacks(
    rt: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    from bridge.app.history_commands import backfill
    from bridge.domain.lifecycle import Action
    from bridge.store.closing import CaseTracker
    from tests.support.cases import routed_case

    number, _ = rt.store.create_case_once(routed_case("4711"))
    rt.store.transition(number, Action.RESOLVE, "U0SOC1")
    rt.redis.delete(CaseTracker(rt.redis, rt.store.prefix).to_archive_key)  # its job was lost
    assert backfill(lambda: rt) == 0
    assert "1 closed cases written (4 in the history)" in capsys.readouterr().out
    assert rt.history.get(number) is not None


def test_configured_digests_are_scheduled_once_for_their_next_time(rt: Runtime, tmp_path: Path) -> None:
    from rq.registry import ScheduledJobRegistry

    playbook = tmp_path / "desk.yml"
    playbook.write_text(PLAYBOOK.read_text() + "\nreports: {daily: {at: '08:00'}, weekly: {day: mon}}\n")
    settings = rt.settings.model_copy(update={"bridge_playbook": playbook})
    runtime = build_core(settings)
    assert runtime.report_digests.ensure_scheduled() == ["daily", "weekly"]
    assert runtime.report_digests.ensure_scheduled() == []
    assert ScheduledJobRegistry(queue=runtime.queue).count == 2
    assert runtime.report_digests.run("daily") == "nowhere"  # no chat platform in this runtime
