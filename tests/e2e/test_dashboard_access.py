"""Who gets into the dashboard, over real HTTP: the token, Sign in with Slack against the Slack
stand-in, Microsoft Entra against its stand-in, and everyone else kept out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from adapters.teams.sign_in import EntraSignIn
from bridge.domain.errors import SignInRefused
from standins.entra_sign_in import TENANT, EntraStandIn
from standins.harness import DASHBOARD_TOKEN, LocalBridge
from standins.server import BackgroundServer
from tests.support.dashboard import HOSTILE_TEXT, fill, history_at, now_utc

pytestmark = pytest.mark.e2e

HTML = {"Accept": "text/html"}


@pytest.fixture
def desk(local_bridge: LocalBridge, tmp_path: Path) -> LocalBridge:
    fill(history_at(tmp_path), now_utc())
    return local_bridge


def slack_sign_in(bridge: LocalBridge, user: str, name: str) -> tuple[requests.Session, requests.Response]:
    """A browser session that went through Sign in with Slack as ``user``, and the page it ended on."""
    bridge.slack.sign_in.next_person = (user, name)
    session = requests.Session()
    session.headers.update(HTML)
    landed = session.get(bridge.web.url + "/dashboard/sign-in/slack?next=/dashboard/people", timeout=10)
    return session, landed


def test_a_browser_that_has_not_signed_in_is_sent_to_sign_in_and_a_script_gets_401(desk: LocalBridge) -> None:
    page = requests.get(
        desk.web.url + "/dashboard/cases?text=bill", headers=HTML, allow_redirects=False, timeout=10
    )
    assert page.status_code == 302
    where = urlsplit(page.headers["Location"])
    assert (where.path, parse_qs(where.query)["next"]) == (
        "/dashboard/sign-in",
        ["/dashboard/cases?text=bill"],
    )
    script = requests.get(desk.web.url + "/dashboard/export", timeout=10)
    assert script.status_code == 401
    wrong = requests.get(
        desk.web.url + "/dashboard/export", headers={"Authorization": "Bearer nope"}, timeout=10
    )
    assert wrong.status_code == 401


def test_the_token_as_a_bearer_downloads_the_export(desk: LocalBridge) -> None:
    export = requests.get(
        desk.web.url + "/dashboard/export?format=jsonl",
        headers={"Authorization": f"Bearer {DASHBOARD_TOKEN}"},
        timeout=10,
    )
    assert export.status_code == 200
    assert export.headers["Content-Disposition"].startswith('attachment; filename="cases-')
    numbers = sorted(int(line.split('"number": ')[1].split(",")[0]) for line in export.text.splitlines())
    assert numbers[-1] == 43 and len(numbers) >= 40  # the last 30 days by default
    logistics = requests.get(
        desk.web.url + "/dashboard/export?format=jsonl&department=logistics",
        headers={"Authorization": f"Bearer {DASHBOARD_TOKEN}"},
        timeout=10,
    )
    departments = {json.loads(line)["department"] for line in logistics.text.splitlines()}
    assert departments == {"logistics"}  # the page's filters apply to its download


def test_a_playbook_expert_signs_in_with_slack_and_lands_on_the_page_asked_for(desk: LocalBridge) -> None:
    _session, page = slack_sign_in(desk, "U0EXP1", "Erin Expert")
    assert page.status_code == 200 and page.url.endswith("/dashboard/people")
    assert "Erin Expert" in page.text and "U0EXP2" in page.text  # the experts' table
    logistics = next(row for row in page.text.split("<tr>") if "<td>logistics</td>" in row)
    assert logistics.count("<td>") == 10 and "<td>3</td><td>1</td>" in logistics  # clicks, conversions
    asked = desk.slack.sign_in.authorize_requests[-1]
    assert asked["team"] == desk.slack.workspace.team_id  # straight to the bridge's workspace
    assert asked["nonce"] and asked["state"]


def test_someone_in_the_workspace_but_not_in_the_playbook_is_refused(desk: LocalBridge) -> None:
    session, landed = slack_sign_in(desk, "U0STRANGER", "Stranger")
    assert landed.status_code == 403
    assert "Stranger is not on the playbook&#39;s teams" in landed.text
    answer = session.get(desk.web.url + "/dashboard", timeout=10, allow_redirects=False)
    assert answer.status_code == 302 and "/dashboard/sign-in" in answer.headers["Location"]


def test_a_callback_the_bridge_did_not_start_is_refused(desk: LocalBridge) -> None:
    forged = requests.get(
        desk.web.url + "/dashboard/sign-in/slack/callback?code=abc&state=forged", headers=HTML, timeout=10
    )
    assert forged.status_code == 400
    assert "was not started here" in forged.text


def test_customer_words_are_shown_as_text_never_as_markup(desk: LocalBridge) -> None:
    session, _landed = slack_sign_in(desk, "U0SOC1", "Sam Social")
    found = session.get(desk.web.url + "/dashboard/cases", params={"handle": "mallory"}, timeout=10)
    assert found.status_code == 200
    assert "<script>" not in found.text and "&lt;script&gt;" in found.text
    assert "#43" in found.text
    case = session.get(desk.web.url + "/dashboard/cases/43", timeout=10)
    assert "&lt;b&gt;bold&lt;/b&gt;" in case.text and "<b>bold</b>" not in case.text
    assert "script-src" not in case.headers["Content-Security-Policy"]  # default-src 'none': no script runs
    assert HOSTILE_TEXT not in case.text


@pytest.fixture
def entra() -> Iterator[tuple[EntraStandIn, str]]:
    stand_in = EntraStandIn(client_id="app-id", client_secret="app-password")
    server = BackgroundServer(stand_in.app).start()
    try:
        yield stand_in, server.url
    finally:
        server.stop()


def test_microsoft_entra_names_the_person_by_object_id_and_checks_nonce_and_tenant(
    entra: tuple[EntraStandIn, str],
) -> None:
    stand_in, url = entra
    stand_in.next_person = ("5f0e-oid-of-ada", "Ada Lovelace")
    provider = EntraSignIn("app-id", "app-password", TENANT, url)
    back = "http://bridge.example/dashboard/sign-in/entra/callback"
    answer = requests.get(provider.authorize_url(back, "s1", "n1"), allow_redirects=False, timeout=10)
    code = answer.headers["Location"].split("code=")[1].split("&")[0]
    person = provider.identify(code, back, "n1")
    assert (person.user_id, person.name, person.provider) == ("5f0e-oid-of-ada", "Ada Lovelace", "entra")
    with pytest.raises(SignInRefused, match=r"already redeemed|refused"):
        provider.identify(code, back, "n1")  # a code works once
    answer = requests.get(provider.authorize_url(back, "s2", "n2"), allow_redirects=False, timeout=10)
    code = answer.headers["Location"].split("code=")[1].split("&")[0]
    with pytest.raises(SignInRefused, match="another attempt"):
        provider.identify(code, back, "a-different-nonce")
