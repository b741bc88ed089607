"""Bad input at the bridge's doors, sent over real HTTP to the running web app.

Correctly signed (or, for Teams, correctly tokened) but malformed requests — bad JSON, bad form
encoding, real payloads with keys removed or values of the wrong type, huge values, bytes that are
not UTF-8, odd content types — get a 4xx, or the 200 Slack expects for an event it should ignore;
never a 5xx or a dropped connection, and the bridge still works afterwards. Telling people that
they were refused never holds up the work that moves cases.

What is sent is built by :mod:`tests.faults.probes`.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import structlog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.cards import ACTION_IDS
from adapters.slack.http import SIGNATURE_MAX_AGE_SECONDS, signature_valid
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from standins.slack_requests import block_action, event_body
from standins.teams_harness import LocalTeamsBridge
from tests.conftest import PLAYBOOK, running, running_bridge
from tests.e2e.conftest import TEAMS_PLAYBOOK
from tests.faults.probes import (
    FORM,
    JSON,
    Probe,
    post,
    probes,
    send_slack,
    send_teams,
    signed_headers,
    slack_bases,
    teams_bases,
)
from tests.support.adaptive_cards import texts

pytestmark = pytest.mark.e2e


def claim_shows_on_a_new_card(bridge: LocalBridge, text: str = "@AcmeHelp charged twice, refund?") -> bool:
    """The bridge still works: a fresh case's Claim, after the queued work has run, is on its card."""
    post_id = bridge.x.add_mention(text, author_handle="still_here", author_name="Still Here")
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post_id)
    assert number is not None
    assert bridge.click("U0EXP1", number, ACTION_IDS["claim"]).status == 200
    bridge.drain()
    return "Claimed by <@U0EXP1>" in repr(bridge.card_of(number)["blocks"])


@pytest.fixture(scope="module")
def slack(
    redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LocalBridge, list[tuple[str, Any]]]]:
    """One bridge for every example of the fuzz test, and the payloads, aimed at a live case's card,
    that the probes mutate (built once: Hypothesis replays examples from the same bases)."""
    with running_bridge(PLAYBOOK, redis_url, tmp_path_factory.mktemp("slack-fuzz")) as bridge:
        post_id = bridge.x.add_mention("@AcmeHelp I was charged twice", author_handle="maria_k")
        bridge.poll()
        bridge.drain()
        number = bridge.rt.store.case_for_post("x", post_id)
        assert number is not None
        yield bridge, slack_bases(bridge, number)


FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


@FUZZ
@given(data=st.data())
def test_malformed_signed_slack_requests_never_get_a_server_error(
    slack: tuple[LocalBridge, list[tuple[str, Any]]], data: st.DataObject
) -> None:
    bridge, bases = slack
    probe = data.draw(probes(bases), label="probe")
    status = send_slack(bridge, probe)
    assert status is not None, f"connection dropped for {probe.how}"
    assert status < 500, f"{status} for {probe.how}: {probe.raw[:300]!r}"


def test_after_a_barrage_of_malformed_requests_the_bridge_still_claims(
    slack: tuple[LocalBridge, list[tuple[str, Any]]],
) -> None:
    bridge, _ = slack
    assert claim_shows_on_a_new_card(bridge)


NO_TRIGGER = {**block_action("U0EXP1", "C0BILLING", "1.2", ACTION_IDS["ignore"], "1"), "trigger_id": ""}


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b"{not json", JSON),
        (b"[1, 2]", JSON),
        (b"payload=%7Bbroken", FORM),
        (b"payload=%5B1%5D", FORM),
        (b'{"type": "event_callback", "event": "x", "authorizations": 5}', JSON),
        (b"payload=" + urllib.parse.quote(json.dumps(NO_TRIGGER)).encode(), FORM),
    ],
    ids=[
        "bad json",
        "json list",
        "bad payload json",
        "payload list",
        "authorizations not a list",
        "no trigger",
    ],
)
def test_each_malformed_slack_request_is_a_400_with_one_log_line(
    local_bridge: LocalBridge, raw: bytes, content_type: str
) -> None:
    with captured_logs() as logs:
        status = send_slack(local_bridge, Probe(raw, content_type, "fixed"))
    assert status == 400
    refused = [e for e in logs if e["event"] == "slack_request_malformed"]
    assert len(refused) == 1 and refused[0]["reason"], logs


def test_a_signed_body_that_is_not_utf8_is_a_400_and_an_unsigned_one_a_401(local_bridge: LocalBridge) -> None:
    raw = b'{"type": "event_callback", "event": {"type": "message", "text": "caf\xe9"}}'
    assert send_slack(local_bridge, Probe(raw, JSON, "latin-1")) == 400
    wrong = signed_headers("not-the-secret", raw, JSON)
    assert post(local_bridge.web.url + "/slack/events", raw, wrong) == 401


