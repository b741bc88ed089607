"""Posting the approved public statement, exactly once on every configured social platform.

Each platform speaks from its main account when one is configured, else from its care handle
(:class:`bridge.flow.outlets.Outlets`). The incident's own platform (X) goes first: its refusal or rate
limit sends the statement back or defers it, as before. As with case replies
(:mod:`bridge.flow.publisher`), the incident enters ``statement_posting`` before anything is called, and
each platform's post is recorded on the incident the moment it is known; a retried job after an unknown
outcome skips the platforms already recorded and looks for our own post with that text on the others
first. The job takes one slot of the shared posting budget, so the statement and the bulk replies
together stay inside X's limits. A later platform that refuses the statement is left out (with a
notice) rather than sending the statement back, which would post it twice where it is already out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import structlog

from bridge.crisis.budget import PostingBudget
from bridge.crisis.incident import Incident, IncidentState
from bridge.crisis.parts import CrisisParts, CrisisService
from bridge.crisis.ports import Notice
from bridge.crisis.views import platform_name, statement_missing_notice, statement_notice
from bridge.desk.desk import who
from bridge.domain.errors import RateLimited, Rejected, Unavailable
from bridge.domain.model import PostRef
from bridge.flow.outlets import Outlet, Outlets
from bridge.playbook.routing_rules import Role
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
        outcomes = []
        for platform in self.platforms(incident):
            outcome = self._post_on(incident, platform, draft.text, retrying)
            if outcome not in ("posted", "recovered", "refused", "done"):
                return outcome
            outcomes.append(outcome)
        return self._posted(incident_id, recovered="recovered" in outcomes)

    def platforms(self, incident: Incident) -> list[str]:
        """Every configured social platform, the incident's own (X) first: the statement is the
        brand's one public word, said once on each platform the brand speaks on."""
        others = sorted(p for p in self.outlets.care if p != incident.platform)
        return [p for p in [incident.platform, *others] if p in self.outlets.care]

    def _outlet(self, incident: Incident, platform: str) -> Outlet:
        if platform == incident.platform:
            return self.outlets.speaking_as(platform, incident.account_handle)
        role: Role = "main" if incident.account == "main" else "care"
        return self.outlets.speaking_as(platform, self._playbook().accounts.handle(platform, role))

    def _post_on(self, incident: Incident, platform: str, text: str, retrying: bool) -> str:
        """Post on one platform unless this version is already out there (or was refused there)."""
        version = str(incident.statement_approved_version)
        fields = self.incidents.records.get(incident.id)
        if version in (
            fields.get(f"statement_version_{platform}"),
            fields.get(f"statement_refused_{platform}"),
        ):
            return "done"
        outlet = self._outlet(incident, platform)
        try:
            if retrying:
                found = outlet.social.find_post(text)
                if found is not None:
                    return self._posted_on(incident, platform, found, outlet, recovered=True)
            ref = outlet.social.post(text)
        except RateLimited as exc:
            return self._deferred(incident, platform, exc)
        except Rejected as exc:
            return self._refused(incident, platform, exc)
        except Unavailable as exc:
            self.incidents.record(
                incident.id, "statement_unknown", "bridge", error=str(exc), platform=platform
            )
            raise  # RQ retries; the retry looks for our post first
        return self._posted_on(incident, platform, ref, outlet, recovered=False)

    def _deferred(self, incident: Incident, platform: str, exc: RateLimited) -> str:
        at = max(self.clock.now() + timedelta(seconds=1), datetime.fromtimestamp(exc.retry_at, UTC))
        name = platform_name(platform)
        if platform == incident.platform:
            self.incidents.move(incident.id, "statement_deferred", "bridge", detail={"error": str(exc)})
            said = f"{name} is limiting our posts; the statement goes out at {at:%H:%M} UTC."
        else:  # already out on the first platform: stay in statement_posting, the retry checks first
            self.incidents.record(
                incident.id, "statement_deferred", "bridge", error=str(exc), platform=platform
            )
            said = f"{name} is limiting our posts; the statement goes out there at {at:%H:%M} UTC."
        self.dispatch.post_statement(incident.id, at=at)
        self.dispatch.notice(incident.id, said, True)
        return "deferred"

    def _refused(self, incident: Incident, platform: str, exc: Rejected) -> str:
        name = platform_name(platform)
        if platform == incident.platform:
            self.incidents.move(incident.id, "statement_rejected", "bridge", detail={"error": str(exc)})
            self.dispatch.notice(
                incident.id,
                f"{name} refused the statement: {exc}. Edit it (a new version) and approve it again.",
                True,
            )
            return "rejected"
        # already out on the first platform: a new version would post there twice, so go on without it
        self.incidents.record(incident.id, "statement_rejected", "bridge", error=str(exc), platform=platform)
        version = str(incident.statement_approved_version)
        self.incidents.set(incident.id, **{f"statement_refused_{platform}": version})
        self.dispatch.notice(
            incident.id, f"{name} refused the statement ({exc}); it was not posted there.", True
        )
        return "refused"

    def _posted_on(
        self, incident: Incident, platform: str, ref: PostRef, outlet: Outlet, *, recovered: bool
    ) -> str:
        """Record the post on ``platform`` at once, so no retry posts it there again, and say so."""
        self.incidents.set(
            incident.id,
            **{
                f"statement_url_{platform}": ref.url,
                f"statement_id_{platform}": ref.id,
                f"statement_version_{platform}": str(incident.statement_approved_version),
            },
        )
        self.incidents.record(
            incident.id,
            "statement_posted_on",
            "bridge",
            platform=platform,
            post_id=ref.id,
            url=ref.url,
            posted_from=outlet.handle,
            recovered=recovered,
        )
        if platform == incident.platform:
            account = f"@{outlet.handle}" if outlet.note else incident.account_words
            where = ""
        else:
            account, where = f"@{outlet.handle}", f" on {platform_name(platform)}"
        caveat = f" Note: {outlet.note}." if outlet.note else ""
        self.dispatch.notice(
            incident.id,
            f"Statement posted{where} from {account} (approved by {who(incident.statement_approver)}): "
            f"{ref.url}{caveat}",
            True,
        )
        log.info("crisis_statement_posted", incident=incident.id, platform=platform, post_id=ref.id)
        return "recovered" if recovered else "posted"

    def _posted(self, incident_id: int, *, recovered: bool) -> str:
        """Out on every platform: the incident moves on and the bulk reply's first draft is made."""
        incident = self.incidents.get(incident_id)
        if incident is None:
            return "unknown"
        fields = self.incidents.records.get(incident_id)
        first = next(iter(incident.statement_urls), incident.platform)
        moved = self.incidents.move(
            incident.id,
            "statement_posted",
            "bridge",
            values={
                "statement_id": fields.get(f"statement_id_{first}", ""),
                "statement_url": fields.get(f"statement_url_{first}", ""),
                "statement_posted_at": self.clock.now(),
            },
            detail={
                "platforms": ",".join(incident.statement_urls),
                "account": incident.account,
                "recovered": recovered,
            },
        )
        if not moved.ok:
            return f"not-posting ({moved.state})"
        rules = self._playbook().crisis
        if rules is not None:
            drafted = self.incidents.draft(
                incident.id, "bulk", rules.bulk_reply_template, incident.started_by
            )
            if drafted.ok:
                self.dispatch.preview(incident.id, "bulk", drafted.counter)
        return "recovered" if recovered else "posted"
