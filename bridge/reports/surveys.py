"""Asking customers how we did (CSAT 1–5, NPS 0–10) by private message after their case, and reading
their answer.

The rules the playbook's ``surveys:`` section presets, checked when the question is due (a case can
change during the delay):

- only a case the brand answered that is now posted or resolved (not reopened, not moved on);
- never a case triage set aside as a troll (``monitor``) or spam (``ignore``), nor one a person ignored;
- only where the brand may write privately: on Mastodon always (a direct post); elsewhere only when a
  private conversation exists, because the case moved to private messages or the customer has written
  to the brand privately. X lets a brand message only people whose DMs are open to it, and the bridge
  cannot read that setting through its port: a conversation they started is the evidence that holds
  (looked up by the customer where the platform can, :class:`~bridge.domain.ports.Conversations`;
  otherwise among the brand's recent private messages);
- at most once per customer per ``once_per_customer_days`` on each platform (a Redis key with that
  expiry), and at most once per case;
- at most once per question: a survey is worth less than a second, unwanted message, so an attempt
  whose outcome is unknown is not repeated.

The customer's next private message that holds a score on the asked scale
(:mod:`bridge.reports.survey_scores`) is the answer: it is recorded on the case (``csat`` or ``nps``,
``survey_comment``), shown in the case's thread as the customer's words, and counted. A reply without
a score is left to the case flow, and nobody is asked twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from bridge.domain.clock import Clock
from bridge.domain.errors import PlatformError, RateLimited, Rejected
from bridge.domain.lifecycle import State
from bridge.domain.model import Case, Mention
from bridge.domain.ports import Conversations, DirectMessage, SocialPlatform
from bridge.domain.work import Dispatch
from bridge.playbook.model import Playbook
from bridge.playbook.survey_rules import SurveyRules
from bridge.playbook.templates import case_context, render
from bridge.reports.survey_scores import parse_score
from bridge.store.cases import Store
from bridge.store.transitions import text as _s

__all__ = [
    "ASKABLE_STATES",
    "OPEN_PRIVATE_MESSAGES",
    "SCALES",
    "Answered",
    "Schedule",
    "Surveys",
]

log = structlog.get_logger(__name__)

ASKABLE_STATES = frozenset({State.POSTED, State.RESOLVED})
SET_ASIDE_VERDICTS = frozenset({"monitor", "ignore"})
SET_ASIDE_ACTIONS = frozenset({"ignore", "monitor"})
#: Platforms where the brand may write privately to anyone (Mastodon: a post with direct visibility).
OPEN_PRIVATE_MESSAGES = frozenset({"mastodon"})
SCALES = {"csat": (1, 5), "nps": (0, 10)}
LABELS = {"csat": "CSAT, 1–5", "nps": "NPS, 0–10"}
ONCE_PER_QUESTION_SECONDS = 400 * 86_400
_LEADING_MENTIONS = re.compile(r"^(?:\s*@[\w.@-]+)+\s*")

#: ``schedule(number, kind, at)`` queues the question ``kind`` of case ``number`` for ``at`` (None: now).
Schedule = Callable[[int, str, datetime | None], None]


@dataclass(frozen=True)
class Answered:
    """A direct message taken as a survey answer; ``fresh`` is False when it was taken before."""

    number: int
    kind: str
    score: int
    platform: str
    fresh: bool = True


class Surveys:
    def __init__(
        self,
        store: Store,
        playbook: Callable[[], Playbook],
        socials: Mapping[str, SocialPlatform],
        dispatch: Dispatch,
        clock: Clock,
        schedule: Schedule,
        on_answered: Callable[[Answered], object] | None = None,
    ) -> None:
        self.store = store
        self._playbook = playbook
        self.socials = socials
        self.dispatch = dispatch
        self.clock = clock
        self.schedule = schedule
        self.on_answered = on_answered or (lambda _answered: None)  # counted by the app's metrics

    # asking ----------------------------------------------------------------------------------------
    def plan(self, number: int) -> datetime | None:
        """Case ``number`` was answered or resolved: queue its survey for after the delay, once per
        delay however many times that happens meanwhile. The rules are checked when it is due."""
        rules = self._playbook().surveys
        if rules is None:
            return None
        case = self.store.get(number)
        if not rules.asks_on(case.platform) or case.platform not in self.socials:
            return None
        delay = rules.delay_minutes * 60
        if not self.store.r.set(self.store.k("survey", "planned", number), 1, nx=True, ex=delay + 60):
            return None
        at = self.clock.now() + timedelta(seconds=delay)
        self.schedule(number, rules.kinds()[0], at)
        log.info("survey_planned", case=number, at=at.isoformat())
        return at

    def send(self, number: int, kind: str) -> str:
        """Ask question ``kind`` of case ``number`` if the rules allow now; returns what happened."""
        rules = self._playbook().surveys
        if rules is None or kind not in rules.kinds() or not self.store.exists(number):
            return "off"
        case = self.store.get(number)
        first = kind == rules.kinds()[0]
        reason = self._refusal(case, rules, first=first)
        if reason:
            self.store.record(number, "survey_skipped", "bridge", kind=kind, reason=reason)
            log.info("survey_skipped", case=number, kind=kind, reason=reason)
            return reason
        if not self.store.first_time(f"survey:{number}:{kind}", ONCE_PER_QUESTION_SECONDS):
            return "already-asked"
        customer = self.store.k("survey", "customer", case.platform, case.author_id)
        if first and not self.store.r.set(
            customer, number, nx=True, ex=rules.once_per_customer_days * 86_400
        ):
            self.store.record(number, "survey_skipped", "bridge", kind=kind, reason="asked-recently")
            return "asked-recently"
        return self._ask(case, rules, kind, customer if first else "")

    def _refusal(self, case: Case, rules: SurveyRules, *, first: bool) -> str:
        """Why case ``case`` may not be asked now; '' when it may."""
        if not rules.asks_on(case.platform) or case.platform not in self.socials:
            return "platform-off"
        if case.state not in ASKABLE_STATES or not case.reply_id:
            return "not-resolved"
        if case.verdict in SET_ASIDE_VERDICTS or any(
            entry.action in SET_ASIDE_ACTIONS for entry in self.store.audit(case.number)
        ):
            return "set-aside"
        if first and not self._may_write_privately(case):
            return "no-private-messages"
        return ""

    def _may_write_privately(self, case: Case) -> bool:
        if case.platform in OPEN_PRIVATE_MESSAGES or case.mode == "private":
            return True
        social = self.socials[case.platform]
        try:
            if isinstance(social, Conversations):  # their conversation with us, however old
                return social.has_written_privately(case.author_id)
            return any(m.sender_id == case.author_id for m in social.fetch_direct_messages())
        except PlatformError as exc:
            log.warning("survey_dm_check_failed", case=case.number, error=str(exc))
            raise

    def _ask(self, case: Case, rules: SurveyRules, kind: str, customer_key: str) -> str:
        playbook = self._playbook()
        now = self.clock.now()
        text = render(rules.question(kind), case_context(case, playbook.brand.name, playbook.hours, now))
        try:
            ref = self.socials[case.platform].send_direct_message(case.author_id, text)
        except RateLimited:  # known not sent: the job's retry may ask again
            self.store.r.delete(
                self.store.k("once", f"survey:{case.number}:{kind}"), *filter(None, [customer_key])
            )
            raise
        except Rejected as exc:  # their private messages are closed to us, most likely
            self.store.record(case.number, "survey_refused", "bridge", kind=kind, error=str(exc))
            return "refused"
        except PlatformError as exc:  # outcome unknown: better no survey than two
            self.store.record(case.number, "survey_failed", "bridge", kind=kind, error=str(exc))
            return "failed"
        pending = json.dumps({"case": case.number, "kind": kind, "after": ref.id})
        key = self.store.k("survey", "pending", case.platform, case.author_id)
        self.store.r.set(key, pending, ex=rules.answer_days * 86_400)
        if kind == rules.kinds()[0]:
            self.store.set_fields(case.number, {"survey_sent_at": now.isoformat()})
        self.store.record(case.number, "survey_sent", "bridge", kind=kind, dm_id=ref.id)
        self.dispatch.thread_notice(
            case.number, f"Asked @{case.author_handle} by private message how we did ({LABELS[kind]})."
        )
        return "sent"

    # answers ---------------------------------------------------------------------------------------
    def answer(self, message: DirectMessage) -> Answered | None:
        """Take ``message`` as the answer to the survey its sender was asked, if it is one."""
        seen = self.store.r.get(self.store.k("survey", "answer", message.platform, message.id))
        if seen:
            data = json.loads(_s(seen))
            return Answered(data["case"], data["kind"], data["score"], message.platform, fresh=False)
        key = self.store.k("survey", "pending", message.platform, message.sender_id)
        raw = self.store.r.get(key)
        rules = self._playbook().surveys
        if not raw or rules is None:
            return None
        pending = json.loads(_s(raw))
        after, number, kind = str(pending["after"]), int(pending["case"]), str(pending["kind"])
        if after.isdigit() and message.id.isdigit() and int(message.id) <= int(after):
            return None  # written before we asked
        parsed = parse_score(message.text, *SCALES[kind])
        if parsed is None or not self.store.exists(number):
            return None
        taken = json.dumps({"case": number, "kind": kind, "score": parsed.score})
        marker = self.store.k("survey", "answer", message.platform, message.id)
        if not self.store.r.set(marker, taken, nx=True, ex=rules.answer_days * 86_400 * 2):
            return self.answer(message)
        self.store.r.delete(key)
        self._record(number, kind, parsed.score, parsed.comment, message.text)
        if kind == "csat" and "nps" in rules.kinds():
            self.schedule(number, "nps", None)
        answered = Answered(number, kind, parsed.score, message.platform)
        self.on_answered(answered)
        return answered

    def answer_mention(self, mention: Mention) -> Answered | None:
        """A direct mention (Mastodon's private message) taken as a survey's answer, if it is one; a
        public post is never taken: "@brand 2 days and still nothing" is a complaint, not a 2."""
        if mention.visibility != "direct":
            return None
        said = _LEADING_MENTIONS.sub("", mention.text)  # the "@brand" a direct post starts with
        return self.answer(DirectMessage(mention.platform, mention.post_id, mention.author.id, said))

    def _record(self, number: int, kind: str, score: int, comment: str, said: str) -> None:
        case = self.store.get(number)
        earlier = _s(self.store.r.hget(self.store.k("case", number), "survey_comment") or "")
        fields = {kind: str(score)}
        if comment:
            fields["survey_comment"] = f"{earlier}\n{comment}" if earlier else comment
        self.store.set_fields(number, fields)
        # the comment stays on the case only (survey_comment), where erasing the customer finds it
        self.store.record(number, "survey_answered", case.author_handle, kind=kind, score=score)
        top = SCALES[kind][1]
        self.dispatch.thread_notice(
            number,
            f"@{case.author_handle} answered the survey: {kind.upper()} {score}/{top}. They wrote:",
            quote=said,
        )
        log.info("survey_answered", case=number, kind=kind, score=score)
