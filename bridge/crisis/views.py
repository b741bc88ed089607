"""What crisis notices say and which buttons they offer, decided from the records alone.

Like :mod:`bridge.desk.cardview` for case cards: the core decides the words and the actions, the chat
adapter renders them. Button ``action`` names are the contract with the adapters' listeners.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote_plus

from bridge.crisis.alerts import Alert, AlertState
from bridge.crisis.detector import Example
from bridge.crisis.incident import Incident, IncidentState
from bridge.crisis.ports import Notice, NoticeButton
from bridge.desk.desk import who
from bridge.domain.platforms import PLATFORM_NAMES

__all__ = [
    "BROWSE_WORDS",
    "QUOTE_CHARS",
    "alert_notice",
    "alert_status",
    "browse_url",
    "bulk_notice",
    "example_quotes",
    "incident_notice",
    "incident_summary",
    "mass_notice",
    "pace_text",
    "platform_name",
    "statement_links",
    "statement_missing_notice",
    "statement_notice",
]

QUOTE_CHARS = 280
BROWSE_WORDS = 6


def _hm(moment: datetime) -> str:
    return f"{moment:%H:%M} UTC"


def example_quotes(examples: tuple[Example, ...] | list[Example]) -> tuple[str, ...]:
    return tuple(f"@{e.handle} ({e.followers:,} followers): {e.text[:QUOTE_CHARS]}" for e in examples)


def browse_url(keywords: list[str], label: str, handle: str) -> str:
    """A live X search for the topic's posts naming the brand, to browse every folded mention."""
    if keywords:
        terms = "(" + " OR ".join(f'"{k}"' if " " in k else k for k in keywords) + ")"
    else:
        terms = '"' + " ".join(label.split()[:BROWSE_WORDS]) + '"'
    query = f"{terms} @{handle}" if handle else terms
    return f"https://x.com/search?q={quote_plus(query)}&f=live"


def alert_status(alert: Alert) -> str:
    if alert.state == AlertState.ACKNOWLEDGED:
        return f"Acknowledged by {who(alert.acknowledged_by)}"
    if alert.state == AlertState.DISMISSED:
        return f"Dismissed by {who(alert.dismissed_by)}: no re-alerts, mentions get their own cards again"
    if alert.state == AlertState.INCIDENT:
        return f"Incident {alert.incident} started"
    if alert.state == AlertState.CALM:
        return "Calmed down"
    return f"Open since {_hm(alert.raised_at)}, nobody has acknowledged it yet"


def alert_notice(alert: Alert) -> Notice:
    e = alert.explanation
    buttons: list[NoticeButton] = []
    value = str(alert.id)
    if alert.state == AlertState.OPEN:
        buttons.append(NoticeButton("ack", "Acknowledge", value))
    if alert.state in (AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.DISMISSED):
        buttons.append(NoticeButton("start_incident", "Start incident", value, "primary"))
    if alert.state in (AlertState.OPEN, AlertState.ACKNOWLEDGED):
        buttons.append(NoticeButton("dismiss", "Dismiss", value, "danger"))
    usual_negative = (
        "" if e.baseline_negative_share is None else f" (usually {e.baseline_negative_share:.0%})"
    )
    return Notice(
        title=f"Crisis alert: {e.label}"[:150],
        text=e.summary() + ".\nWhy: " + "; ".join(e.reasons),
        fields=(
            ("Mentions", f"{e.count} in the last {e.window_minutes} min (peak {alert.peak_count})"),
            ("Baseline", e.baseline_text()),
            ("Negative", f"{e.negative_share:.0%}{usual_negative}"),
            ("Reach", f"{e.reach:,} followers"),
            ("Status", alert_status(alert)),
        ),
        quotes=example_quotes(e.examples),
        links=tuple((x.url, f"@{x.handle} on X") for x in e.examples if x.url),
        context=f"Alert {alert.id} · topic {alert.topic} · raised {_hm(alert.raised_at)}",
        buttons=tuple(buttons),
        key=f"alert:{alert.id}",
    )


def mass_notice(
    label: str,
    count: int,
    examples: list[Example],
    browse: str,
    since: datetime,
    first_case: int,
    last_case: int,
    incident: Incident | None,
) -> Notice:
    where = f" Incident {incident.id} is handling it." if incident is not None else ""
    cases = f"cases #{first_case}–#{last_case}" if first_case != last_case else f"case #{first_case}"
    return Notice(
        title=f"Mass issue: {label} · {count} mention{'s' if count != 1 else ''}"[:150],
        text=(
            f"While this is a mass issue, new mentions of {label} join this card instead of getting one "
            f"card each.{where} Latest below; `/bridge incident status` lists the cases."
        ),
        fields=(("Since", _hm(since)), ("Cases", cases)),
        quotes=example_quotes(examples),
        links=((browse, "Browse them on X"),),
        key=f"mass:{label}",
    )


