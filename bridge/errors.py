"""The core's vocabulary of failures.

Adapters translate their SDK's exceptions into these, so services and jobs decide what to do (retry,
tell a person, give up) without knowing which platform failed.
"""

from __future__ import annotations


class BridgeError(Exception):
    """Base of every error the bridge raises on purpose."""


class UnknownCase(BridgeError):
    def __init__(self, reference: str) -> None:
        super().__init__(f"There is no case {reference}.")
        self.reference = reference


class NotAllowed(BridgeError):
    """A person tried something their role or the case's state does not permit; the text says why."""


class PlatformError(BridgeError):
    """A social or chat platform failed a call."""


class RateLimited(PlatformError):
    """The platform asked us to wait; ``retry_at`` is an epoch second."""

    def __init__(self, message: str, retry_at: float) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class Unavailable(PlatformError):
    """A server error or a lost connection: for a write, the outcome is unknown."""


class Rejected(PlatformError):
    """The platform refused the request for good; retrying the same request will not help."""

    def __init__(self, message: str, *, duplicate: bool = False) -> None:
        super().__init__(message)
        self.duplicate = duplicate