#: Slack's published example (SIGNING_NOTES.md in ../shared/data/slack): secret, timestamp, body, signature.
SLACK_EXAMPLE = (
    "8f742231b10e8888abcd99yyyzzz85a5",
    "1531420618",
    (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    ),
    "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
)


def test_the_signature_over_raw_bytes_matches_slacks_published_example() -> None:
    secret, timestamp, body, signature = SLACK_EXAMPLE
    now = int(timestamp)
    assert signature_valid(secret, body, timestamp, signature, now)
    assert not signature_valid(secret, body, timestamp, signature, now + SIGNATURE_MAX_AGE_SECONDS + 1)
    assert not signature_valid(secret, body + b"\xff", timestamp, signature, now)
    assert not signature_valid(secret, body, "not-a-time", signature, now)


def test_a_dialog_slack_will_not_open_is_told_to_the_clicker_not_a_server_error(
    local_bridge: LocalBridge,
) -> None:
    bridge = local_bridge
    post_id = bridge.x.add_mention("@AcmeHelp charged twice, refund please", author_handle="maria_k")
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post_id)
    assert number is not None
    bridge.slack.fail_next("views.open", error="expired_trigger_id")
    assert bridge.click("U0EXP1", number, ACTION_IDS["ignore"]).status == 200
    bridge.drain()
    told = [str(c.params.get("text")) for c in bridge.slack.calls_to("chat.postEphemeral")]
    assert any("did not open the dialog" in t for t in told), told


def test_an_event_slack_should_not_resend_is_acknowledged_with_200(local_bridge: LocalBridge) -> None:
    """An event envelope whose inner event the bridge cannot read is acknowledged, so Slack does not
    retry it three times (and, at a high failure rate, switch the app's events off)."""
    body = json.loads(event_body({"type": "message", "text": "hi"}))
    events: list[Any] = [5, [], {"type": 7}, {"type": "message", "channel": {"id": 1}, "thread_ts": []}]
    for index, event in enumerate(events):
        raw = json.dumps({**body, "event": event, "event_id": f"EvOdd{index}"}).encode()
        assert send_slack(local_bridge, Probe(raw, JSON, "odd event")) == 200, event


@contextmanager
def captured_logs() -> Iterator[list[MutableMapping[str, Any]]]:
    """Every structured log line while in the block, whatever level an earlier test configured."""
    saved = structlog.get_config()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG))
    try:
        with structlog.testing.capture_logs() as logs:
            yield logs
    finally:
        structlog.configure(**saved)


# refusals do not starve the work that moves cases -----------------------------------------------------
def ephemerals(bridge: LocalBridge) -> int:
    return len(bridge.slack.calls_to("chat.postEphemeral"))


def test_a_claim_after_a_barrage_of_refused_clicks_is_done_before_the_refusals(
    local_bridge: LocalBridge,
) -> None:
    """Work that moves a case runs before any queued refusal; refusals to one person for the same
    reason are told once, not once per click."""
    bridge = local_bridge
    post_id = bridge.x.add_mention("@AcmeHelp where is my refund?", author_handle="maria_k")
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post_id)
    assert number is not None
    for i in range(30):
        bridge.click(f"U0OUT{i % 3}", number, ACTION_IDS["claim"], "not-a-case")  # three people, refused
    assert bridge.click("U0EXP1", number, ACTION_IDS["claim"]).status == 200
    order: list[str] = []
    watch = _watch_card(bridge, number, order)
    bridge.drain()
    watch()
    assert order and order[0] == "card", f"the card changed after {order.index('card')} refusals"
    assert ephemerals(bridge) == 3, "one refusal per person and reason, not one per click"


