"""Prometheus metrics from prometheus_client, one registry per runtime (handlers hold no globals, so
tests see only their own traffic). Counters are bumped where things happen through
`Services.metrics`; what only the database knows (outbox depth, the oldest due nudge) is read when
/metrics is scraped, bounded by a timeout. With PROMETHEUS_MULTIPROC_DIR set before start-up, every
process writes its values to files there and any process serves their sum (docs/operations.md)."""
from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from prometheus_client import (CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics,
                               generate_latest)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from prometheus_client.metrics_core import Metric
from sqlalchemy import event, func
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from storage.db import Database
from storage.tables import Nudge
from storage.tables.outbox import OutboxPost

log = logging.getLogger(__name__)
disable_created_metrics()  # no `_created` twin for every counter: half the scrape, nothing lost

OPEN_NUDGE_STATES = ("planned", "retry", "sending", "held", "unknown")  # the outbox: not yet settled
OPEN_POST_STATES = ("pending", "sending", "unknown")
DUE_STATES = ("planned", "retry")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)


@dataclass(frozen=True)
class Family:
    kind: str  # counter | gauge | histogram
    help: str
    labels: tuple[str, ...] = ()


FAMILIES: dict[str, Family] = {
    "gofirst_http_requests_total": Family("counter", "HTTP requests by route, method and status",
                                          ("route", "method", "status")),
    "gofirst_http_request_duration_seconds": Family("histogram", "HTTP request latency by route", ("route", "method")),
    "gofirst_slack_acks_total": Family("counter", "Slack requests answered, by kind and status", ("kind", "status")),
    "gofirst_events_total": Family("counter", "Engine events handled, by kind", ("kind",)),
    "gofirst_nudges_planned_total": Family("counter", "Nudges planned by the scheduler"),
    "gofirst_nudges_delivered_total": Family(
        "counter", "Nudge send attempts by outcome: sent, recovered, retry, failed, unknown_outcome", ("outcome",)),
    "gofirst_posts_total": Family("counter", "Outbox posts settled, by kind and outcome", ("kind", "outcome")),
    "gofirst_scheduler_leader": Family("gauge", "1 while this process runs the campaign scheduler"),
    "gofirst_db_pool_in_use": Family("gauge", "Database connections checked out of the pool"),
}
# Rate limits are met inside platform clients that hold no Services: one set per process.
PROCESS = CollectorRegistry(auto_describe=True)
RATE_LIMIT_WAITS = Counter("gofirst_rate_limit_waits",
                           "Rate-limit pauses waited out (waited, paced) or hit (throttled)",
                           ("platform", "why"), registry=PROCESS)
RATE_LIMIT_SECONDS = Counter("gofirst_rate_limit_wait_seconds", "Seconds spent waiting for rate limits",
                             ("platform",), registry=PROCESS)


def rate_limited(workspace_or_platform: str, why: str, seconds: float = 0.0) -> None:
    """One rate-limit pause: `why` is waited (a shared pause slept out), paced (held back to stay
    under a limit) or throttled (the platform answered 429)."""
    platform = workspace_or_platform.split(":", 1)[0]
    RATE_LIMIT_WAITS.labels(platform=platform, why=why).inc()
    if seconds > 0:
        RATE_LIMIT_SECONDS.labels(platform=platform).inc(seconds)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir")


def _build(name: str, family: Family, registry: CollectorRegistry) -> MetricWrapperBase:
    base = name.removesuffix("_total")
    if family.kind == "counter":
        return Counter(base, family.help, family.labels, registry=registry)
    if family.kind == "histogram":
        return Histogram(name, family.help, family.labels, registry=registry, buckets=LATENCY_BUCKETS)
    # summed over live processes only in multiprocess mode
    return Gauge(name, family.help, family.labels, registry=registry, multiprocess_mode="livesum")


