"""Prometheus metrics: what operators graph and alert on."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

CASES_INGESTED = Counter("bridge_cases_ingested_total", "Mentions that became new cases", ["platform"])
REPLIES_POSTED = Counter("bridge_replies_posted_total", "Approved answers posted to customers", ["platform"])
HTTP_REQUESTS = Counter("bridge_http_requests_total", "Inbound HTTP requests", ["route", "status"])
HTTP_SECONDS = Histogram("bridge_http_request_seconds", "Time to answer inbound HTTP requests", ["route"])