def statement_notice(
    incident: Incident, version: int, text: str, author: str, length: str, fits: bool
) -> Notice:
    buttons = [NoticeButton("edit_statement", "Edit", f"{incident.id}:{version}")]
    if fits:
        buttons.insert(0, NoticeButton("approve_statement", "Approve", f"{incident.id}:{version}", "primary"))
    account = incident.account_words
    return Notice(
        title=f"Statement for sign-off: {incident.label} (incident {incident.id})"[:150],
        text=(
            f"*Draft v{version}* by {who(author)} · {length} · posted from {account} once a leadership "
            "approver other than its author approves it. This is exactly what will be posted:"
        ),
        preview=text,
        context="" if fits else "This version cannot be approved until it fits: edit it.",
        buttons=tuple(buttons),
        key=f"statement:{incident.id}:{version}",
    )


def statement_missing_notice(incident: Incident) -> Notice:
    """In place of a first draft when the playbook's statement template could not be filled in."""
    return Notice(
        title=f"Statement needed: {incident.label} (incident {incident.id})"[:150],
        text=(
            "The playbook's statement template could not be filled in, so there is no draft to sign off "
            "and nothing was posted. Write the statement with Edit; it then comes here for sign-off by "
            "a leadership approver other than its author."
        ),
        buttons=(NoticeButton("edit_statement", "Edit", f"{incident.id}:0"),),
        key=f"statement:{incident.id}:0",
    )


def bulk_notice(
    incident: Incident,
    version: int,
    sample: str,
    author: str,
    length: str,
    fits: bool,
    cases: int,
    pace: str,
    problem: str = "",
) -> Notice:
    """``problem``: why this version cannot be sent (a template that cannot be filled in)."""
    value = f"{incident.id}:{version}"
    buttons = [NoticeButton("edit_bulk", "Edit", value)]
    if fits:
        buttons.insert(0, NoticeButton("approve_bulk", "Approve and send", value, "primary"))
    return Notice(
        title=f"Bulk reply for sign-off: {incident.label} (incident {incident.id})"[:150],
        text=(
            f"*Reply v{version}* by {who(author)} · longest {length} · goes to {cases} unanswered "
            f"mention{'s' if cases != 1 else ''} of {incident.label}, {pace}. Each reply is recorded on "
            "its case. For the first of them it reads:"
        ),
        preview=sample,
        context=problem or ("" if fits else "This reply is too long for some handles: edit it."),
        buttons=tuple(buttons),
        key=f"bulk:{incident.id}:{version}",
    )


def pace_text(posts: int, minutes: int, cases: int) -> str:
    """How bulk replies are paced, and roughly how long they take, in words."""
    windows = max(0, (cases - 1) // posts)
    eta = f"about {windows * minutes} min in all" if windows else "all within the first window"
    return f"at most {posts} per {minutes} min ({eta})"


def incident_notice(incident: Incident, alert: Alert) -> Notice:
    return Notice(
        title=f"Incident {incident.id}: {incident.label}"[:150],
        text=(
            f"Started by {who(incident.started_by)} at {_hm(incident.started_at)} from alert {alert.id}. "
            f"New mentions of {incident.label} are routed to this channel as one mass-issue card. The "
            "public statement is with leadership for sign-off; once it is posted, a bulk reply pointing "
            "to it follows here for approval."
        ),
        fields=(
            ("Alert", alert.explanation.summary()),
            ("Status", "`/bridge incident status` · `/bridge incident close`"),
        ),
        quotes=example_quotes(alert.explanation.examples),
        key=f"incident:{incident.id}",
    )


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform.capitalize())


def statement_links(incident: Incident) -> str:
    """Where the statement went out: its one URL, or each platform's when it went out on several."""
    if len(incident.statement_urls) <= 1:
        return incident.statement_url or next(iter(incident.statement_urls.values()), "")
    return ", ".join(f"{platform_name(p)} {url}" for p, url in incident.statement_urls.items())


def incident_summary(incident: Incident) -> str:
    parts = [f"Incident {incident.id} ({incident.label}): {incident.state_label}"]
    if links := statement_links(incident):
        parts.append(f"statement {links}")
    if incident.state in (IncidentState.BULK_REPLYING, IncidentState.CLOSED) or incident.bulk_sent:
        parts.append(f"{incident.bulk_sent} replies sent, {incident.bulk_skipped} skipped")
    return " · ".join(parts)
