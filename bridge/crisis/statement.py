"""Posting the approved public statement from the brand's main account, exactly once.

As with case replies (:mod:`bridge.flow.publisher`), the incident enters ``statement_posting`` before X is
called; a retried job after an unknown outcome looks for our own post with that text first. The post
takes a slot of the shared posting budget, so the statement and the bulk replies together stay inside
X's limits.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import structlog

from bridge.crisis.budget import PostingBudget
from bridge.crisis.incident import Incident, IncidentState
from bridge.crisis.parts import CrisisParts, CrisisService
from bridge.crisis.ports import Notice
from bridge.crisis.views import statement_missing_notice, statement_notice
from bridge.desk.desk import who
from bridge.domain.errors import RateLimited, Rejected, Unavailable
from bridge.domain.model import PostRef
from bridge.flow.outlets import Outlet, Outlets
from bridge.text.weighted_length import check_length

__all__ = ["StatementPoster"]

log = structlog.get_logger(__name__)


class StatementPoster(CrisisService):
    def __init__(self, parts: CrisisParts, outlets: Outlets, budget: PostingBudget) -> None:
        super().__init__(parts)
        self.outlets = outlets
        self.budget = budget

    def preview_notice(self, incident: Incident, version: int) -> Notice | None:
        if version == 0:  # no first draft: the playbook's template could not be filled in
            return statement_missing_notice(incident)
        draft = self.incidents.version(incident.id, "statement", version)
        if draft is None:
            return None
        length = check_length(draft.text)
        return statement_notice(incident, version, draft.text, draft.author, length.describe(), length.valid)

    def post(self, incident_id: int) -> str:
        incident = self.incidents.get(incident_id)
        if incident is None:
            return "unknown"
        if incident.state == IncidentState.STATEMENT_APPROVED:
            retrying = False
        elif incident.state == IncidentState.STATEMENT_POSTING:
            retrying = True
        else:
            return f"nothing-to-do ({incident.state})"
        draft = self.incidents.version(incident_id, "statement", incident.statement_approved_version)
        if draft is None:
            raise RuntimeError(f"incident {incident_id} approved a statement version that is not stored")
        rules = self._playbook().crisis
        if not retrying and rules is not None:
            wait = self.budget.take(rules.bulk_posts_per_window, rules.bulk_window_minutes * 60)
            if wait > 0:
                self.dispatch.post_statement(incident_id, at=self.clock.now() + timedelta(seconds=wait))
                return "waiting"
        if not retrying:
            began = self.incidents.move(
                incident_id,
                "begin_posting",
                "bridge",
                guards={"statement_approved_version": str(incident.statement_approved_version)},
            )
            if not began.ok:
                return "not-approved"
        outlet = self.outlets.speaking_as(incident.platform, incident.account_handle)
        social = outlet.social
        try:
            if retrying:
                found = social.find_post(draft.text)
                if found is not None:
                    return self._posted(incident, found, outlet, recovered=True)
            ref = social.post(draft.text)
        except RateLimited as exc:
            self.incidents.move(incident_id, "statement_deferred", "bridge", detail={"error": str(exc)})
            at = max(self.clock.now() + timedelta(seconds=1), datetime.fromtimestamp(exc.retry_at, UTC))
            self.dispatch.post_statement(incident_id, at=at)
            self.dispatch.notice(
                incident_id, f"X is limiting our posts; the statement goes out at {at:%H:%M} UTC.", True
            )
            return "deferred"
        except Rejected as exc:
            self.incidents.move(incident_id, "statement_rejected", "bridge", detail={"error": str(exc)})
            self.dispatch.notice(
                incident_id,
                f"X refused the statement: {exc}. Edit it (a new version) and approve it again.",
                True,
            )
            return "rejected"
        except Unavailable as exc:
            self.incidents.record(incident_id, "statement_unknown", "bridge", error=str(exc))
            raise  # RQ retries; the retry looks for our post first
        return self._posted(incident, ref, outlet, recovered=False)

    def _posted(self, incident: Incident, ref: PostRef, outlet: Outlet, *, recovered: bool) -> str:
        moved = self.incidents.move(
            incident.id,
            "statement_posted",
            "bridge",
            values={
                "statement_id": ref.id,
                "statement_url": ref.url,
                "statement_posted_at": self.clock.now(),
            },
            detail={
                "post_id": ref.id,
                "url": ref.url,
                "account": incident.account,
                "posted_from": outlet.handle,
                "recovered": recovered,
                **({"note": outlet.note} if outlet.note else {}),
            },
        )
        if not moved.ok:
            return f"not-posting ({moved.state})"
        account = f"@{outlet.handle}" if outlet.note else incident.account_words
        caveat = f" Note: {outlet.note}." if outlet.note else ""
        self.dispatch.notice(
            incident.id,
            f"Statement posted from {account} (approved by {who(incident.statement_approver)}): "
            f"{ref.url}{caveat}",
            True,
        )
        rules = self._playbook().crisis
        if rules is not None:
            drafted = self.incidents.draft(
                incident.id, "bulk", rules.bulk_reply_template, incident.started_by
            )
            if drafted.ok:
                self.dispatch.preview(incident.id, "bulk", drafted.counter)
        log.info("crisis_statement_posted", incident=incident.id, post_id=ref.id, recovered=recovered)
        return "recovered" if recovered else "posted"
