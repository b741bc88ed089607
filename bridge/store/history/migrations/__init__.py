"""Alembic's environment and the history's schema versions, shipped inside the package so every
installation migrates itself at start-up (:func:`bridge.store.history.engine.migrate`)."""
