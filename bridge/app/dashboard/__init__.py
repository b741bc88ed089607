"""The web dashboard: sign-in, sessions, who may look, and the pages over the case history.

Part of the app layer: it reads :mod:`bridge.reports` and the store, and reaches platforms' sign-in
only through :class:`bridge.domain.identity.IdentityProvider`.
"""
