"""The playbook: its models and YAML loader, opening hours, routing and triage rules, templates,
chat homes, and the crisis rules with their placeholders.

A playbook is data, validated on load with file, line and key. May import :mod:`bridge.domain` and
:mod:`bridge.text`; never the services that act on it.
"""
