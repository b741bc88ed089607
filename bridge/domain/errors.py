"""The core's vocabulary of failures.

Adapters translate their SDK's exceptions into these, so services and jobs decide what to do (retry,
tell a person, give up) without knowing which platform failed.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "AuthFailed",
    "BadConversion",
    "BridgeError",
    "CardNotPostedYet",
    "CaseCompacted",
    "ConfigurationError",
    "MalformedButton",
    "MentionsFileError",
    "NoRuntime",
    "NotAllowed",
    "PaceDeferred",
    "PlatformError",
    "PlaybookError",
    "RateLimited",
    "Rejected",
    "SignInRefused",
    "SignatureRefused",
    "TemplateRefused",
    "Unavailable",
    "UnknownCase",
]


class BridgeError(Exception):
    """Base of every error the bridge raises on purpose."""


class UnknownCase(BridgeError):
    def __init__(self, reference: str) -> None:
        super().__init__(f"There is no case {reference}.")
        self.reference = reference


class CaseCompacted(UnknownCase):
    """The case closed long enough ago that Redis keeps only a stub; its facts and timeline are in the
    case history. Still an :class:`UnknownCase` to everything live (nothing can act on it), with a
    message that says where it went."""

    def __init__(self, reference: str, closed_on: str = "") -> None:
        super().__init__(reference)
        when = f" (closed {closed_on})" if closed_on else ""
        message = (
            f"Case {reference}{when} is archived: only the case history keeps it now, so it cannot be "
            f"reopened or changed. `bridge case {reference.lstrip('#')}` shows its timeline; if the "
            "customer writes again, their new message opens a new case with their history."
        )
        self.args = (message,)


class NotAllowed(BridgeError):
    """A person tried something their role or the case's state does not permit; the text says why."""


class PlatformError(BridgeError):
    """A social or chat platform failed a call."""


class AuthFailed(PlatformError):
    """The platform refused our credentials (an expired or revoked token): retrying cannot help until
    someone sets new ones; the text says which."""


class RateLimited(PlatformError):
    """The platform asked us to wait; ``retry_at`` is an epoch second."""

    def __init__(self, message: str, retry_at: float) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class PaceDeferred(BridgeError):
    """A job's channel is busy until ``until`` (an epoch second), whose slot the job now holds: the
    worker runs the job again then, instead of the job sleeping while other channels wait."""

    def __init__(self, channel: str, until: float) -> None:
        super().__init__(f"channel {channel} is busy until {until:.3f}")
        self.channel = channel
        self.until = until


class Unavailable(PlatformError):
    """A server error or a lost connection: for a write, the outcome is unknown."""


class Rejected(PlatformError):
    """The platform refused the request for good; retrying the same request will not help."""

    def __init__(self, message: str, *, duplicate: bool = False) -> None:
        super().__init__(message)
        self.duplicate = duplicate


# Errors that are not about a platform or a person's action: configuration, playbooks, jobs.


class CardNotPostedYet(RuntimeError):
    """A card is not in chat yet: a thread update arrived before its card exists, or another worker
    is posting it. The job is retried shortly and then finds the card."""


class ConfigurationError(RuntimeError):
    """The environment asks for something that cannot run; the text says what to set."""


class NoRuntime(RuntimeError):
    """A job ran in a process that did not install a runtime."""


class PlaybookError(ValueError):
    """A playbook that cannot be used; ``problems`` lists each one with file, line and key path."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(problems))


class TemplateRefused(ValueError):
    """A crisis template that cannot be filled in; its text says what is wrong, for leadership."""


class MalformedButton(NotAllowed):
    """A button that names no alert or incident, or no known action: an out-of-date message or a
    forged request. A :class:`NotAllowed`, so an adapter that tells refusals to people tells this one
    too; one that can answer a malformed request as such (Teams: HTTP 400) catches it first."""


class MentionsFileError(ValueError):
    """A line of the mentions file that cannot be read; the message names the file and line."""


class SignInRefused(BridgeError):
    """A dashboard sign-in the platform did not vouch for: a bad code, a replayed or foreign state,
    a nonce that does not match. The message is safe to show the person."""


class SignatureRefused(BridgeError):
    """A signed webhook (``POST /api/conversions``) whose signature is missing (``missing``) or wrong."""

    def __init__(self, message: str, *, missing: bool) -> None:
        self.missing = missing
        super().__init__(message)


class BadConversion(ValueError):
    """A conversion the brand's shop sent that cannot be read; the message says what was expected."""
