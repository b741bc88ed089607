"""What a draft preview says to someone who cannot act on it, and keeping the posted preview saying it.

Teams refreshes a card by itself only for the people listed in its ``refresh`` (at most 60: the
approvers and the author); everyone else sees the message as it was posted. So when a case moves on
(approved, posted, superseded by a newer draft), the posted preview is updated in place with this
status, and the listed people's own views (:meth:`adapters.teams.actions.CardActions.status_for`) say
the same whenever they cannot act.
"""

from __future__ import annotations

from collections.abc import Sequence

from bridge.desk.desk import people
from bridge.domain.ports import CardView

DECIDED = ("approved", "posting", "posted")


def public_status(view: CardView, version: int, approvers: Sequence[str]) -> str:
    """The status of draft ``version`` of the case shown by ``view``, for anyone without buttons."""
    if view.draft_version and view.draft_version != version:
        return f"Superseded by draft v{view.draft_version}."
    if view.approved_version == version and view.state in DECIDED:
        return f"Approved by <@{view.approver}> · {'posted' if view.state == 'posted' else 'posting'}"
    if view.state != "drafted":
        return view.state_label
    return f"Waiting for sign-off by {people(list(approvers))}."
