"""X API v2 error bodies, as X sends them.

v2 answers problems in two shapes: an RFC 7807-like object (``title``, ``detail``, ``type``,
``status``) for refusals, and ``{"errors": [...], "title": "Invalid Request", ...}`` for bad
parameters. tweepy turns both into its exception's message, so the bridge's logs and decisions
(retry or give up) depend on getting them right.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

INVALID_REQUEST_TYPE = "https://api.twitter.com/2/problems/invalid-request"
NOT_FOUND_TYPE = "https://api.twitter.com/2/problems/resource-not-found"
UNSUPPORTED_AUTH_TYPE = "https://api.twitter.com/2/problems/unsupported-authentication"

DUPLICATE_CONTENT = "You are not allowed to create a Tweet with duplicate content."
REPLY_TARGET_GONE = "You attempted to reply to a Tweet that is deleted or not visible to you."
APP_ONLY_FORBIDDEN = (
    "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported "
    "authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context]."
)


class XProblem(Exception):
    """A non-2xx answer; raised by endpoint code, turned into a response by the pipeline."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("detail") or body.get("title"))
        self.status = status
        self.body = body


def problem(status: int, detail: str | None = None) -> XProblem:
    """``{"title": ..., "detail": ..., "type": "about:blank", "status": ...}``: X's refusal shape,
    e.g. 401 for missing credentials and 403 for duplicate content."""
    title = HTTPStatus(status).phrase
    return XProblem(
        status, {"detail": detail or title, "type": "about:blank", "title": title, "status": status}
    )


def unsupported_authentication() -> XProblem:
    return XProblem(
        403,
        {
            "title": "Unsupported Authentication",
            "detail": APP_ONLY_FORBIDDEN,
            "type": UNSUPPORTED_AUTH_TYPE,
            "status": 403,
        },
    )


def invalid_request(message: str, parameters: dict[str, list[str]]) -> XProblem:
    return XProblem(
        400,
        {
            "errors": [{"parameters": parameters, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": INVALID_REQUEST_TYPE,
        },
    )


def not_found_error(resource_type: str, parameter: str, value: str) -> dict[str, Any]:
    """One entry of the ``errors`` list X returns with HTTP 200 when a looked-up id is unknown."""
    return {
        "value": value,
        "detail": f"Could not find {resource_type} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": value,
        "type": NOT_FOUND_TYPE,
    }


def page_not_found() -> XProblem:
    return XProblem(404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})
