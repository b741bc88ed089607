"""Crisis mode: detecting a mass problem, alerting leadership, folding cases into one mass-issue
card, incidents with one signed-off statement, and bulk replies through the publisher.

May import flow, desk, triage and the layers below; its rules live in :mod:`bridge.playbook`.
"""
