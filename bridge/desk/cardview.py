"""What a case card shows and which buttons it offers, decided from the case alone."""

from __future__ import annotations

from bridge.desk.desk import who
from bridge.domain.lifecycle import State
from bridge.domain.model import Case, utcnow
from bridge.domain.ports import CardView
from bridge.domain.windows import window_label
from bridge.store.history import CustomerHistory

__all__ = [
    "UNDETERMINED_LANGUAGES",
    "VISIBILITY_LABELS",
    "card_view",
    "history_label",
    "language_label",
    "sentiment_label",
    "state_label",
]

_ACTIONS: dict[State, tuple[str, ...]] = {
    State.ROUTED: ("claim", "reassign", "ignore"),
    State.REOPENED: ("claim", "reassign", "ignore"),
    State.CLAIMED: ("draft", "reassign", "ignore"),
    State.DRAFTED: ("draft", "reassign", "ignore"),
    State.MONITORING: ("reassign",),
    State.PRIVATE: ("draft", "reassign"),
}


def state_label(case: Case) -> str:
    s = case.state
    if s in (State.ROUTED, State.TRIAGED, State.NEW):
        return "Waiting for someone to claim it"
    if s == State.REOPENED:
        return "Reopened: the customer wrote again"
    if s == State.CLAIMED:
        return f"Claimed by {who(case.claimant)}"
    if s == State.DRAFTED:
        return f"Claimed by {who(case.claimant)} · draft v{case.draft_version} waiting for sign-off"
    if s == State.APPROVED:
        return f"Draft v{case.approved_version} approved by {who(case.approver)} · posting"
    if s == State.POSTING:
        return f"Draft v{case.approved_version} approved by {who(case.approver)} · posting"
    if s == State.PRIVATE:
        return f"In private messages with @{case.author_handle} · {who(case.claimant)}"
    if s == State.POSTED:
        return "Answered privately" if case.mode == "private" else "Answered"
    if s == State.IGNORED:
        return f"Ignored{': ' + case.ignore_reason if case.ignore_reason else ''}"
    return s.value.capitalize()


#: What triage writes when it cannot tell a post's language.
UNDETERMINED_LANGUAGES = frozenset({"", "und"})


def language_label(case: Case) -> str:
    return "" if case.lang in UNDETERMINED_LANGUAGES else f"language {case.lang}"


def sentiment_label(case: Case) -> str:
    """The sentiment as the card says it: never a score for a language the model does not read."""
    if case.polarity == "unknown":
        return "sentiment unknown"
    return f"{case.polarity} ({case.sentiment:+.2f})" if case.polarity else ""


#: Mastodon's visibilities in the desk's words: who else can read the customer's post (and our answer).
VISIBILITY_LABELS = {
    "public": "public",
    "unlisted": "unlisted",
    "private": "followers only",
    "direct": "direct (private)",
}


def history_label(history: CustomerHistory) -> str:
    """The card's line about the customer's earlier (closed) cases; "" for someone new to the desk."""
    if not history.earlier:
        return ""
    plural = "s" if history.earlier != 1 else ""
    how = [history.last_outcome or "closed"]
    if history.last_polarity:
        how.append(f"ended {history.last_polarity}")
    when = f" on {history.last_closed_at:%Y-%m-%d}" if history.last_closed_at else ""
    return f"{history.earlier} earlier case{plural} · last #{history.last_number}{when}: {', '.join(how)}"


def _visibility(case: Case) -> str:
    """Who can read the post, and the platform's window for a private answer where it sets one."""
    seen = VISIBILITY_LABELS.get(case.visibility, case.visibility)
    window = window_label(case, utcnow()) if case.state not in (State.POSTED, State.IGNORED) else ""
    return " · ".join(part for part in (seen, window) if part)


def card_view(case: Case) -> CardView:
    return CardView(
        number=case.number,
        state=case.state.value,
        state_label=state_label(case),
        department=case.department,
        author_handle=case.author_handle,
        author_name=case.author_name,
        author_followers=case.author_followers,
        text=case.text,
        post_url=case.post_url,
        author_url=case.author_url,
        on_post=case.on_post,
        on_post_url=case.on_post_url,
        platform=case.platform,
        created_at=case.created_at,
        sla_due=case.sla_due,
        claimant=case.claimant,
        approver=case.approver,
        reply_url=case.reply_url,
        verdict=case.verdict,
        priority=case.priority,
        kind=case.kind,
        claim_due=case.claim_due if case.state in (State.ROUTED, State.REOPENED) else None,
        reply_account=case.reply_account,
        reasons=tuple(case.reasons),
        visibility=_visibility(case),
        actions=_ACTIONS.get(case.state, ()),
        draft_version=case.draft_version,
        approved_version=case.approved_version,
        language=language_label(case),
        sentiment=sentiment_label(case),
        customer_history=case.customer_history,
        customer_history_url=case.customer_history_url,
    )
