"""The dashboard's routes for the web app, built from the runtime and the sign-in providers the
composition root found configured (:func:`bridge.wiring.sign_in_providers`)."""

from __future__ import annotations

from collections.abc import Mapping

from bridge.app.dashboard.gate import Gate
from bridge.app.dashboard.sessions import Sessions, shared_secret
from bridge.app.runtime import Runtime
from bridge.app.web import Route
from bridge.domain.identity import IdentityProvider

__all__ = ["dashboard_routes"]


def dashboard_routes(rt: Runtime, providers: Mapping[str, IdentityProvider]) -> list[Route]:
    """Only the web process builds these, so only it loads SQLAlchemy (workers and the CLI stay light)."""
    from bridge.app.dashboard.pages import DashboardPages

    settings = rt.settings
    gate = Gate(
        Sessions(
            lambda: shared_secret(rt.redis, settings.bridge_key_prefix, settings.bridge_dashboard_secret)
        ),
        lambda: rt.playbook,
        providers,
        settings.bridge_dashboard_token,
        settings.bridge_public_url,
    )
    pages = DashboardPages(gate, lambda: rt.history, rt.store, lambda: rt.playbook, rt.clock)
    return [*gate.routes(), *pages.routes()]
