"""The dashboard in a real browser: Chromium signs in with Slack, opens every page, searches for a
case, reads its timeline and downloads the export; a screenshot of each page is kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from standins.harness import LocalBridge
from tests.support.browser import artefacts, chromium
from tests.support.dashboard import HOSTILE_TEXT, fill, history_at, now_utc

pytestmark = pytest.mark.e2e

PAGES = {
    "Overview": "First response",
    "Volume": "Cases by hour of the week",
    "Departments and experts": "Experts",
    "Surveys": "Latest answers",
    "Cases": "Find a case",
}


def test_a_social_lead_signs_in_reads_every_page_finds_a_case_and_downloads_the_export(
    local_bridge: LocalBridge, tmp_path: Path
) -> None:
    cases = fill(history_at(tmp_path), now_utc())
    local_bridge.slack.sign_in.next_person = ("U0SOC1", "Sam Social")
    shots = artefacts()
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page.goto(local_bridge.web.url + "/dashboard")
        assert "/dashboard/sign-in?next=" in page.url
        page.screenshot(path=str(shots / "dashboard-sign-in.png"), full_page=True)
        page.get_by_role("link", name="Sign in with Slack").click()
        page.wait_for_url("**/dashboard")
        assert "Sam Social" in page.inner_text("header")

        for name, heading in PAGES.items():
            page.get_by_role("link", name=name, exact=True).click()
            page.wait_for_load_state()
            assert heading in page.inner_text("main"), name
            page.screenshot(path=str(shots / f"dashboard-{name.split()[0].lower()}.png"), full_page=True)

        page.goto(local_bridge.web.url + "/dashboard")
        answered = page.locator('[data-kpi="cases"] .value').inner_text()
        assert answered == str(len(cases))  # every case of the last 30 days: all of them
        definition = page.locator('[data-kpi="sla_attainment"] .definition').inner_text()
        assert "first-response target" in definition  # each figure says what it means

        page.get_by_role("link", name="Cases", exact=True).click()
        page.fill('input[name="handle"]', "mallory")
        page.get_by_role("button", name="Search").click()
        page.wait_for_load_state()
        rows = page.locator("#results tr")
        assert rows.count() == 2  # the heading and the one case
        page.get_by_role("link", name="#43").click()
        page.wait_for_url("**/dashboard/cases/43")
        assert HOSTILE_TEXT in page.inner_text("main")  # shown as the words they are
        assert page.title() == "Case #43 · escalation bridge"  # the script in them never ran
        assert page.locator("#timeline tr").count() == 4
        page.screenshot(path=str(shots / "dashboard-case.png"), full_page=True)

        page.goto(local_bridge.web.url + "/dashboard")
        with page.expect_download() as download:
            page.get_by_role("link", name="JSON lines").click()
        saved = tmp_path / "export.jsonl"
        download.value.save_as(saved)
        exported = [json.loads(line) for line in saved.read_text().splitlines()]
        assert sorted(row["number"] for row in exported) == sorted(case.number for case in cases)
        page.close()
