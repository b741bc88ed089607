"""The escalation bridge's core: it imports no platform SDK and no adapter.

Sub-packages, lowest first (each may import only those below it; ``lint-imports`` checks it):
``domain`` · ``text`` · ``playbook`` and ``store`` · ``triage`` and ``desk`` · ``flow`` · ``crisis`` ·
``app``. On top, :mod:`bridge.wiring` (the composition root) and :mod:`bridge.cli`.
"""
