"""Bad input at the bridge's doors, sent over real HTTP to the running web app.

Correctly signed (or, for Teams, correctly tokened) but malformed requests — bad JSON, bad form
encoding, real payloads with keys removed or values of the wrong type, huge values, bytes that are
not UTF-8, odd content types — get a 4xx, or the 200 Slack expects for an event it should ignore;
never a 5xx or a dropped connection, and the bridge still works afterwards. Telling people that
they were refused never holds up the work that moves cases.

The Hypothesis strategies here are also what ``bench/fault_bad_input.py`` sends.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import logging
import os
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import structlog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.cards import ACTION_IDS, DRAFT_TEMPLATE_ACTION
from adapters.slack.crisis_cards import CRISIS_ACTIONS, EDIT_CALLBACKS
from bridge.domain.lifecycle import State
from standins.harness import LocalBridge
from standins.slack_requests import (
    block_action,
    edited_thread_message,
    event_body,
    slash_command_body,
    thread_message,
    view_submission,
)
from standins.teams_harness import LocalTeamsBridge
from tests.conftest import PLAYBOOK, SHARED_DATA, running, running_bridge
from tests.e2e.conftest import TEAMS_PLAYBOOK
from tests.support.adaptive_cards import texts

pytestmark = pytest.mark.e2e

# what is sent -----------------------------------------------------------------------------------------
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
CONTENT_TYPES = [
    JSON,
    FORM,
    "application/json; charset=utf-8",
    "text/plain",
    "multipart/form-data; boundary=xyz",
    "application/octet-stream",
    "",
]
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(["", "#", ":", "1:", "#1:x", "-1", "1e400", "U0EXP1", "<!channel>", "\x00", "💥💥"]),
    st.integers(min_value=2**63, max_value=2**90),
)
ODD_VALUES = st.one_of(
    LEAVES,
    st.recursive(
        LEAVES,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
        max_leaves=6,
    ),
    st.builds(lambda n: "x" * n, st.sampled_from([3_000, 40_000, 400_000])),
)


@dataclass(frozen=True)
class Probe:
    """One request body as it goes on the wire, and why it was made."""

    raw: bytes
    content_type: str
    how: str


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


def _mutate(value: Any, path: tuple[Any, ...], op: str, odd: Any) -> Any:
    """``value`` with the part at ``path`` deleted, replaced by ``odd`` or wrapped in a list."""
    if not path:
        return {} if op == "delete" else [value] if op == "wrap" else odd
    parent = value
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if op == "delete":
        del parent[last]
    elif op == "wrap":
        parent[last] = [parent[last]]
    else:
        parent[last] = odd
    return value


@st.composite
def mutated(draw: st.DrawFn, payload: Any) -> Any:
    """A real payload with one to three parts removed, retyped or wrapped; sometimes untouched."""
    value = copy.deepcopy(payload)
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(_paths(value)))
        op = draw(st.sampled_from(["replace", "replace", "delete", "wrap"]))
        value = _mutate(value, path, op, draw(ODD_VALUES))
    return value


def _text(value: Any) -> str:
    return json.dumps(value, allow_nan=True) if not isinstance(value, str) else value


def encode(kind: str, value: Any) -> Probe:
    """How Slack puts a payload on the wire: events as JSON, interactions as ``payload=`` forms,
    slash commands as plain forms; Teams activities as JSON."""
    if kind == "interaction":
        return Probe(("payload=" + urllib.parse.quote(_text(value))).encode(), FORM, "mutated interaction")
    if kind == "command":
        fields = value if isinstance(value, dict) else {"text": value}
        body = urllib.parse.urlencode({str(k): _text(v) for k, v in fields.items()})
        return Probe(body.encode(), FORM, "mutated command")
    return Probe(_text(value).encode("utf-8", errors="surrogatepass"), JSON, f"mutated {kind}")


@st.composite
def corrupted(draw: st.DrawFn, probe: Probe) -> Probe:
    """The same body broken on the wire: cut short, spliced with junk, re-encoded, or relabelled."""
    raw = probe.raw
    how = draw(
        st.sampled_from(["truncate", "splice", "not utf-8", "bad percent", "content type", "junk", "empty"])
    )
    if how == "truncate":
        raw = raw[: draw(st.integers(0, max(0, len(raw) - 1)))]
    elif how == "splice":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    elif how == "not utf-8":
        at = draw(st.integers(0, len(raw)))
        raw = (
            raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80\x80"])) + raw[at:]
        )
    elif how == "bad percent":
        raw = raw.replace(b"%", b"%Z", 1) if b"%" in raw else raw + b"%E2%82"
    elif how == "content type":
        return Probe(raw, draw(st.sampled_from(CONTENT_TYPES)), f"{probe.how} as another type")
    elif how == "junk":
        raw = draw(
            st.sampled_from(
                [b"[]", b"null", b"1", b'"x"', b"payload=", b"payload=null", b"payload=[1]", b"=&="]
            )
        )
    else:
        raw = b""
    return Probe(raw, probe.content_type, f"{probe.how}, {how}")


@st.composite
def probes(draw: st.DrawFn, bases: list[tuple[str, Any]]) -> Probe:
    """A malformed request built from one of ``bases`` ((kind, real payload) pairs)."""
    kind, payload = draw(st.sampled_from(bases))
    probe = encode(kind, draw(mutated(payload)))
    if draw(st.integers(0, 3)) == 0:
        probe = draw(corrupted(probe))
    return probe


# the Slack side ---------------------------------------------------------------------------------------
def slack_bases(bridge: LocalBridge, number: int) -> list[tuple[str, Any]]:
    """Real payloads: what the harness sends for a live case's buttons, dialogs, thread replies and
    slash commands, and bolt-python's recorded payloads from ../shared/data when present."""
    case = bridge.rt.store.get(number)
    channel, ts = case.channel, case.card_ts
    value = {"claim": str(number), "approve": f"{number}:1", "request_changes": f"{number}:1"}
    bases: list[tuple[str, Any]] = [
        ("interaction", block_action("U0EXP1", channel, ts, action, value.get(name, str(number))))
        for name, action in ACTION_IDS.items()
    ]
    bases += [
        ("interaction", block_action("U0EXP1", channel, ts, DRAFT_TEMPLATE_ACTION, str(number))),
        ("interaction", block_action("U0LEAD1", channel, ts, next(iter(CRISIS_ACTIONS.values())), "1:1")),
    ]
    state = {"type": "plain_text_input", "value": "Hi, sorted"}
    for callback, block in [
        ("draft_submit", "draft"),
        ("request_changes_submit", "comment"),
        ("ignore_submit", "reason"),
        ("reassign_submit", "department"),
        (EDIT_CALLBACKS["statement"], "text"),
    ]:
        bases.append(("interaction", view_submission("U0EXP1", callback, f"{number}:1", {block: state})))
    confirm = json.dumps({"action": "mute", "target": "maria_k", "channel": channel})
    bases.append(("interaction", view_submission("U0SOC1", "confirm_action", confirm, {})))
    reply = thread_message("U0EXP1", channel, ts, "Hi @maria_k, sorted")
    bases += [
        ("event", json.loads(event_body(reply))),
        ("event", json.loads(event_body(edited_thread_message(reply, "Hi again")))),
        ("event", json.loads(event_body({"type": "app_home_opened", "user": "U0EXP1", "tab": "home"}))),
        ("command", dict(urllib.parse.parse_qsl(slash_command_body("U0SOC1", channel, f"status {number}")))),
    ]
    recorded = SHARED_DATA / "slack" / "inbound-payloads"
    for path in sorted(recorded.glob("*.json")) if recorded.exists() else []:
        data = json.loads(path.read_text())
        if path.name != "INDEX.json" and isinstance(data, dict):
            bases.append(("event" if "event" in data or data.get("type") else "interaction", data))
    return bases


