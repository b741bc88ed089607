"""Who may see the dashboard: the people the playbook names, and nobody else.

Customers' words and the desk's performance are the company's business: a Slack workspace or an
Entra tenant holds many more people than the care desk, so signing in is not enough; the person must
be an expert or approver of a department, or in crisis leadership.
"""

from __future__ import annotations

from bridge.playbook.model import Playbook

__all__ = ["may_view", "playbook_people"]


def playbook_people(playbook: Playbook) -> set[str]:
    """Every user id the playbook names: departments' experts and approvers, and leadership."""
    people: set[str] = set()
    for department in playbook.departments.values():
        people.update(department.experts)
        people.update(department.approvers)
    crisis = playbook.crisis
    if crisis is not None:
        people.update(crisis.leadership.approvers)
        people.update(crisis.leadership.members)
    return people


def may_view(playbook: Playbook, user_id: str) -> bool:
    return bool(user_id) and user_id in playbook_people(playbook)