def test_bridge_worker_runs_case_work_first_and_then_the_tells(
    local_bridge: LocalBridge, tmp_path: Path
) -> None:
    """The deployed worker (``bridge worker``, a real process) listens to both queues, in that order."""
    bridge = local_bridge
    post_id = bridge.x.add_mention("@AcmeHelp charged twice, refund please", author_handle="tom")
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post_id)
    assert number is not None
    for i in range(6):
        bridge.click(f"U0OUT{i % 2}", number, ACTION_IDS["claim"], "not-a-case")
    bridge.click("U0EXP1", number, ACTION_IDS["claim"])
    order: list[str] = []
    watch = _watch_card(bridge, number, order)
    settings = bridge.rt.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "X_", "TEAMS_"))}
    env.update(
        REDIS_URL=str(bridge.redis_url),
        BRIDGE_PLAYBOOK=str(bridge.playbook),
        BRIDGE_DATA_DIR=str(tmp_path),
        BRIDGE_QUEUE=settings.bridge_queue,
        BRIDGE_KEY_PREFIX=settings.bridge_key_prefix,
        BRIDGE_CHANNEL_INTERVAL_MS="0",
        SLACK_BOT_TOKEN=str(settings.slack_bot_token),
        SLACK_SIGNING_SECRET=bridge.signing_secret,
        SLACK_API_URL=settings.slack_api_url,
    )
    done = subprocess.run(
        [sys.executable, "-m", "bridge.cli", "worker", "--burst"], env=env, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    watch()
    assert order == ["card", "refusal", "refusal"], order


def _watch_card(bridge: LocalBridge, number: int, order: list[str]) -> Callable[[], None]:
    """Record, in the order the Slack stand-in saw them, card updates and ephemeral refusals."""
    seen = len(bridge.slack.calls)
    card_ts = bridge.rt.store.get(number).card_ts

    def collect() -> None:
        for call in bridge.slack.calls[seen:]:
            if call.method == "chat.update" and call.params.get("ts") == card_ts:
                order.append("card")
            elif call.method == "chat.postEphemeral":
                order.append("refusal")

    return collect


# the Teams side --------------------------------------------------------------------------------------
def _teams_case(bridge: LocalTeamsBridge, handle: str = "maria_k") -> int:
    post_id = bridge.x.add_mention("@AcmeHelp I was charged twice", author_handle=handle)
    bridge.poll()
    bridge.drain()
    number = bridge.rt.store.case_for_post("x", post_id)
    assert number is not None
    return number


@pytest.fixture(scope="module", params=["local", "token"])
def teams(
    request: pytest.FixtureRequest, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LocalTeamsBridge, list[tuple[str, Any]]]]:
    """A Teams bridge in local mode, and one demanding Bot Framework tokens (sent valid here), with
    the activities the probes mutate."""
    options: dict[str, Any] = {"app_id": "11111111-2222-4333-8444-555555555555", "app_password": "s3cret"}
    bridge = LocalTeamsBridge(
        playbook=TEAMS_PLAYBOOK,
        redis_url=redis_url,
        data_dir=Path(tmp_path_factory.mktemp("teams-fuzz")),
        **(options if request.param == "token" else {}),
    )
    with running(bridge):
        assert bridge.install().status == 200
        yield bridge, teams_bases(bridge, _teams_case(bridge))


@FUZZ
@given(data=st.data())
def test_malformed_teams_activities_never_get_a_server_error(
    teams: tuple[LocalTeamsBridge, list[tuple[str, Any]]], data: st.DataObject
) -> None:
    bridge, bases = teams
    probe = data.draw(probes(bases), label="probe")
    status = send_teams(bridge, probe)
    assert status is not None, f"connection dropped for {probe.how}"
    assert status < 500, f"{status} for {probe.how}: {probe.raw[:300]!r}"


def test_after_a_teams_barrage_a_claim_still_changes_the_card(
    teams: tuple[LocalTeamsBridge, list[tuple[str, Any]]],
) -> None:
    bridge, _ = teams
    number = _teams_case(bridge, "still_here")
    assert bridge.execute("erin", number, "case_claim").status == 200
    bridge.drain()
    assert bridge.rt.store.get(number).state == State.CLAIMED
    assert "Claimed by **Erin Expert**" in texts(bridge.card(number))


TEAMS_MALFORMED: list[dict[str, Any]] = [
    {"type": "bogus"},
    {"type": "message"},
    {"type": "message", "from": "me"},
    {"type": "message", "conversation": {"id": "c"}, "from": {"id": "u"}, "timestamp": "yesterday"},
]


@pytest.mark.parametrize(
    "activity", TEAMS_MALFORMED, ids=["unknown type", "no ids", "from a string", "bad time"]
)
def test_each_malformed_teams_activity_is_a_400_with_one_log_line(
    teams: tuple[LocalTeamsBridge, list[tuple[str, Any]]], activity: dict[str, Any]
) -> None:
    """Malformed but naming this bridge's service URL, so that with a token it is judged, not refused."""
    bridge, _ = teams
    raw = json.dumps({**activity, "serviceUrl": bridge.service_url}).encode()
    with captured_logs() as logs:
        status = send_teams(bridge, Probe(raw, JSON, "fixed"))
    assert status == 400
    refused = [e for e in logs if e["event"] == "teams_request_malformed"]
    assert len(refused) == 1 and refused[0]["reason"], logs
