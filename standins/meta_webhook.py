"""A stand-in of Meta's webhook sender: deliveries in Meta's shapes, signed with the app secret and
posted to the bridge's ``/meta/webhook`` (again, when Meta would redeliver).

The bodies are serialised as Meta sends them (non-ASCII as ``\\uXXXX`` escapes) and signed over those
exact bytes (``X-Hub-Signature-256: sha256=<hex>``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime
from typing import Any

import requests

from standins.meta_graph import IG_ID, PAGE_ID

__all__ = [
    "APP_SECRET",
    "VERIFY_TOKEN",
    "MetaWebhookSender",
    "comment_delivery",
    "message_delivery",
    "signature",
]

APP_SECRET = "meta-app-secret"
VERIFY_TOKEN = "meta-verify-token"

Json = dict[str, Any]


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _seconds(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("+0000", "+00:00")).timestamp())


def comment_delivery(comment: Json) -> Json:
    """The delivery Meta sends for a new comment from the Graph stand-in (Page ``feed`` or Instagram
    ``comments``)."""
    if comment["platform"] == "instagram":
        value = {
            "from": {"id": comment["from"]["id"], "username": comment["from"].get("username", "")},
            "media": {"id": comment["object_id"], "media_product_type": "FEED"},
            "id": comment["id"],
            "text": comment["text"],
        }
        change = {"field": "comments", "value": value}
        return {
            "object": "instagram",
            "entry": [{"id": IG_ID, "time": int(time.time()), "changes": [change]}],
        }
    post = comment["object_id"] if "_" in comment["object_id"] else comment["parent_id"]
    value = {
        "from": comment["from"],
        "post_id": post,
        "comment_id": comment["id"],
        "parent_id": comment["parent_id"],
        "item": "comment",
        "verb": "add",
        "created_time": _seconds(comment["created_time"]),
        "message": comment["message"],
    }
    change = {"field": "feed", "value": value}
    return {"object": "page", "entry": [{"id": PAGE_ID, "time": int(time.time()), "changes": [change]}]}


def message_delivery(platform: str, message: Json) -> Json:
    """The delivery for a customer's private message (Messenger, or Instagram Direct)."""
    ours = IG_ID if platform == "instagram" else PAGE_ID
    event = {
        "sender": {"id": message["from"]["id"]},
        "recipient": {"id": ours},
        "timestamp": _seconds(message["created_time"]) * 1000,
        "message": {"mid": message["id"], "text": message["message"]},
    }
    obj = "instagram" if platform == "instagram" else "page"
    return {"object": obj, "entry": [{"id": ours, "time": int(time.time() * 1000), "messaging": [event]}]}


class MetaWebhookSender:
    def __init__(self, url: str, secret: str = APP_SECRET) -> None:
        self.url = url
        self.secret = secret

    def post(self, payload: Json | bytes, *, signed: str | None = None, unsigned: bool = False) -> int:
        """POST one delivery (``bytes``: sent as they are); ``signed`` overrides the signature header
        (a forgery), ``unsigned`` leaves it out. Returns the HTTP status."""
        body = (
            payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=True).encode("ascii")
        )
        headers = {"Content-Type": "application/json"}
        if not unsigned:
            headers["X-Hub-Signature-256"] = signed or signature(self.secret, body)
        return requests.post(self.url, data=body, headers=headers, timeout=30).status_code

    def deliver(self, payload: Json, times: int = 1) -> list[int]:
        """The delivery, and Meta's redeliveries of it (the same body each time)."""
        return [self.post(payload) for _ in range(times)]

    def verify(self, token: str, challenge: str = "1158201444") -> tuple[int, str]:
        """The subscription handshake Meta sends when the callback URL is saved."""
        params = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": challenge}
        answer = requests.get(self.url, params=params, timeout=30)
        return answer.status_code, answer.text