class Metrics:
    """Every family in FAMILIES, registered in this instance's own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._metrics = {name: _build(name, family, self.registry) for name, family in FAMILIES.items()}
        self._pools: set[int] = set()

    def _child(self, name: str, labels: dict[str, str]) -> MetricWrapperBase:
        metric = self._metrics.get(name)
        if metric is None:  # a counter someone bumps before declaring it: counted, never a crash
            log.warning("metrics: %s is not in FAMILIES; counted as an undeclared counter", name)
            family = Family("counter", f"{name} (undeclared)", tuple(sorted(labels)))
            metric = self._metrics[name] = _build(name, family, self.registry)
        return metric.labels(**labels) if labels else metric

    def inc(self, name: str, amount: float = 1, **labels: str) -> None:
        child = self._child(name, labels)
        child.inc(amount)  # type: ignore[attr-defined]

    def dec(self, name: str, amount: float = 1, **labels: str) -> None:
        child = self._child(name, labels)
        child.dec(amount)  # type: ignore[attr-defined]

    def set(self, name: str, value: float, **labels: str) -> None:
        child = self._child(name, labels)
        child.set(value)  # type: ignore[attr-defined]

    def observe(self, name: str, value: float, **labels: str) -> None:
        child = self._child(name, labels)
        child.observe(value)  # type: ignore[attr-defined]

    def value(self, name: str, **labels: str) -> float:
        """A sample's current value in this process (a histogram's `name_count`, say); 0 if unseen."""
        return self.registry.get_sample_value(name, labels) or 0.0

    def watch_pool(self, engine: AsyncEngine) -> None:
        """Connections in use follow the pool's own checkout and checkin events (once per engine)."""
        if id(engine) in self._pools:
            return
        self._pools.add(id(engine))
        event.listen(engine.sync_engine, "checkout", lambda *_: self.inc("gofirst_db_pool_in_use"))
        event.listen(engine.sync_engine, "checkin", lambda *_: self.dec("gofirst_db_pool_in_use"))

    def render(self, scraped: Iterable[GaugeMetricFamily] = ()) -> bytes:
        """Prometheus text: this process's registry (or, in multiprocess mode, every process's files)
        and the families read from the database at this scrape."""
        sources: list[Collector] = [Scraped(list(scraped))]
        folder = multiprocess_dir()
        if folder:
            merged = CollectorRegistry()
            MultiProcessCollector(merged, path=folder)
            sources.append(merged)
        else:
            sources += [self.registry, PROCESS]
        return generate_latest(Union(sources))


class Scraped(Collector):
    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self.families = families

    def collect(self) -> Iterable[GaugeMetricFamily]:
        return self.families


class Union(Collector):
    def __init__(self, sources: list[Collector]) -> None:
        self.sources = sources

    def collect(self) -> Iterable[Metric]:
        for source in self.sources:
            yield from source.collect()


def process_exited(pid: int | None = None) -> None:
    """Drops a stopped process's live gauges from the multiprocess files (its counters stay summed)."""
    folder = multiprocess_dir()
    if folder:
        mark_process_dead(pid or os.getpid(), folder)


async def outbox_families(db: Database, now: datetime | None = None, timeout: float = 2.0) -> list[GaugeMetricFamily]:
    """Outbox depth by state and the age of the oldest due nudge: grouped counts over the
    (state, due_at) indexes. A slow or unreachable database leaves them out of this scrape."""
    try:
        return await asyncio.wait_for(_outbox(db, now or datetime.now(timezone.utc)), timeout)
    except Exception as exc:  # /metrics must answer whatever the database does
        log.warning("metrics: outbox figures skipped this scrape (%s)", type(exc).__name__)
        return []


async def _outbox(db: Database, now: datetime) -> list[GaugeMetricFamily]:
    depth = GaugeMetricFamily("gofirst_outbox_depth", "Outbox rows not yet settled, by table and state",
                              labels=["table", "state"])
    oldest = GaugeMetricFamily("gofirst_outbox_oldest_due_seconds", "Age of the oldest nudge due and not yet sent")
    async with db.session() as session:
        nudges = (await session.exec(select(Nudge.state, func.count()).where(
            col(Nudge.state).in_(OPEN_NUDGE_STATES)).group_by(Nudge.state))).all()
        posts = (await session.exec(select(OutboxPost.state, func.count()).where(
            col(OutboxPost.state).in_(OPEN_POST_STATES)).group_by(OutboxPost.state))).all()
        first = (await session.exec(select(func.min(Nudge.due_at)).where(
            col(Nudge.state).in_(DUE_STATES), col(Nudge.due_at) <= now))).one()
    for table, rows, states in (("nudge", nudges, OPEN_NUDGE_STATES), ("outbox_post", posts, OPEN_POST_STATES)):
        counts = dict(rows)
        for state in states:
            depth.add_metric([table, state], counts.get(state, 0))
    if first is not None:
        first = first if first.tzinfo else first.replace(tzinfo=timezone.utc)
    oldest.add_metric([], max((now - first).total_seconds(), 0.0) if first is not None else 0.0)
    return [depth, oldest]

