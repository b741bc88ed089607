"""What the fault tests and ``bench/fault_bad_input.py`` send: malformed requests, correctly signed.

Hypothesis strategies mutate real payloads (what the harness sends for a live case's buttons,
dialogs, thread replies and slash commands; bolt-python's recorded payloads and real Teams traffic
from ../shared/data when present): parts removed, retyped or wrapped, huge values; then sometimes
break them on the wire: cut short, spliced with junk, not UTF-8, bad percent-encoding, relabelled
with another content type. Each probe is signed over exactly the bytes sent.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

import requests
from hypothesis import strategies as st

from adapters.slack.cards import ACTION_IDS, DRAFT_TEMPLATE_ACTION
from adapters.slack.crisis_cards import CRISIS_ACTIONS, EDIT_CALLBACKS
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
from tests.conftest import SHARED_DATA

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
