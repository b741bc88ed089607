"""Deciding about a mention: triage (verdict, kind, priority), routing to a department, SLA
deadlines, the decision that combines them, and the playbook dry run.

May import :mod:`bridge.domain`, :mod:`bridge.text` and :mod:`bridge.playbook`.
"""
