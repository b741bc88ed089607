"""What the Slack stand-in remembers: channels, people, messages, views and the calls made.

Tests assert on what a person would see in Slack (a card's text, the replies in its thread, how
often it was edited), so the stand-in keeps a small model of a workspace rather than a log only.
Every method takes the lock: the server mutates from its loop thread while tests read from theirs.
"""

from __future__ import annotations

import copy
import re
import threading
from dataclasses import dataclass, field
from typing import Any

DEFAULT_BOT_USER_ID = "UBRIDGEBOT"
DEFAULT_BOT_ID = "BBRIDGEBOT"
DEFAULT_TEAM_ID = "T0BRIDGE01"
DEFAULT_APP_ID = "A0BRIDGE01"
TEAM_NAME = "Example"
TEAM_DOMAIN = "example"
# Timestamps start here and advance 100 µs per message: unique, increasing, Slack-shaped.
TS_EPOCH_SECONDS = 1_700_000_000
TS_STEP_MICROSECONDS = 100
CREATED_EPOCH_SECONDS = 1_690_000_000

_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]+$")
_DM_ID = re.compile(r"^D[A-Z0-9]+$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
# Stand-in bookkeeping kept on stored messages but never sent to a client.
PRIVATE_MESSAGE_KEYS = frozenset({"edits"})


@dataclass(frozen=True)
class SlackCall:
    """One request as the client sent it.

    ``params`` merges the query string, then a form body, then a JSON body (later wins). Values
    are as sent (form values are strings), except ``blocks``, ``attachments``, ``view`` and
    ``metadata``: those are always decoded to Python objects whether they came as JSON strings in
    a form or as JSON values, so tests read them the same way whichever encoding the SDK chose.
    ``token`` comes from the ``Authorization: Bearer`` header, else from a ``token`` parameter.
    """

    method: str
    params: dict[str, Any]
    token: str | None
    http_verb: str
    status: int
    error: str | None = None


class SlackError(Exception):
    """A Slack ``{"ok": false, "error": ...}`` answer; ``extra`` adds documented sibling keys."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def invalid_arguments(*messages: str) -> SlackError:
    return SlackError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {m}" for m in messages]})


@dataclass
class SlackWorkspace:
    """The state of one fake workspace. Channel and user ids not registered beforehand are
    created on first use, so tests only register what they want to differ from the default."""

    bot_user_id: str = DEFAULT_BOT_USER_ID
    bot_id: str = DEFAULT_BOT_ID
    team_id: str = DEFAULT_TEAM_ID
    app_id: str = DEFAULT_APP_ID
    lock: threading.RLock = field(default_factory=threading.RLock)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ephemerals: list[dict[str, Any]] = field(default_factory=list)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    home_views: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[SlackCall] = field(default_factory=list)
    _clock: int = 0
    _view_seq: int = 0

    def clear(self) -> None:
        with self.lock:
            for store in (self.channels, self.users, self.messages, self.views, self.home_views):
                store.clear()
            self.ephemerals.clear()
            self.calls.clear()
            self._clock = 0
            self._view_seq = 0

    def next_ts(self) -> str:
        with self.lock:
            self._clock += 1
            micros = self._clock * TS_STEP_MICROSECONDS
            return f"{TS_EPOCH_SECONDS + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def next_view_id(self) -> str:
        with self.lock:
            self._view_seq += 1
            return f"V{self._view_seq:010d}"

    # -- channels and people -------------------------------------------------------------------

    def add_channel(self, channel_id: str, name: str, *, is_member: bool, is_private: bool) -> None:
        with self.lock:
            self.channels[channel_id] = {
                "id": channel_id,
                "name": name,
                "name_normalized": name,
                "created": CREATED_EPOCH_SECONDS,
                "creator": self.bot_user_id,
                "is_channel": not is_private,
                "is_group": is_private,
                "is_im": False,
                "is_mpim": False,
                "is_private": is_private,
                "is_archived": False,
                "is_general": False,
                "is_shared": False,
                "is_ext_shared": False,
                "is_org_shared": False,
                "is_member": is_member,
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": "", "creator": "", "last_set": 0},
                "previous_names": [],
            }

    def resolve_channel(self, ref: Any) -> dict[str, Any]:
        """The channel a client named by id, ``#name``/``name``, or user id (its DM), creating
        unknown ones on first use; raises ``channel_not_found`` for an empty reference."""
        if not isinstance(ref, str) or not ref.strip():
            raise SlackError("channel_not_found")
        with self.lock:
            if ref in self.channels:
                return self.channels[ref]
            name = ref.removeprefix("#")
            for channel in self.channels.values():
                if channel["name"] == name:
                    return channel
            if _USER_ID.match(ref):
                return self._dm_with(ref)
            if _CHANNEL_ID.match(ref):
                self.add_channel(ref, ref.lower(), is_member=True, is_private=ref.startswith("G"))
                return self.channels[ref]
            if _DM_ID.match(ref):
                return self._dm_with(None, channel_id=ref)
            new_id = f"C{len(self.channels) + 1:09d}"
            self.add_channel(new_id, name, is_member=True, is_private=False)
            return self.channels[new_id]

    def _dm_with(self, user_id: str | None, *, channel_id: str | None = None) -> dict[str, Any]:
        dm_id = channel_id or f"D{user_id[1:] if user_id else '0'}"
        if dm_id not in self.channels:
            self.add_channel(dm_id, dm_id.lower(), is_member=True, is_private=True)
            self.channels[dm_id].update(is_channel=False, is_group=False, is_im=True, user=user_id)
        return self.channels[dm_id]

    def add_user(self, user_id: str, name: str, *, real_name: str, email: str | None, is_bot: bool) -> None:
        with self.lock:
            profile = {
                "display_name": name,
                "display_name_normalized": name,
                "real_name": real_name,
                "real_name_normalized": real_name,
                "team": self.team_id,
            }
            if email is not None:
                profile["email"] = email
            self.users[user_id] = {
                "id": user_id,
                "team_id": self.team_id,
                "name": name,
                "real_name": real_name,
                "deleted": False,
                "is_bot": is_bot,
                "is_app_user": False,
                "is_admin": False,
                "is_owner": False,
                "tz": "Europe/Berlin",
                "tz_label": "Central European Time",
                "tz_offset": 3600,
                "profile": profile,
                "updated": CREATED_EPOCH_SECONDS,
            }

    def user(self, user_id: Any) -> dict[str, Any]:
        with self.lock:
            if isinstance(user_id, str) and user_id in self.users:
                return self.users[user_id]
            if not isinstance(user_id, str) or not _USER_ID.match(user_id):
                raise SlackError("user_not_found")
            self.add_user(user_id, user_id.lower(), real_name=user_id, email=None, is_bot=False)
            return self.users[user_id]

    # -- messages ------------------------------------------------------------------------------

    def store_message(self, channel_id: str, message: dict[str, Any]) -> dict[str, Any]:
        """Append a message, link it into its thread's parent, and return the stored dict."""
        with self.lock:
            message.setdefault("blocks", [])
            message.setdefault("thread_ts", None)
            message["edits"] = 0
            thread_ts = message["thread_ts"]
            if thread_ts is not None:
                parent = self.find_message(channel_id, thread_ts)
                if parent is not None:
                    message["parent_user_id"] = parent.get("user")
                    parent["thread_ts"] = parent["ts"]
                    parent["reply_count"] = parent.get("reply_count", 0) + 1
                    parent["latest_reply"] = message["ts"]
                    users = parent.setdefault("reply_users", [])
                    if message.get("user") not in users:
                        users.append(message.get("user"))
            self.messages.setdefault(channel_id, []).append(message)
            return message

    def find_message(self, channel_id: str, ts: Any) -> dict[str, Any] | None:
        with self.lock:
            for message in self.messages.get(channel_id, []):
                if message["ts"] == ts:
                    return message
        return None

    def thread(self, channel_id: str, thread_ts: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                copy.deepcopy(m)
                for m in self.messages.get(channel_id, [])
                if m["thread_ts"] == thread_ts and m["ts"] != thread_ts
            ]

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        with self.lock:
            return copy.deepcopy(self.messages)


def public_message(message: dict[str, Any]) -> dict[str, Any]:
    """A stored message as Slack would send it: no stand-in bookkeeping, no empty fields."""
    return {
        key: copy.deepcopy(value)
        for key, value in message.items()
        if key not in PRIVATE_MESSAGE_KEYS and value is not None and value != []
    }
