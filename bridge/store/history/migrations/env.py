"""Alembic's environment for the case history: always run on the connection the bridge hands over
in ``config.attributes["connection"]`` (no alembic.ini, no URL of its own)."""

from __future__ import annotations

from alembic import context

from bridge.store.history.models import Base

__all__: list[str] = []  # Alembic runs this file; it exports nothing

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
