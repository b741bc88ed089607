"""Who is looking at the dashboard: the port through which a chat platform's sign-in says so.

Slack ("Sign in with Slack", OpenID Connect) and Microsoft Entra (for Teams) implement it in their
adapters; the core only asks for the address to send a browser to and, on its return, who signed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["IdentityProvider", "SignedInPerson"]


@dataclass(frozen=True)
class SignedInPerson:
    """A person as their chat platform knows them: ``user_id`` is the id the playbook lists (a Slack
    user id, or a Microsoft Entra object id for Teams)."""

    user_id: str
    name: str
    provider: str


class IdentityProvider(Protocol):
    name: str  # "slack" or "entra": the path segment of its sign-in routes
    label: str  # the button's words, e.g. "Sign in with Slack"

    def authorize_url(self, redirect_uri: str, state: str, nonce: str) -> str:
        """Where to send the browser to sign in; it comes back to ``redirect_uri`` with a code."""
        ...

    def identify(self, code: str, redirect_uri: str, nonce: str) -> SignedInPerson:
        """Exchange the code for the person, checking the nonce; raises
        :class:`bridge.domain.errors.SignInRefused` when the platform does not vouch for them."""
        ...
