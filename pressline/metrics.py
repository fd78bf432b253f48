"""Prometheus metrics: what tasks count, and what is read from Redis at scrape time.

Celery's prefork pool runs tasks in child processes, while one HTTP server in the worker's
main process answers scrapes. So counters and histograms use prometheus_client's
multiprocess mode: set ``PROMETHEUS_MULTIPROC_DIR`` (compose and the k8s manifests do) to a
directory private to the container, and every process writes its samples there for the
server to add up. Without it, metrics are per-process, which is only right for the solo pool.

Backlog gauges (queue depth, stream length, consumer lag, dead letters) are not kept by any
process: a collector reads them from Redis on each scrape, so they are true even when no task
ran since the last one. Every worker replica reports the same values: aggregate with max().
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# prometheus_client writes a value file as soon as an unlabelled metric is created, so the
# directory has to exist before the first metric below.
if os.environ.get(MULTIPROC_ENV):
    Path(os.environ[MULTIPROC_ENV]).mkdir(parents=True, exist_ok=True)

import redis  # noqa: E402
from prometheus_client import (  # noqa: E402
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric  # noqa: E402
from prometheus_client.registry import Collector  # noqa: E402

from pressline.settings import Settings  # noqa: E402

log = logging.getLogger(__name__)

ITEMS = Counter("pressline_items", "Jobs that ended, by outcome.", ["outcome"])
STAGE_SECONDS = Histogram(
    "pressline_stage_seconds",
    "Time spent per pipeline stage.",
    ["stage"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 90),
)
BLOCKS_REMOVED = Counter(
    "pressline_blocks_removed", "Boilerplate blocks removed, by category.", ["category"]
)


@contextmanager
def observe_stage(stage: str) -> Iterator[None]:
    """Time the block into ``pressline_stage_seconds{stage}``, also when it raises."""
    started = time.perf_counter()
    try:
        yield
    finally:
        STAGE_SECONDS.labels(stage=stage).observe(time.perf_counter() - started)


def count_outcome(outcome: str) -> None:
    """One job ended with ``outcome`` (e.g. ``record``, ``dead``, ``duplicate``)."""
    ITEMS.labels(outcome=outcome).inc()


def count_removed(categories: Iterable[str]) -> None:
    """One increment per removed block, labelled with the block's category."""
    for category in categories:
        BLOCKS_REMOVED.labels(category=category).inc()


class RedisCollector(Collector):
    """Backlog gauges read from Redis on each scrape (see the module docstring)."""

    def __init__(self, settings: Settings, timeout: float = 2.0) -> None:
        self.settings = settings
        self.timeout = timeout

    def _families(self) -> dict[str, GaugeMetricFamily]:
        return {
            "up": GaugeMetricFamily("pressline_redis_up", "1 if Redis answered this scrape."),
            "queue": GaugeMetricFamily(
                "pressline_queue_depth", "Messages waiting in a Celery queue.", labels=["queue"]
            ),
            "in_flight": GaugeMetricFamily(
                "pressline_in_flight", "Messages delivered to workers and not yet acked."
            ),
            "stream": GaugeMetricFamily(
                "pressline_stream_length", "Entries in an output stream.", labels=["stream"]
            ),
            "lag": GaugeMetricFamily(
                "pressline_consumer_lag",
                "Stream entries not yet delivered to a consumer group.",
                labels=["stream", "group"],
            ),
            "pending": GaugeMetricFamily(
                "pressline_consumer_pending",
                "Entries delivered to a consumer group but not acknowledged.",
                labels=["stream", "group"],
            ),
            "dead": GaugeMetricFamily("pressline_dead_letters", "Entries on the dead stream."),
        }

    def describe(self) -> Iterable[Metric]:
        # Without describe() the registry would call collect(), i.e. Redis, at registration.
        return list(self._families().values())

    def collect(self) -> Iterable[Metric]:
        from pressline.stats import collect_stats

        fam = self._families()
        client = redis.Redis.from_url(
            self.settings.redis_url,
            decode_responses=True,
            socket_timeout=self.timeout,
            socket_connect_timeout=self.timeout,
        )
        try:
            stats = collect_stats(client, self.settings, lag_scan_limit=1000)
        except (redis.RedisError, ValueError) as exc:
            log.warning("metrics: cannot read Redis: %s", type(exc).__name__)
            fam["up"].add_metric([], 0)
            return [fam["up"]]
        finally:
            client.close()
        fam["up"].add_metric([], 1)
        for queue, depth in stats.queues.items():
            fam["queue"].add_metric([queue], depth)
        fam["in_flight"].add_metric([], stats.in_flight)
        for stream, length in stats.streams.items():
            fam["stream"].add_metric([stream], length)
        for g in stats.groups:
            if g.lag is not None:
                fam["lag"].add_metric([g.stream, g.name], g.lag)
            fam["pending"].add_metric([g.stream, g.name], g.pending)
        fam["dead"].add_metric([], stats.dead_letters)
        return list(fam.values())


def multiprocess_dir() -> Path | None:
    value = os.environ.get(MULTIPROC_ENV)
    return Path(value) if value else None


def reset_multiprocess_dir() -> None:
    """Delete samples of earlier runs (a restarted container keeps its emptyDir).

    Call only in the worker's main process before the pool starts, never in a child.
    """
    directory = multiprocess_dir()
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for path in directory.glob("*.db"):
        path.unlink(missing_ok=True)


def build_registry(settings: Settings | None = None) -> CollectorRegistry:
    """The registry a scrape reads: all processes' samples, plus the Redis gauges."""
    if multiprocess_dir() is not None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    if settings is not None and settings.redis_url:
        _attach_redis_collector(registry, settings)
    return registry


def _attach_redis_collector(registry: CollectorRegistry, settings: Settings) -> None:
    """One RedisCollector per registry: a second one would duplicate every gauge."""
    for collector in list(getattr(registry, "_collector_to_names", {})):
        if isinstance(collector, RedisCollector):
            registry.unregister(collector)
    registry.register(RedisCollector(settings))


def start_metrics_server(
    port: int, settings: Settings | None = None, addr: str = "0.0.0.0"
) -> CollectorRegistry:
    """Serve ``/metrics`` on ``port`` from a daemon thread; returns the registry it serves.

    Binds first, so a taken port leaves no collector behind in the global registry.
    """
    registry = build_registry()
    start_http_server(port, addr=addr, registry=registry)
    if settings is not None and settings.redis_url:
        _attach_redis_collector(registry, settings)
    log.info("metrics: serving on %s:%d", addr, port)
    return registry


def metrics_port(settings: Settings) -> int | None:
    """The Prometheus port, or None when metrics are off (PRESSLINE_METRICS_PORT=0)."""
    return settings.metrics_port or None


def setup_worker_metrics(settings: Settings) -> CollectorRegistry | None:
    """At worker start (main process): clear stale samples and serve, if a port is set.

    A port already taken (two workers on one host with the same setting) costs the metrics
    of this worker, not the worker: it logs a warning and carries on.
    """
    port = metrics_port(settings)
    if port is None:
        return None
    reset_multiprocess_dir()
    try:
        return start_metrics_server(port, settings)
    except OSError as exc:
        log.warning("metrics: cannot listen on port %d: %s", port, exc)
        return None
