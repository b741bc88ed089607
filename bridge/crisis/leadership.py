"""What leadership and the social team do in a crisis: acknowledge, dismiss, start an incident, edit
and sign off the statement and the bulk reply, close the incident.

Like :class:`bridge.desk.desk.Desk`: each method checks the person's role from the playbook, applies one
atomic transition and enqueues the chat work. A refusal raises :class:`NotAllowed` whose text says
who may act. Four eyes: whoever wrote a version of the public statement can never approve it, whatever
the desk's ``sign_off.four_eyes`` says (the statement is the brand's one public word on the incident);
the bulk reply is an answer on each customer's case, so it follows ``sign_off.four_eyes`` like every
other answer the desk posts.

The statement's first draft and every bulk reply are filled in from templates; one that cannot be
filled in is refused with a notice to leadership, never posted as raw template text.
"""

from __future__ import annotations

from bridge.crisis.alerts import Alert, AlertState
from bridge.crisis.bulk import BulkReplies
from bridge.crisis.incident import Incident, IncidentState
from bridge.crisis.parts import CrisisParts, CrisisService
from bridge.crisis.texts import check_reply, render_statement
from bridge.desk.desk import people, who
from bridge.domain.errors import NotAllowed, TemplateRefused
from bridge.playbook.crisis_rules import CrisisRules
from bridge.text.weighted_length import check_length

__all__ = ["TEXT_MAX_CHARS", "WHAT", "LeadershipDesk"]

WHAT = {"statement": "the statement", "bulk": "the bulk reply"}
TEXT_MAX_CHARS = 2000


