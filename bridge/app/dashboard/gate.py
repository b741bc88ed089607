"""The dashboard's door: who is looking, and the sign-in routes that let them in.

Three ways in, whichever the deployment has: "Sign in with Slack" (OpenID Connect) when Slack is
configured, Microsoft Entra when Teams is, and ``BRIDGE_DASHBOARD_TOKEN`` for scripts and headless
use (as ``Authorization: Bearer``, or typed once into the sign-in form). A signed-in person must be
one the playbook names (:mod:`bridge.app.dashboard.access`); the token stands for the operator.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from urllib.parse import quote

import structlog
from aiohttp import web

from bridge.app.dashboard.access import may_view
from bridge.app.dashboard.sessions import SESSION_COOKIE, SESSION_SECONDS, Sessions, Viewer
from bridge.app.dashboard.views import render
from bridge.domain.errors import SignInRefused
from bridge.domain.identity import IdentityProvider
from bridge.playbook.model import Playbook

__all__ = ["SIGN_IN_COOKIE", "Gate"]

log = structlog.get_logger(__name__)

SIGN_IN_COOKIE = "bridge_sign_in"
SIGN_IN_SECONDS = 600  # the round trip through the platform's sign-in page
HOME = "/dashboard"


def _redirect(location: str) -> web.Response:
    """A 302 that can carry cookies (aiohttp's HTTPFound must be raised, and then loses them)."""
    return web.Response(status=302, headers={"Location": location})


def _safe_next(value: str | None) -> str:
    """Only our own pages: an open redirect would lend our address to a phishing link."""
    if value and value.startswith(HOME) and not value.startswith("//") and "\\" not in value:
        return value
    return HOME


class Gate:
    """Reads the viewer of each request and serves the sign-in routes."""

    def __init__(
        self,
        sessions: Sessions,
        playbook: Callable[[], Playbook],
        providers: Mapping[str, IdentityProvider],
        token: str | None,
        public_url: str | None,
    ) -> None:
        self._sessions = sessions
        self._playbook = playbook
        self._providers = dict(providers)
        self._token = token
        self._public_url = public_url.rstrip("/") if public_url else None

    def viewer(self, request: web.Request) -> Viewer | None:
        """Who is asking: a bearer token, or a session cookie of a person the playbook still names."""
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer ") and self._token_matches(header.removeprefix("Bearer ").strip()):
            return Viewer("token", "operator (token)", "token", time.time() + 60)
        found = self._sessions.read(request.cookies.get(SESSION_COOKIE), time.time())
        if found is None or (found.via != "token" and not may_view(self._playbook(), found.user_id)):
            return None
        return found

    def require(self, request: web.Request) -> Viewer:
        """The viewer, or a redirect to sign in (a 401 for scripts, which send no ``Accept: text/html``)."""
        found = self.viewer(request)
        if found is not None:
            return found
        if "text/html" not in request.headers.get("Accept", ""):
            raise web.HTTPUnauthorized(text="sign in: Authorization: Bearer <BRIDGE_DASHBOARD_TOKEN>\n")
        raise web.HTTPFound(f"{HOME}/sign-in?next={quote(request.path_qs, safe='')}")

    def routes(self) -> list[tuple[str, str, Callable[[web.Request], object]]]:
        return [
            ("GET", f"{HOME}/sign-in", self.sign_in_page),
            ("POST", f"{HOME}/sign-in/token", self.sign_in_with_token),
            ("GET", f"{HOME}/sign-in/{{provider}}", self.start_sign_in),
            ("GET", f"{HOME}/sign-in/{{provider}}/callback", self.finish_sign_in),
            ("POST", f"{HOME}/sign-out", self.sign_out),
        ]

    async def sign_in_page(self, request: web.Request, problem: str = "", status: int = 200) -> web.Response:
        return render(
            "sign_in.html",
            status=status,
            providers=[(name, provider.label) for name, provider in self._providers.items()],
            token_enabled=bool(self._token),
            next=_safe_next(request.query.get("next")),
            problem=problem,
        )

    async def sign_in_with_token(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        given = str(form.get("token", ""))
        if not self._token_matches(given):
            log.warning("dashboard_sign_in_refused", via="token")
            return await self.sign_in_page(request, "That token is not this bridge's dashboard token.", 403)
        viewer = Viewer("token", "operator (token)", "token", time.time() + SESSION_SECONDS)
        return self._signed_in(viewer, _safe_next(str(form.get("next", ""))), request)

    async def start_sign_in(self, request: web.Request) -> web.StreamResponse:
        provider = self._provider(request)
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        pending = {"state": state, "nonce": nonce, "next": _safe_next(request.query.get("next"))}
        response = _redirect(provider.authorize_url(self._callback(request, provider), state, nonce))
        response.set_cookie(
            SIGN_IN_COOKIE,
            self._sessions.sign({**pending, "expires": time.time() + SIGN_IN_SECONDS}),
            max_age=SIGN_IN_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=self._secure(request),
            path=HOME,
        )
        return response

    async def finish_sign_in(self, request: web.Request) -> web.StreamResponse:
        provider = self._provider(request)
        pending = self._sessions.unsign(request.cookies.get(SIGN_IN_COOKIE, ""), time.time())
        code, state = request.query.get("code", ""), request.query.get("state", "")
        if not pending or not code or not hmac.compare_digest(str(pending.get("state", "")), state):
            log.warning("dashboard_sign_in_refused", via=provider.name, reason="state")
            return await self.sign_in_page(
                request, "That sign-in expired or was not started here: try again.", 400
            )
        try:
            person = await asyncio.get_running_loop().run_in_executor(
                None, provider.identify, code, self._callback(request, provider), str(pending["nonce"])
            )
        except SignInRefused as refused:
            log.warning("dashboard_sign_in_refused", via=provider.name, reason=str(refused))
            return await self.sign_in_page(request, str(refused), 403)
        if not may_view(self._playbook(), person.user_id):
            log.warning(
                "dashboard_sign_in_refused", via=provider.name, user=person.user_id, reason="not in playbook"
            )
            who = person.name or person.user_id
            problem = f"{who} is not on the playbook's teams, so may not see the dashboard."
            return await self.sign_in_page(request, problem, 403)
        viewer = Viewer(person.user_id, person.name, provider.name, time.time() + SESSION_SECONDS)
        log.info("dashboard_signed_in", via=provider.name, user=person.user_id)
        return self._signed_in(viewer, str(pending.get("next", HOME)), request)

    async def sign_out(self, request: web.Request) -> web.StreamResponse:
        response = _redirect(f"{HOME}/sign-in")
        response.del_cookie(SESSION_COOKIE, path="/")
        return response

    def _signed_in(self, viewer: Viewer, next_page: str, request: web.Request) -> web.StreamResponse:
        response = _redirect(_safe_next(next_page))
        response.set_cookie(
            SESSION_COOKIE,
            self._sessions.issue(viewer),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=self._secure(request),
            path="/",
        )
        response.del_cookie(SIGN_IN_COOKIE, path=HOME)
        return response

    def _provider(self, request: web.Request) -> IdentityProvider:
        provider = self._providers.get(request.match_info["provider"])
        if provider is None:
            raise web.HTTPNotFound(text="no such sign-in on this bridge\n")
        return provider

    def _callback(self, request: web.Request, provider: IdentityProvider) -> str:
        base = self._public_url or f"{request.scheme}://{request.host}"
        return f"{base}{HOME}/sign-in/{provider.name}/callback"

    def _secure(self, request: web.Request) -> bool:
        return (self._public_url or request.scheme).startswith("https")

    def _token_matches(self, given: str) -> bool:
        return bool(self._token and given) and hmac.compare_digest(
            given.encode(), (self._token or "").encode()
        )
