"""Sign in with Slack (OpenID Connect) for the dashboard.

The browser goes to Slack's ``/openid/connect/authorize``; Slack sends it back with a code, which
``openid.connect.token`` exchanges for an ID token. That token comes straight from Slack over the
HTTPS connection we opened, so, as OpenID Connect Core 3.1.3.7 allows, the TLS connection vouches for
its issuer and its claims are read without fetching Slack's signing keys; the audience, the nonce and
the workspace are still checked, so a token meant for another app or another workspace is refused.
"""

from __future__ import annotations

from urllib.parse import urlencode, urljoin

import jwt
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bridge.domain.errors import SignInRefused
from bridge.domain.identity import SignedInPerson

__all__ = ["SlackSignIn"]

USER_CLAIM = "https://slack.com/user_id"
TEAM_CLAIM = "https://slack.com/team_id"


class SlackSignIn:
    name = "slack"
    label = "Sign in with Slack"

    def __init__(self, client: WebClient, client_id: str, client_secret: str) -> None:
        """``client`` is the bot's client (pointed at ``SLACK_API_URL``): it names the workspace, and
        the sign-in pages live beside its API, at ``…/openid/connect/authorize``."""
        self._client = client
        self._client_id = client_id
        self._client_secret = client_secret
        self._team_id: str | None = None

    def authorize_url(self, redirect_uri: str, state: str, nonce: str) -> str:
        query = {
            "response_type": "code",
            "scope": "openid profile",
            "client_id": self._client_id,
            "state": state,
            "nonce": nonce,
            "redirect_uri": redirect_uri,
        }
        team = self._workspace()
        if team:
            query["team"] = team  # straight to our workspace, not a chooser
        return urljoin(self._client.base_url, "../openid/connect/authorize") + "?" + urlencode(query)

    def identify(self, code: str, redirect_uri: str, nonce: str) -> SignedInPerson:
        try:
            answer = self._client.openid_connect_token(
                client_id=self._client_id,
                client_secret=self._client_secret,
                code=code,
                redirect_uri=redirect_uri,
                grant_type="authorization_code",
            )
        except SlackApiError as error:
            raise SignInRefused(
                f"Slack refused the sign-in ({error.response.get('error')}): try again."
            ) from error
        try:
            claims = jwt.decode(str(answer["id_token"]), options={"verify_signature": False})
        except (KeyError, jwt.PyJWTError) as error:
            raise SignInRefused("Slack's answer held no readable identity: try again.") from error
        if claims.get("aud") != self._client_id or claims.get("nonce") != nonce:
            raise SignInRefused("That sign-in was meant for another app or another attempt: try again.")
        team = self._workspace()
        if team and claims.get(TEAM_CLAIM) != team:
            raise SignInRefused("That Slack account belongs to another workspace.")
        user = str(claims.get(USER_CLAIM) or "")
        if not user:
            raise SignInRefused("Slack did not say who signed in: try again.")
        return SignedInPerson(user_id=user, name=str(claims.get("name") or user), provider=self.name)

    def _workspace(self) -> str | None:
        """The bot's workspace, asked once (None when Slack cannot say: the check is then skipped
        only for the team hint, and identify still needs the claim to match once it is known)."""
        if self._team_id is None:
            try:
                self._team_id = str(self._client.auth_test().get("team_id") or "")
            except SlackApiError:
                return None
        return self._team_id or None
