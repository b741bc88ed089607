"""What every KPI means, in the words shown next to its figure (chat reports, digests, dashboard).

One entry per KPI key; :mod:`bridge.reports.kpis` builds each figure with its definition from here,
so the text people read and the computation cannot drift apart without a test noticing.
"""

from __future__ import annotations

__all__ = ["DEFINITIONS", "LABELS"]

LABELS: dict[str, str] = {
    "cases": "Cases",
    "first_response_any": "First response (any reply)",
    "first_response_human": "First response (human reply)",
    "average_response": "Average response time",
    "resolution": "Resolution time",
    "handling": "Handling time",
    "sla_attainment": "SLA attainment",
    "reopen_rate": "Reopen rate",
    "needed_response": "Needed a response",
    "set_aside": "Set aside",
    "sentiment_start": "Sentiment at start",
    "sentiment_end": "Sentiment at end",
    "sentiment_improved": "Negative → neutral/positive",
    "csat_average": "CSAT average",
    "csat_satisfied": "CSAT satisfied",
    "nps": "NPS",
    "link_clicks": "Link clicks",
    "link_conversions": "Conversions",
    "engagement": "Engagement per answer",
    "backlog": "Open cases (backlog)",
    "backlog_oldest": "Oldest open case",
    "backlog_average_age": "Average age of open cases",
}

DEFINITIONS: dict[str, str] = {
    "cases": "Closed cases whose first customer message falls in the period.",
    "first_response_any": (
        "Mean time from the customer's first message to the brand's first reply of any kind, "
        "an out-of-hours acknowledgement included; over cases that got one."
    ),
    "first_response_human": (
        "Mean time from the customer's first message to the first answer a person wrote and signed off; "
        "over cases that got one."
    ),
    "average_response": (
        "Mean wait of every customer message in a case (the first post, follow-ups, private messages) "
        "until the brand's next answer; messages never answered are left out."
    ),
    "resolution": (
        "Mean time from the customer's first message to the case's resolution (its last resolve, or its "
        "last answer when it was left answered); set-aside and ignored cases are left out."
    ),
    "handling": "Mean time from a claim (or assignment) to the answer it led to being posted.",
    "sla_attainment": (
        "Share of cases that needed a response whose first human answer came within the platform's "
        "first-response target, counting only the desk's open minutes when the playbook says so."
    ),
    "reopen_rate": "Share of answered cases that the customer reopened at least once by writing again.",
    "needed_response": (
        "Share of cases that needed a response: answered, or given a card and neither ignored by a "
        "person nor monitored as a troll (set-aside cases never need one)."
    ),
    "set_aside": "Cases triage set aside without a card (noise, spam, our own posts).",
    "sentiment_start": "Mean sentiment (VADER compound, −1 to +1) of the customer's first message.",
    "sentiment_end": (
        "Mean sentiment of the customer's last message in the case (the first, if they wrote once)."
    ),
    "sentiment_improved": (
        "Of the cases whose first message was negative, the share whose last message was neutral or positive."
    ),
    "csat_average": "Mean answer to the satisfaction survey (1–5), over cases that answered it.",
    "csat_satisfied": "Share of survey answers of 4 or 5.",
    "nps": (
        "Net Promoter Score: % promoters (9–10) minus % detractors (0–6) among answers to the 0–10 question."
    ),
    "link_clicks": "Clicks on tracked links in the brand's answers.",
    "link_conversions": "Conversions the shop reported for those links.",
    "engagement": (
        "Mean likes + replies + reposts of the brand's latest public answer in a case, read back from "
        "the platform measure.engagement_hours after posting; over answers that were read."
    ),
    "backlog": "Cases open now (routed, claimed, drafted, approved, reopened, private or monitored).",
    "backlog_oldest": "Age of the oldest open case, from the customer's first message.",
    "backlog_average_age": "Mean age of the open cases.",
}
