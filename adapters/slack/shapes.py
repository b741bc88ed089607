"""The shape of what Slack sends, checked before Bolt or a listener reads it.

Bolt (building a request's context, matching listeners, logging) and the bridge's listeners read
certain fields of every payload as strings, mappings or lists without checking. A correctly signed
body whose fields have other types made them raise, which Bolt and aiohttp answered with a 500. The
fields they read are declared here, with the types Slack sends; :func:`problem` names the first one
that is missing or of another type, so the HTTP handler can refuse the request with a 400 (or, for
an event Slack would only resend, acknowledge it) instead. Fields nobody reads are not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EVENT_CALLBACK", "Field", "event_problem", "problem"]

EVENT_CALLBACK = "event_callback"
_NONE = type(None)


@dataclass(frozen=True)
class Field:
    """The types a value may have; for a mapping, its known keys (``fields``) or, for a mapping of
    ids, the shape of every value (``each``); for a list, the shape of its items. ``nonempty``
    refuses an empty string or list."""

    types: tuple[type, ...]
    required: bool = False
    fields: Mapping[str, Field] = field(default_factory=dict)
    each: Field | None = None
    items: Field | None = None
    nonempty: bool = False


def _check(value: Any, spec: Field, path: str) -> str:
    if not isinstance(value, spec.types) or (isinstance(value, bool) and bool not in spec.types):
        names = " or ".join("null" if t is _NONE else t.__name__ for t in spec.types)
        return f"{path or 'the body'}: expected {names}, got {type(value).__name__}"
    if isinstance(value, dict):
        for key, inner in spec.fields.items():
            if key in value:
                found = _check(value[key], inner, f"{path}.{key}".lstrip("."))
                if found:
                    return found
            elif inner.required:
                return f"{path}.{key}".lstrip(".") + ": missing"
        if spec.each is not None:
            for key, inner_value in value.items():
                found = _check(inner_value, spec.each, f"{path}.{key}")
                if found:
                    return found
    if spec.nonempty and isinstance(value, str) and not value:
        return f"{path}: empty"
    if isinstance(value, list):
        if spec.nonempty and not value:
            return f"{path}: empty"
        for index, item in enumerate(value if spec.items is not None else []):
            found = _check(item, spec.items, f"{path}[{index}]")  # type: ignore[arg-type]
            if found:
                return found
    return ""


def _f(*types: type, **options: Any) -> Field:
    return Field(tuple(types), **options)


TEXT = _f(str, _NONE)
ID = _f(str, required=True, nonempty=True)
#: A user or a channel: an id, or an object carrying one.
REFERENCE = _f(str, dict, _NONE, fields={"id": TEXT})
#: What Bolt reads of any payload, an event and an authorization to build a request's context.
CONTEXT: dict[str, Field] = {
    "type": TEXT,
    "team": _f(str, dict, _NONE, fields={"id": TEXT, "enterprise_id": TEXT}),
    "enterprise": _f(str, dict, _NONE, fields={"id": TEXT}),
    "enterprise_id": TEXT,
    "team_id": TEXT,
    "user": REFERENCE,
    "user_id": TEXT,
    "channel": REFERENCE,
    "channel_id": TEXT,
    "thread_ts": TEXT,
    "user_team": TEXT,
    "function_execution_id": TEXT,
    "bot_access_token": TEXT,
}
AUTHORIZATIONS = _f(list, _NONE, items=_f(dict, fields=CONTEXT))
MESSAGE = _f(dict, _NONE, fields={**CONTEXT, "ts": TEXT, "text": TEXT, "subtype": TEXT, "bot_id": TEXT})
ELEMENT_STATE = _f(dict, fields={"type": TEXT, "selected_option": _f(dict, _NONE, fields={"value": TEXT})})
VIEW = _f(
    dict,
    _NONE,
    fields={
        "id": TEXT,
        "type": TEXT,
        "hash": TEXT,
        "callback_id": TEXT,
        "private_metadata": TEXT,
        "team_id": TEXT,
        "app_installed_team_id": TEXT,
        "state": _f(dict, _NONE, fields={"values": _f(dict, _NONE, each=_f(dict, each=ELEMENT_STATE))}),
    },
)
ACTION = _f(
    dict,
    fields={
        "action_id": ID,
        "block_id": TEXT,
        "value": TEXT,
        "selected_option": _f(dict, _NONE, fields={"value": TEXT}),
    },
)
EVENT = _f(
    dict,
    required=True,
    fields={
        **CONTEXT,
        "type": ID,
        "authorizations": AUTHORIZATIONS,
        "ts": TEXT,
        "text": TEXT,
        "subtype": TEXT,
        "bot_id": TEXT,
        "tab": TEXT,
        "channel_type": TEXT,
        "message": MESSAGE,
        "previous_message": MESSAGE,
        "item": _f(dict, _NONE, fields={"channel": REFERENCE}),
        "assistant_thread": _f(dict, _NONE, fields={"channel": REFERENCE, "thread_ts": TEXT}),
        "workflow_step": _f(dict, _NONE),
    },
)
ASSISTANT_EVENTS = ("assistant_thread_started", "assistant_thread_context_changed")
ASSISTANT_THREAD = _f(dict, required=True, fields={"channel_id": ID, "thread_ts": ID})
#: Every payload: Bolt's context, the fields of slash commands (a form, so always strings unless a
#: JSON body pretends to be one), and what may sit beside an interaction's main part.
BODY = _f(
    dict,
    fields={
        **CONTEXT,
        "authorizations": AUTHORIZATIONS,
        "command": TEXT,
        "text": TEXT,
        "trigger_id": TEXT,
        "response_url": TEXT,
        "response_urls": _f(list, _NONE, items=_f(dict, fields={"response_url": TEXT})),
        "function_data": _f(dict, _NONE),
        "event_id": TEXT,
        "view": VIEW,
        "actions": _f(list, _NONE, items=ACTION),
        "container": _f(dict, _NONE, fields={"channel_id": TEXT, "message_ts": TEXT}),
        "message": MESSAGE,
        "previous_message": MESSAGE,
        "workflow_step": _f(dict, _NONE),
    },
)
#: Interactions name the person who acted; these are what the bridge's listeners act on.
PERSON = _f(dict, required=True, fields={"id": ID})
BY_TYPE: dict[str, Field] = {
    "block_actions": _f(
        dict,
        fields={
            "user": PERSON,
            "trigger_id": ID,
            "actions": _f(list, required=True, nonempty=True),
            "channel": _f(dict, _NONE, fields={"id": TEXT}),
        },
    ),
    "view_submission": _f(
        dict, fields={"user": PERSON, "view": _f(dict, required=True, fields={"callback_id": ID, "type": ID})}
    ),
    "view_closed": _f(dict, fields={"user": PERSON, "view": _f(dict, required=True)}),
    "url_verification": _f(dict, fields={"challenge": ID}),
}


def problem(body: Any) -> str:
    """What makes ``body`` (a parsed request) unreadable, or "" when Bolt and the listeners may read it.
    An event callback's own ``event`` is judged by :func:`event_problem`."""
    outer = {k: v for k, v in body.items() if k != "event"} if isinstance(body, dict) else body
    found = _check(outer, BODY, "")
    if found or not isinstance(body, dict):
        return found
    kind = body.get("type")
    specific = BY_TYPE.get(kind) if isinstance(kind, str) else None
    return _check(body, specific, "") if specific is not None else ""


def event_problem(body: dict[str, Any]) -> str:
    """What makes the ``event`` of a body :func:`problem` accepted unreadable, or "". An event
    callback must carry one; in any other payload Bolt still reads it as a mapping when present."""
    event = body.get("event")
    if body.get("type") != EVENT_CALLBACK:
        return _check(event, _f(dict, fields=EVENT.fields), "event") if "event" in body else ""
    if "event" not in body:
        return "event: missing"
    found = _check(event, EVENT, "event")
    if found or not isinstance(event, dict):
        return found
    if event["type"] in ASSISTANT_EVENTS:  # Bolt sets up its assistant helpers for these
        return _check(event, _f(dict, fields={"assistant_thread": ASSISTANT_THREAD}), "event")
    if event.get("thread_ts") is not None and event.get("channel") is None:
        return "event.channel: missing in a message in a thread"
    return ""
