"""Prometheus metrics: what operators graph and alert on.

Counts that matter across the deployment (cases, replies, refusals, job failures, SLA breaches, poll
errors, mention-to-card time) are kept in Redis, because they happen in many processes: web
processes, pollers and RQ workers (a worker forked a work horse per job until it ran jobs itself), and
workers serve no ``/metrics`` of their own. Each process adds to the same Redis hashes; any web
process's ``/metrics`` shows the total. (prometheus_client's multiprocess mode was the alternative:
it needs one shared folder, so processes on different machines would not add up, and it writes a
file per process, so a forking worker leaves thousands of them.) A count that cannot reach Redis is
logged and dropped: a metric never fails the work it counts.

HTTP request counts and latencies stay in the process (:data:`HTTP_REQUESTS`), as Prometheus expects
of per-instance figures.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import redis
import structlog
from prometheus_client import Counter, Histogram
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric

__all__ = [
    "CASES_INGESTED",
    "FIRST_RESPONSE",
    "HTTP_REQUESTS",
    "HTTP_SECONDS",
    "JOB_FAILURES",
    "JOB_RETRIES",
    "LINK_CLICKS",
    "LINK_CONVERSIONS",
    "MENTION_TO_CARD",
    "POLL_ERRORS",
    "REFUSED_ACTIONS",
    "REPLIES_FAILED",
    "REPLIES_POSTED",
    "SLA_BREACHES",
    "SURVEYS_ANSWERED",
    "SURVEYS_SENT",
    "Meter",
    "SharedMetric",
    "families",
]

log = structlog.get_logger(__name__)

HTTP_REQUESTS = Counter("bridge_http_requests_total", "Inbound HTTP requests", ["route", "status"])
HTTP_SECONDS = Histogram("bridge_http_request_seconds", "Time to answer inbound HTTP requests", ["route"])


@dataclass(frozen=True)
class SharedMetric:
    """A metric counted in Redis by every process. ``buckets`` makes it a histogram."""

    name: str
    help: str
    labels: tuple[str, ...]
    buckets: tuple[float, ...] = ()


CASES_INGESTED = SharedMetric(
    "bridge_cases_ingested_total", "Mentions that became new cases", ("platform", "verdict")
)
REPLIES_POSTED = SharedMetric(
    "bridge_replies_posted_total", "Approved answers posted to customers", ("platform",)
)
REPLIES_FAILED = SharedMetric(
    "bridge_replies_failed_total",
    "Approved answers that could not be posted (rejected, or retries exhausted)",
    ("platform", "reason"),
)
REFUSED_ACTIONS = SharedMetric(
    "bridge_refused_actions_total",
    "Desk actions refused (not allowed, wrong state, self-approval, malformed click)",
    ("action",),
)
JOB_FAILURES = SharedMetric(
    "bridge_job_failures_total", "Job attempts that failed with no retry left", ("job",)
)
JOB_RETRIES = SharedMetric("bridge_job_retries_total", "Failed job attempts that will be retried", ("job",))
SLA_BREACHES = SharedMetric(
    "bridge_sla_breaches_total", "Cases with no answer by their SLA deadline", ("department",)
)
POLL_ERRORS = SharedMetric(
    "bridge_poll_errors_total", "Failed or rate-limited reads of a social platform", ("platform", "kind")
)
MENTION_TO_CARD = SharedMetric(
    "bridge_mention_to_card_seconds",
    "Time from the customer's post to its case card in chat",
    ("platform",),
    buckets=(5, 15, 30, 60, 120, 300, 600, 1800, 3600),
)
FIRST_RESPONSE = SharedMetric(
    "bridge_first_response_seconds",
    "Time from the customer's post to the first answer a person signed off (any hour)",
    ("platform",),
    buckets=(60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 259200),
)
SURVEYS_SENT = SharedMetric(
    "bridge_surveys_sent_total", "Survey questions sent to customers by private message", ("platform", "kind")
)
SURVEYS_ANSWERED = SharedMetric(
    "bridge_surveys_answered_total", "Survey answers recorded, by score", ("platform", "kind", "score")
)
LINK_CLICKS = SharedMetric("bridge_link_clicks_total", "Clicks on tracked links in answers", ("platform",))
LINK_CONVERSIONS = SharedMetric(
    "bridge_link_conversions_total", "Conversions the shop reported on tracked links", ("platform",)
)
SHARED: tuple[SharedMetric, ...] = (
    CASES_INGESTED,
    REPLIES_POSTED,
    REPLIES_FAILED,
    REFUSED_ACTIONS,
    JOB_FAILURES,
    JOB_RETRIES,
    SLA_BREACHES,
    POLL_ERRORS,
    MENTION_TO_CARD,
    FIRST_RESPONSE,
    SURVEYS_SENT,
    SURVEYS_ANSWERED,
    LINK_CLICKS,
    LINK_CONVERSIONS,
)


def _field(metric: SharedMetric, labels: Mapping[str, str], part: str) -> str:
    values = [str(labels.get(name, "")) for name in metric.labels]
    return json.dumps([*values, part])


class Meter:
    """Adds to the shared metrics in Redis; ``prefix`` is the bridge's key prefix."""

    def __init__(self, client: redis.Redis, prefix: str = "bridge:") -> None:
        self.r = client
        self.prefix = prefix
        self._held = threading.local()  # a thread's increments while it is inside held()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Within this block (one job's or one poll's many cases), this thread's increments are added
        up and written when it ends, in one round trip of one command per field, instead of a round
        trip per count. A crash inside the block loses its counts, as it would lose a count not yet
        sent; the shared metrics are never written twice."""
        if getattr(self._held, "increments", None) is not None:
            yield
            return
        increments: dict[tuple[str, str], float] = defaultdict(float)
        self._held.increments = increments
        try:
            yield
        finally:
            self._held.increments = None
            self._send(increments)

    def key(self, metric: SharedMetric) -> str:
        return f"{self.prefix}metrics:{metric.name}"

    def count(self, metric: SharedMetric, amount: float = 1, **labels: str) -> None:
        self._write(metric, {_field(metric, labels, ""): amount})

    def observe(self, metric: SharedMetric, value: float, **labels: str) -> None:
        """One observation of a histogram: its bucket, the count and the sum."""
        bucket = next((str(le) for le in metric.buckets if value <= le), "+Inf")
        parts = {bucket: 1.0, "count": 1.0, "sum": value}
        self._write(metric, {_field(metric, labels, part): amount for part, amount in parts.items()})

    def _write(self, metric: SharedMetric, increments: Mapping[str, float]) -> None:
        held: dict[tuple[str, str], float] | None = getattr(self._held, "increments", None)
        key = self.key(metric)
        if held is not None:
            for field, amount in increments.items():
                held[(key, field)] += amount
            return
        self._send({(key, field): amount for field, amount in increments.items()})

    def _send(self, increments: Mapping[tuple[str, str], float]) -> None:
        if not increments:
            return
        try:
            with self.r.pipeline(transaction=False) as pipe:
                for (key, field), amount in increments.items():
                    pipe.hincrbyfloat(key, field, amount)
                pipe.execute()
        except redis.RedisError as exc:
            names = sorted({key.removeprefix(f"{self.prefix}metrics:") for key, _ in increments})
            log.warning("metric_dropped", metric=",".join(names), error=str(exc))

    def read(self) -> dict[str, dict[str, float]]:
        """Every shared metric's raw fields, for :func:`families` (one round trip)."""
        with self.r.pipeline(transaction=False) as pipe:
            for metric in SHARED:
                pipe.hgetall(self.key(metric))
            raw = pipe.execute()
        return {
            metric.name: {_text(k): float(v) for k, v in (fields or {}).items()}
            for metric, fields in zip(SHARED, raw, strict=True)
        }


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def families(snapshot: Mapping[str, Mapping[str, float]]) -> Iterator[Metric]:
    """Prometheus metric families from a :meth:`Meter.read` snapshot."""
    for metric in SHARED:
        fields = snapshot.get(metric.name, {})
        parsed = [(json.loads(field), value) for field, value in fields.items()]
        if metric.buckets:
            yield _histogram(metric, parsed)
            continue
        family = CounterMetricFamily(metric.name.removesuffix("_total"), metric.help, labels=metric.labels)
        for labels_and_part, value in parsed:
            family.add_metric(labels_and_part[:-1], value)
        yield family


def _histogram(metric: SharedMetric, parsed: list[tuple[list[str], float]]) -> Metric:
    family = HistogramMetricFamily(metric.name, metric.help, labels=metric.labels)
    series: dict[tuple[str, ...], dict[str, float]] = {}
    for labels_and_part, value in parsed:
        series.setdefault(tuple(labels_and_part[:-1]), {})[labels_and_part[-1]] = value
    for labels, parts in sorted(series.items()):
        running, buckets = 0.0, []
        for le in [*(str(b) for b in metric.buckets), "+Inf"]:
            running += parts.get(le, 0.0)
            buckets.append((le, running))
        family.add_metric(list(labels), buckets, sum_value=parts.get("sum", 0.0))
    return family