def signed_headers(secret: str, raw: bytes, content_type: str) -> dict[str, str]:
    """Slack's signature over exactly the bytes sent (slack_sdk's signer would first decode them)."""
    ts = str(int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + digest}
    if content_type:
        headers["Content-Type"] = content_type
    return headers


def post(url: str, raw: bytes, headers: dict[str, str]) -> int | None:
    """The status of a POST, or None when the connection was dropped without an answer."""
    try:
        return requests.post(url, data=raw, headers=headers, timeout=30).status_code
    except requests.ConnectionError:
        return None


def send_slack(bridge: LocalBridge, probe: Probe) -> int | None:
    headers = signed_headers(bridge.signing_secret, probe.raw, probe.content_type)
    return post(bridge.web.url + "/slack/events", probe.raw, headers)


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
def teams_bases(bridge: LocalTeamsBridge, number: int) -> list[tuple[str, Any]]:
    thread = bridge.card_thread(number)
    card_ts = bridge.rt.store.get(number).card_ts
    value = {"action": {"type": "Action.Execute", "verb": "case_claim", "data": {"case": number}}}
    bases: list[tuple[str, Any]] = [
        ("activity", bridge.activity("invoke", "erin", thread, name="adaptiveCard/action", value=value)),
        ("activity", bridge.activity("message", "erin", thread, text="Hi, sorted", textFormat="plain")),
        ("activity", bridge.activity("messageUpdate", "erin", thread, text="Hi again", replyToId=card_ts)),
        ("activity", bridge.activity("message", "sam", "a:chat-29:05001-account", text="queue")),
    ]
    recorded = SHARED_DATA / "teams" / "recorded-activities" / "recordings"
    for path in sorted(recorded.glob("*-request-*.json")) if recorded.exists() else []:
        body = json.loads(path.read_text())["body"]
        bases.append(("activity", {**body, "serviceUrl": bridge.service_url}))
    return bases


def send_teams(bridge: LocalTeamsBridge, probe: Probe) -> int | None:
    headers = {"Content-Type": probe.content_type} if probe.content_type else {}
    if bridge.auth is not None:
        headers["Authorization"] = "Bearer " + bridge.auth.channel_token(bridge.service_url)
    return post(bridge.web.url + "/api/messages", probe.raw, headers)


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