class LeadershipDesk(CrisisService):
    def __init__(self, parts: CrisisParts, bulk: BulkReplies) -> None:
        super().__init__(parts)
        self.bulk = bulk

    def rules(self) -> CrisisRules:
        rules = self._playbook().crisis
        if rules is None:
            raise NotAllowed("The playbook has no crisis section, so there are no alerts or incidents.")
        return rules

    # who may ------------------------------------------------------------------------------------------
    def _require_leadership(self, user: str, doing: str) -> None:
        leadership = self.rules().leadership
        if not leadership.may_act(user):
            raise NotAllowed(
                f"Only leadership may {doing}: {people(leadership.approvers + leadership.members)}."
            )

    def _social(self) -> tuple[list[str], list[str]]:
        social = self._playbook().social_team()
        return social.experts + social.approvers, social.approvers

    def _may_approve(self, what: str, user: str) -> bool:
        leadership = self.rules().leadership
        if what == "statement":
            return leadership.may_approve(user)
        return leadership.may_approve(user) or user in self._social()[1]

    def _may_edit(self, what: str, user: str) -> bool:
        leadership = self.rules().leadership
        return leadership.may_act(user) or (what == "bulk" and user in self._social()[0])

    def _check_editor(self, what: str, user: str) -> None:
        if not self._may_edit(what, user):
            who_may = "leadership" if what == "statement" else "leadership or the social team"
            raise NotAllowed(f"Only {who_may} may edit {WHAT[what]}.")

    def _approvers(self, what: str) -> str:
        leadership = self.rules().leadership
        extra = [] if what == "statement" else self._social()[1]
        return people(leadership.approvers + extra)

    # alerts -------------------------------------------------------------------------------------------
    def _alert(self, alert_id: int) -> Alert:
        alert = self.alerts.get(alert_id)
        if alert is None:
            raise NotAllowed(f"There is no crisis alert {alert_id}.")
        return alert

    def acknowledge(self, alert_id: int, user: str) -> str:
        self._require_leadership(user, "acknowledge alerts")
        alert = self._alert(alert_id)
        if not self.alerts.move(alert_id, "acknowledge", user, acknowledged_by=user).ok:
            raise NotAllowed(f"Alert {alert_id} is already {alert.state}.")
        self.dispatch.refresh_alert(alert_id)
        return f"You acknowledged the {alert.label} alert."

    def dismiss(self, alert_id: int, user: str) -> str:
        self._require_leadership(user, "dismiss alerts")
        alert = self._alert(alert_id)
        if not self.alerts.move(alert_id, "dismiss", user, dismissed_by=user).ok:
            raise NotAllowed(f"Alert {alert_id} is {alert.state}; it can no longer be dismissed.")
        self.dispatch.refresh_alert(alert_id)
        return f"You dismissed the {alert.label} alert: no re-alerts, and its mentions get their own cards."

    def start_incident(self, alert_id: int, user: str) -> str:
        self._require_leadership(user, "start an incident")
        alert = self._alert(alert_id)
        if alert.state == AlertState.INCIDENT:
            raise NotAllowed(f"Incident {alert.incident} is already running for {alert.label}.")
        if not alert.active:
            raise NotAllowed(f"The {alert.label} alert has calmed down; nothing to start.")
        rules = self.rules()
        timeline = self.alerts.records.key(alert_id, "timeline")
        incident_id, started = self.incidents.start(
            alert_id, alert.topic, alert.label, user, timeline, "x", rules.statement_account
        )
        if not started:
            raise NotAllowed(f"Incident {incident_id} is already running for {alert.label}.")
        self.alerts.move(alert_id, "start_incident", user, incident=incident_id)
        handle = self._playbook().accounts.handle("x", rules.statement_account)
        self.incidents.set(incident_id, account_handle=handle)
        incident = self.incidents.get(incident_id)
        if incident is None:  # written two lines above: only a flushed Redis loses it
            raise NotAllowed(f"Incident {incident_id} could not be read back; start it again.")
        try:
            text = render_statement(rules.statement_template, self._playbook().brand.name, incident)
        except TemplateRefused as exc:
            return self._statement_refused(incident, user, str(exc))
        self.incidents.draft(incident_id, "statement", text, user)
        self.dispatch.open_incident(incident_id)
        self.dispatch.refresh_alert(alert_id)
        return (
            f"Incident {incident_id} started for {alert.label}. Its mentions now go to the incident channel; "
            "the statement draft is in this channel for sign-off by another approver "
            f"({self._approvers('statement')})."
        )

    def _statement_refused(self, incident: Incident, user: str, problem: str) -> str:
        """The playbook's statement template cannot be filled in: no draft (never the raw template),
        leadership told why; the incident runs and its statement is written with Edit."""
        self.incidents.record(incident.id, "statement_template_refused", "bridge", error=problem[:500])
        said = (
            f"Incident {incident.id} ({incident.label}): the playbook's crisis statement_template cannot be "
            f"filled in ({problem}), so no statement draft was made and nothing was posted. Write the "
            "statement with Edit on the notice in leadership's channel, and fix the playbook."
        )
        self.dispatch.notice(incident.id, said, True)
        self.dispatch.open_incident(incident.id)  # the channel, and the notice with the Edit button
        self.dispatch.refresh_alert(incident.alert)
        return (
            f"Incident {incident.id} started for {incident.label}. Its mentions now go to the incident "
            f"channel. The statement template in the playbook is broken ({problem}): no draft was made; "
            "write the statement with Edit."
        )

    # the statement and the bulk reply -----------------------------------------------------------------
    def _incident(self, incident_id: int) -> Incident:
        incident = self.incidents.get(incident_id)
        if incident is None:
            raise NotAllowed(f"There is no incident {incident_id}.")
        return incident

    def current_text(self, incident_id: int, what: str, user: str) -> str:
        """The latest version's text, to edit; refused up front to those who may not edit it."""
        incident = self._incident(incident_id)
        self._check_editor(what, user)
        number = incident.statement_version if what == "statement" else incident.bulk_version
        version = self.incidents.version(incident_id, what, number)
        return version.text if version else ""

    def edit(self, incident_id: int, what: str, user: str, text: str) -> str:
        incident = self._incident(incident_id)
        self._check_editor(what, user)
        text = text.strip()[:TEXT_MAX_CHARS]
        if not text:
            raise NotAllowed(f"{WHAT[what].capitalize()} cannot be empty.")
        if what == "bulk":  # a template, filled in for each case: refused here, not for every customer
            try:
                check_reply(text)
            except TemplateRefused as exc:
                raise NotAllowed(f"The bulk reply cannot be filled in: {exc}") from None
        moved = self.incidents.draft(incident_id, what, text, user)
        if not moved.ok:
            raise NotAllowed(
                f"{WHAT[what].capitalize()} of incident {incident_id} can no longer change: "
                f"{incident.state_label}."
            )
        self.dispatch.preview(incident_id, what, moved.counter)
        return f"Saved v{moved.counter} of {WHAT[what]}; it is waiting for sign-off."

    def approve(self, incident_id: int, what: str, version: int, user: str) -> str:
        incident = self._incident(incident_id)
        if not self._may_approve(what, user):
            raise NotAllowed(f"Only {self._approvers(what)} may approve {WHAT[what]}.")
        draft = self.incidents.version(incident_id, what, version)
        if draft is None:
            raise NotAllowed(f"Incident {incident_id} has no v{version} of {WHAT[what]}.")
        four_eyes = what == "statement" or self._playbook().sign_off.four_eyes
        if four_eyes and draft.author == user:
            raise NotAllowed(
                f"Four eyes: someone other than the author of v{version} must approve {WHAT[what]}."
            )
        if what == "statement":
            return self._approve_statement(incident, version, draft.text, user)
        return self._approve_bulk(incident, version, user)

    def _refused(self, incident: Incident, what: str, reason: str, guard: str) -> NotAllowed:
        current = self._incident(incident.id)
        latest = current.statement_version if what == "statement" else current.bulk_version
        if reason == "guard":
            return NotAllowed(
                f"There is a newer version (v{latest}) of {WHAT[what]}; approve that one instead."
            )
        return NotAllowed(f"Cannot approve {WHAT[what]} of incident {incident.id}: {current.state_label}.")

    def _approve_statement(self, incident: Incident, version: int, text: str, user: str) -> str:
        length = check_length(text)
        if not length.valid:
            raise NotAllowed(f"Statement v{version} cannot be posted: {length.describe()}.")
        moved = self.incidents.move(
            incident.id,
            "approve_statement",
            user,
            guards={"statement_version": str(version)},
            values={"statement_approved_version": version, "statement_approver": user},
            detail={"version": version},
        )
        if not moved.ok:
            raise self._refused(incident, "statement", moved.reason, moved.guard)
        self.dispatch.post_statement(incident.id)
        self.dispatch.notice(
            incident.id, f"Statement v{version} approved by {who(user)}; posting it now.", True
        )
        return f"You approved statement v{version} of incident {incident.id}."

    def _approve_bulk(self, incident: Incident, version: int, user: str) -> str:
        draft = self.incidents.version(incident.id, "bulk", version)
        try:
            check_reply(draft.text if draft else "")
        except TemplateRefused as exc:
            raise NotAllowed(f"Bulk reply v{version} cannot be filled in: {exc}. Edit it.") from None
        moved = self.incidents.move(
            incident.id,
            "start_bulk",
            user,
            guards={"bulk_version": str(version)},
            values={"bulk_approved_version": version, "bulk_approver": user},
            detail={"version": version},
        )
        if not moved.ok:
            raise self._refused(incident, "bulk", moved.reason, moved.guard)
        self.bulk.start(self._incident(incident.id))
        self.dispatch.notice(incident.id, f"Bulk reply v{version} approved by {who(user)}.")
        return f"You approved bulk reply v{version}; the replies are on their way, recorded on each case."

    def close(self, incident_id: int, user: str, reason: str = "") -> str:
        incident = self._incident(incident_id)
        leadership = self.rules().leadership
        if not (leadership.may_act(user) or user in self._social()[1]):
            raise NotAllowed(f"Only leadership or social team approvers may close incident {incident_id}.")
        if not self.incidents.close(incident_id, user, reason).ok:
            raise NotAllowed(f"Incident {incident_id} is already {incident.state_label}.")
        pending = self.bulk.pending(incident_id)
        left = (
            f" {pending} bulk replies were not sent."
            if pending and incident.state == IncidentState.BULK_REPLYING
            else ""
        )
        self.dispatch.notice(incident_id, f"Incident {incident_id} closed by {who(user)}.{left}", True)
        return f"Incident {incident_id} ({incident.label}) is closed.{left}"
