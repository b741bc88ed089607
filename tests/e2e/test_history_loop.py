"""A case closed through the real loop (X → Slack → sign-off → X) lands in the case history, on the
PostgreSQL at 127.0.0.1:5432 when one answers there and in SQLite otherwise; ``bridge export`` finds
it, ``/bridge report`` counts it, the daily digest posts, and the customer's next card says who is
writing."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from adapters.slack.cards import ACTION_IDS
from bridge.domain.lifecycle import State
from bridge.reports.kpis import Cut, figures
from standins.harness import DASHBOARD_TOKEN, LocalBridge
from tests.conftest import PLAYBOOK, running_bridge
from tests.e2e.test_concierge_loop import REFUND, open_case
from tests.e2e.test_erasure import cli
from tests.support.history import postgres_schema, postgres_url

pytestmark = pytest.mark.e2e

PARCEL = "@AcmeHelp my parcel never arrived, tracking says delivered"
PRAISE = "@AcmeHelp thank you so much, great service as always!"


@contextmanager
def history_bridge(redis_url: str, tmp_path: Path) -> Iterator[LocalBridge]:
    playbook = tmp_path / "desk.yml"
    playbook.write_text(PLAYBOOK.read_text() + "\nreports: {daily: {at: '08:00'}}\n")
    server = postgres_url()
    database: AbstractContextManager[str | None] = postgres_schema(server) if server else nullcontext(None)
    with (
        database as database_url,
        running_bridge(playbook, redis_url, tmp_path, database_url=database_url) as bridge,
    ):
        yield bridge


def answer(bridge: LocalBridge, number: int, expert: str = "U0EXP1") -> None:
    bridge.click(expert, number, ACTION_IDS["claim"])
    bridge.reply_in_thread(expert, number, f"Hi, case {number} is sorted now: thanks for your patience.")
    bridge.drain()
    bridge.click("U0APP1", number, ACTION_IDS["approve"], f"{number}:1")
    bridge.drain()


def check_kpis_of_a_script(bridge: LocalBridge, first_answer_seconds: float) -> None:
    """Two more cases by script: Tom's, posted 40 minutes ago and answered now (late for X's 15),
    and praise that triage sets aside; the KPIs are then worked out here from that script."""
    forty_minutes_ago = datetime.now(UTC) - timedelta(minutes=40)
    post = bridge.x.add_mention(PARCEL, author_handle="tom_b", created_at=forty_minutes_ago)
    bridge.poll()
    bridge.drain()
    late = bridge.rt.store.case_for_post("x", post)
    assert late is not None
    answer(bridge, late, expert="U0LOG1")
    bridge.x.add_mention(PRAISE, author_handle="fan_f")
    bridge.poll()
    bridge.drain()
    shown = {f.key: f for f in figures(bridge.rt.reports.totals(Cut()))}
    assert (shown["cases"].value, shown["set_aside"].value) == (3, 1)
    assert shown["needed_response"].value == pytest.approx(200 / 3)  # Maria's and Tom's of the three
    assert shown["sla_attainment"].value == pytest.approx(50.0)  # Maria's in time, Tom's 40 min late
    expected = (first_answer_seconds + 40 * 60) / 2 / 60  # minutes, over the two answered
    assert shown["first_response_human"].value == pytest.approx(expected, abs=0.5)
    assert shown["reopen_rate"].value == 0.0


def test_a_closed_case_reaches_the_history_the_export_the_report_and_the_next_card(
    redis_url: str, tmp_path: Path
) -> None:
    with history_bridge(redis_url, tmp_path) as bridge:
        number = open_case(bridge, REFUND)
        answer(bridge, number)
        assert bridge.rt.store.get(number).state == State.POSTED
        facts = bridge.rt.history.get(number)  # archived by the job its closing queued
        assert facts is not None and (facts.state, facts.expert, facts.approver) == (
            "posted",
            "U0EXP1",
            "U0APP1",
        )
        assert facts.answers == 1 and facts.needed_response and facts.first_human_reply_seconds is not None
        assert facts.sla_minutes == 15 and facts.department == "billing"
        assert "claim" in [e.kind for e in bridge.rt.history.events(number)]
        check_kpis_of_a_script(bridge, facts.first_human_reply_seconds)

        env = {"DATABASE_URL": bridge.rt.settings.database_url or ""}
        exported = cli(bridge, "export", "cases", "--since", "1d", "--format", "csv", env=env)
        assert exported.returncode == 0, exported.stderr
        rows = list(csv.DictReader(io.StringIO(exported.stdout)))
        assert (str(number), "maria_k", "posted") in [
            (r["number"], r["author_handle"], r["state"]) for r in rows
        ]
        assert len(rows) == 3
        report = bridge.slash("U0SOC1", "C0SOCIAL", "report billing today").json()
        assert report["response_type"] == "ephemeral"
        assert "*Desk report · billing · today*" in report["text"] and "• *Cases*: 1" in report["text"]
        kept = list(bridge.rt.redis.scan_iter(match=bridge.rt.store.k("chart", "*")))
        token = kept[0].decode().rsplit(":", 1)[1]
        chart = requests.get(f"{bridge.web.url}/reports/charts/{token}.png", timeout=5)
        assert chart.status_code == 200 and chart.headers["Content-Type"] == "image/png"
        assert chart.content.startswith(b"\x89PNG")
        assert requests.get(f"{bridge.web.url}/reports/charts/{'x' * 32}.png", timeout=5).status_code == 404

        assert bridge.rt.report_digests.run("daily") == "posted"
        assert bridge.rt.report_digests.run("daily") == "already posted"
        digest = [
            m
            for m in bridge.slack.messages["C0SOCIAL"]
            if "Daily desk report" in json.dumps(m, ensure_ascii=False)
        ]
        assert len(digest) == 1

        bridge.slash("U0SOC1", "C0SOCIAL", f"resolve {number}")
        bridge.drain()
        bridge.rt.settings.bridge_public_url = bridge.web.url  # the dashboard is reachable: link to it
        again = open_case(bridge, "@AcmeHelp my invoice is wrong now")
        card = json.dumps(bridge.card_of(again), ensure_ascii=False)
        assert (
            "Customer history" in card and f"1 earlier case · last #{number}" in card and "resolved" in card
        )
        listed = f"{bridge.web.url}/dashboard/cases?handle=maria_k"
        assert f"<{listed}|see them>" in card
        page = requests.get(listed, headers={"Authorization": f"Bearer {DASHBOARD_TOKEN}"}, timeout=10)
        assert page.status_code == 200 and f"#{number}" in page.text  # the earlier case, from the history
