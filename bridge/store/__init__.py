"""Live state in Redis: cases and their atomic transitions, the audit timeline, the connection,
per-channel send slots.

May import :mod:`bridge.domain` only.
"""
