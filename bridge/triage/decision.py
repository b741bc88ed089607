"""Everything the bridge decides about a new mention before anyone sees it, without touching anything.

Triage (verdict, kind, sentiment, language, tags, priority), then routing and the service model, then
which account should answer, the deadlines, the template to start from, and whether the desk is
closed and the out-of-hours acknowledgement goes out. Ingest turns a :class:`Decision` into a case; the
``bridge playbook test`` dry-run prints it. Being pure, it is what the property tests hammer.

What each verdict gets:

- ``respond``: a case routed to its department with a card, deadlines and a suggested template.
- ``monitor`` (trolls, abuse): a case in ``monitoring`` with a card in the social team's channel, so the
  team sees it and can mute or hide deliberately; no deadline, nothing suggested.
- ``noise`` (praise, chatter): a case set aside (``ignored``) with its tags, for insight, and no card,
  unless the playbook's ``triage.noise_gets_card`` asks for cards; then it is routed like a reply.
- ``ignore`` (spam, bots, retweets without text): a case set aside with its reasons; no card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bridge.domain.lifecycle import State
from bridge.domain.model import Mention
from bridge.playbook.model import Playbook
from bridge.triage.learning.active import active_model
from bridge.triage.routing import RoutingDecision, route
from bridge.triage.sla import Deadlines, deadlines
from bridge.triage.triager import Kind, Polarity, Triage, TriageInput, Triager, Verdict

MAX_CACHED_TRIAGERS = 16
MAX_SCANNED_CHARS = 10_000
_HANDLE = re.compile(r"(?<![\w@])@(\w+)")
ROLE_NAMES = {"care": "care handle", "main": "main brand account"}


@dataclass(frozen=True)
class Decision:
    triage: Triage
    routing: RoutingDecision
    department: str
    state: State  # ROUTED, MONITORING or IGNORED
    gets_card: bool
    deadlines: Deadlines | None
    reply_account: str  # the handle that should answer, '' when nobody answers
    template: str  # the template suggested for the first answer, '' when none
    acknowledge: bool  # post the out-of-hours acknowledgement now
    reasons: tuple[str, ...]
    ignore_reason: str = ""

    @property
    def verdict(self) -> str:
        return self.triage.verdict.value


_triagers: dict[int, tuple[Playbook, Triager]] = {}


def triager_for(playbook: Playbook) -> Triager:
    """The playbook's triager, built once per playbook object (VADER and the rules compile once);
    it consults the fitted model of ``bridge triage fit`` where one is saved."""
    cached = _triagers.get(id(playbook))
    if cached is not None and cached[0] is playbook:
        return cached[1]
    triager = Triager(playbook.triage, model=active_model)  # the fitted model, where one is saved
    if len(_triagers) >= MAX_CACHED_TRIAGERS:
        _triagers.clear()
    _triagers[id(playbook)] = (playbook, triager)
    return triager


def mentioned_roles(playbook: Playbook, mention: Mention) -> tuple[str, ...]:
    """Which of our accounts a mention addresses: the one it was read from, and any @handle in it."""
    roles = []
    named = {h.casefold() for h in _HANDLE.findall(mention.text[:MAX_SCANNED_CHARS])}
    for role in ("care", "main"):
        handle = playbook.accounts.handle(mention.platform, role)
        if not handle:
            continue
        if mention.account.casefold() == handle.casefold() or handle.casefold() in named:
            roles.append(role)
    if not roles and mention.account and playbook.accounts.x is None:
        roles.append("care")  # a platform without configured accounts: we were read as the care handle
    return tuple(roles)


def _reply_account(playbook: Playbook, mention: Mention, kind: Kind) -> tuple[str, str]:
    answer_from = playbook.accounts.answer_from
    role = answer_from.brand if kind is Kind.BRAND else answer_from.service
    handle = playbook.accounts.handle(mention.platform, role)
    matter = "a brand matter" if kind is Kind.BRAND else "a service issue"
    if not handle and role == "main":
        handle, role = playbook.accounts.handle(mention.platform, "care"), "care"
        matter += "; no main account is configured"
    handle = handle or mention.account
    if not handle:
        return "", ""
    return handle, f"answer from @{handle} ({ROLE_NAMES[role]}: {matter})"


def _template(triage: Triage, playbook: Playbook) -> str:
    if triage.verdict is Verdict.NOISE:
        return "closing"
    if triage.polarity is Polarity.NEGATIVE:
        return "apology"
    return "acknowledgement"


def _out_of_hours(
    playbook: Playbook, platform: str, verdict: Verdict, now: datetime
) -> tuple[bool, list[str]]:
    """Whether the desk is closed at ``now`` and the acknowledgement goes out; the reason if closed."""
    hours = playbook.hours
    if hours is None or hours.is_open(now):
        return False, []
    back = hours.next_open(now)
    when = hours.describe_moment(back) if back else "not within a year"
    acknowledge = verdict is Verdict.RESPOND and playbook.out_of_hours.enabled_for(platform)
    what = (
        f"the {playbook.out_of_hours.template} template is posted automatically"
        if acknowledge
        else f"no automatic acknowledgement on {platform}"
    )
    return acknowledge, [f"out of hours, back {when}: {what}"]


def decide(playbook: Playbook, mention: Mention, now: datetime) -> Decision:
    """Decide, from the playbook alone, what happens to ``mention`` if it arrives at ``now``."""
    accounts = playbook.accounts
    triage = triager_for(playbook).triage(
        TriageInput(
            text=mention.text,
            author_id=mention.author.id,
            author_handle=mention.author.handle,
            author_followers=mention.author.followers,
            is_own_account=accounts.is_ours(mention.platform, mention.author.id, mention.author.handle),
            is_retweet=mention.is_retweet,
            lang_hint=mention.lang,
        )
    )
    routing = route(
        playbook,
        mention.text,
        language=triage.language,
        accounts=mentioned_roles(playbook, mention),
        author=mention.author.handle,
        kind=triage.kind.value,
        platform=mention.platform,
    )
    verdict = triage.verdict
    answered = verdict is Verdict.RESPOND or (verdict is Verdict.NOISE and triage.gets_card)
    department, state, ignore_reason = routing.department, State.ROUTED, ""
    reasons = [*routing.reasons, *triage.reasons] if answered else list(triage.reasons)
    if verdict is Verdict.MONITOR:
        department, state = playbook.default_department, State.MONITORING
        reasons.insert(0, f"monitored by {department}: tracked, not answered (mute or hide deliberately)")
    elif not answered:
        state = State.IGNORED
        label = "noise, tagged for insight" if verdict is Verdict.NOISE else "ignored by triage"
        ignore_reason = f"{label}: {triage.reasons[0]}"
    due, handle, template, acknowledge = None, "", "", False
    if answered:
        due = deadlines(playbook, mention.platform, mention.created_at)
        handle, why = _reply_account(playbook, mention, triage.kind)
        template = _template(triage, playbook)
        reasons.extend(r for r in (why, due.reason) if r)
        acknowledge, closed = _out_of_hours(playbook, mention.platform, verdict, now)
        reasons.extend(closed)
    return Decision(
        triage=triage,
        routing=routing,
        department=department,
        state=state,
        gets_card=triage.gets_card,
        deadlines=due,
        reply_account=handle,
        template=template,
        acknowledge=acknowledge,
        reasons=tuple(reasons),
        ignore_reason=ignore_reason,
    )


__all__ = ["Decision", "decide", "mentioned_roles", "triager_for"]
