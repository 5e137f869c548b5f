"""Worker-wide metrics: a Prometheus collector over every task's :class:`TaskMetrics`, the worker's own
groups (connect-worker, rebalance, group client) and throughput rates per pipeline and for the whole
worker (the console and ``GET /genesis/metrics`` show them).

``GET /metrics`` serves Connect's metric groups under the JMX exporter's names (:mod:`.connect_metrics`),
the first Genesis names kept for compatibility (``kafka_connect_sink_task_sink_record_read_total``...,
:data:`_COUNTERS`), the ``genesis_*`` series and the Python process collector's ``process_*``.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from genesis_worker.metrics.connect_metrics import (
    ConnectorView,
    GroupClientView,
    RebalanceMetrics,
    Startups,
    collect_connect,
)
from genesis_worker.metrics.task_metrics import TaskMetrics

RateKey = tuple[Any, ...]

_COUNTERS: tuple[tuple[str, str, str, str], ...] = (
    # (attribute, sink metric, source metric, help)
    (
        "records_read",
        "kafka_connect_sink_task_sink_record_read",
        "kafka_connect_source_task_source_record_poll",
        "Records read from Kafka (sink) or polled from the source system (source).",
    ),
    (
        "records_written",
        "kafka_connect_sink_task_sink_record_send",
        "kafka_connect_source_task_source_record_write",
        "Records handed to the sink task (sink) or acknowledged by Kafka (source).",
    ),
    (
        "records_skipped",
        "kafka_connect_task_error_total_records_skipped",
        "kafka_connect_task_error_total_records_skipped",
        "Records dropped by transforms or skipped after a tolerated error.",
    ),
    (
        "record_errors",
        "kafka_connect_task_error_total_record_errors",
        "kafka_connect_task_error_total_record_errors",
        "Record processing failures seen by the error handler.",
    ),
    (
        "records_dlq",
        "kafka_connect_task_error_deadletterqueue_produce_requests",
        "kafka_connect_task_error_deadletterqueue_produce_requests",
        "Records written to the dead letter queue.",
    ),
    (
        "offset_commits",
        "kafka_connect_connector_task_offset_commit_success",
        "kafka_connect_connector_task_offset_commit_success",
        "Successful offset commits.",
    ),
    (
        "offset_commit_failures",
        "kafka_connect_connector_task_offset_commit_failure",
        "kafka_connect_connector_task_offset_commit_failure",
        "Failed offset commits.",
    ),
)


@dataclass
class Rate:
    """Records per second over the sampling window."""

    read: float = 0.0
    written: float = 0.0


class WorkerMetrics(Collector):
    """All metrics of one worker. Tasks :meth:`register` on start and :meth:`unregister` on stop; the
    worker passes its connectors (read at scrape time) and counts start outcomes in :attr:`startups`; the
    distributed herder feeds :attr:`rebalance` and sets :attr:`group_client`."""

    def __init__(
        self,
        worker_id: str,
        window_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        connectors: Mapping[str, ConnectorView] | None = None,
    ) -> None:
        self.worker_id = worker_id
        self.window = window_seconds
        self.clock = clock
        self.connectors: Mapping[str, ConnectorView] = connectors if connectors is not None else {}
        self.startups = Startups()
        self.rebalance = RebalanceMetrics()
        self.group_client: GroupClientView | None = None
        self.client_id = f"connect-{worker_id}"
        self.started_ms = int(time.time() * 1000)
        self._tasks: dict[tuple[str, int], TaskMetrics] = {}
        self._restarts: dict[tuple[str, str, str], int] = {}
        # (monotonic time, {key: counter}) samples for rates.
        self._samples: deque[tuple[float, dict[RateKey, float]]] = deque()
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self)
        ProcessCollector(registry=self.registry)

    def register(self, metrics: TaskMetrics) -> TaskMetrics:
        self._tasks[(metrics.connector, metrics.task)] = metrics
        return metrics

    def unregister(self, connector: str, task: int) -> None:
        self._tasks.pop((connector, task), None)

    def tasks(self) -> list[TaskMetrics]:
        return list(self._tasks.values())

    def count_restart(self, connector: str, task: int | None) -> None:
        """An automatic restart (``genesis.restart.enabled``) of ``connector`` (``task`` None) or of a task."""
        key = (connector, "" if task is None else str(task), "connector" if task is None else "task")
        self._restarts[key] = self._restarts.get(key, 0) + 1

    # --- Prometheus ------------------------------------------------------------------------------

    def app_info(self) -> dict[str, str]:
        """``kafka.connect:type=app-info`` attributes."""
        from genesis_worker import __version__

        return {"version": __version__, "commit-id": "unknown", "start-time-ms": str(self.started_ms)}

    def collect(self) -> Iterator[Metric]:
        yield from collect_connect(self)
        tasks = self.tasks()
        for attr, sink_name, source_name, help_ in _COUNTERS:
            families: dict[str, CounterMetricFamily] = {}
            for t in tasks:
                name = sink_name if t.kind == "sink" else source_name
                fam = families.get(name)
                if fam is None:
                    fam = families[name] = CounterMetricFamily(name, help_, labels=["connector", "task"])
                fam.add_metric([t.connector, str(t.task)], float(getattr(t, attr)))
            yield from families.values()
        lag = GaugeMetricFamily(
            "genesis_sink_consumer_lag",
            "Records behind the end of each partition, per sink connector (high watermark minus the task's position).",
            labels=["connector", "task", "topic", "partition"],
        )
        extra = GaugeMetricFamily(
            "genesis_task_gauge", "Connector-specific task gauges.", labels=["connector", "task", "name"]
        )
        for t in tasks:
            for (topic, partition), n in t.lag().items():
                lag.add_metric([t.connector, str(t.task), topic, str(partition)], float(n))
            for name, v in t.extras().items():
                extra.add_metric([t.connector, str(t.task), name], float(v))
        yield lag
        yield extra
        restarts = CounterMetricFamily(
            "genesis_restarts",
            "Automatic restarts of FAILED connectors and tasks (genesis.restart.enabled).",
            labels=["connector", "task", "kind"],
        )
        for labels, n in self._restarts.items():
            restarts.add_metric(list(labels), float(n))
        yield restarts
        rates = self.rates()
        rate = GaugeMetricFamily(
            "genesis_connector_throughput",
            "Records per second over the last window.",
            labels=["connector", "direction"],
        )
        for conn, r in rates.items():
            rate.add_metric([conn, "read"], r.read)
            rate.add_metric([conn, "written"], r.written)
        yield rate

    def exposition(self) -> bytes:
        """The Prometheus text format of everything (``GET /metrics``)."""
        return generate_latest(self.registry)

    # --- rates -----------------------------------------------------------------------------------

    def _counters(self) -> dict[RateKey, float]:
        snap: dict[RateKey, float] = {}
        for t in self.tasks():
            snap[("task", t.connector, t.task, "read")] = t.records_read
            snap[("task", t.connector, t.task, "written")] = t.records_written
            snap[("task", t.connector, t.task, "commits")] = t.offset_commits
        client = self.group_client
        if client is not None:
            requests, responses = sum(client.requests.values()), sum(client.responses.values())
            snap[("client", "request")] = requests
            snap[("client", "response")] = responses
            snap[("client", "network-io")] = requests + responses
            for api, attr in (
                ("HeartbeatRequest", "heartbeat"),
                ("JoinGroupRequest", "join"),
                ("SyncGroupRequest", "sync"),
            ):
                snap[("client", attr)] = client.responses.get(api, 0)
        return snap

    def sample(self, now: float | None = None) -> None:
        """Take a counter sample. Nothing samples on a timer: :meth:`rates` calls this when its newest sample
        is over a second old, so reads (scrapes, console polls) drive the sampling."""
        now = self.clock() if now is None else now
        self._samples.append((now, self._counters()))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self.window:
            self._samples.popleft()

    def _window(self) -> tuple[float, dict[RateKey, float], dict[RateKey, float]] | None:
        if not self._samples or self.clock() - self._samples[-1][0] >= 1.0:
            self.sample()
        if len(self._samples) < 2:
            return None
        (t0, old), (t1, new) = self._samples[0], self._samples[-1]
        return max(t1 - t0, 1e-9), old, new

    def rate(self, key: RateKey) -> float:
        """Per-second increase of one counter between the oldest and newest sample (0 before two samples)."""
        w = self._window()
        if w is None:
            return 0.0
        elapsed, old, new = w
        return max(new.get(key, 0.0) - old.get(key, 0.0), 0.0) / elapsed

    def rates(self) -> dict[str, Rate]:
        """Per-connector read/written records per second between the oldest and newest sample. Reading takes
        a sample when the last one is over a second old, so scrapes and console polls drive the sampling."""
        w = self._window()
        if w is None:
            return {}
        elapsed, old, new = w
        out: dict[str, Rate] = {}
        for key, v1 in new.items():
            if key[0] != "task" or key[3] == "commits":
                continue
            rate = out.setdefault(key[1], Rate())
            delta = max(v1 - old.get(key, 0.0), 0.0) / elapsed
            if key[3] == "read":
                rate.read += delta
            else:
                rate.written += delta
        return out

    def summary(self, connectors: Iterable[str] | None = None) -> dict[str, Any]:
        """JSON for ``GET /genesis/metrics``: per-connector totals, rates and lag, and the worker total."""
        rates = self.rates()
        per: dict[str, dict[str, Any]] = {}
        for t in self.tasks():
            c = per.setdefault(
                t.connector,
                {
                    "type": t.kind,
                    "records_read": 0,
                    "records_written": 0,
                    "records_skipped": 0,
                    "record_errors": 0,
                    "records_dlq": 0,
                    "lag": 0,
                    "tasks": 0,
                },
            )
            c["records_read"] += t.records_read
            c["records_written"] += t.records_written
            c["records_skipped"] += t.records_skipped
            c["record_errors"] += t.record_errors
            c["records_dlq"] += t.records_dlq
            c["lag"] += sum(t.lag().values())
            c["tasks"] += 1
        for name in connectors or ():
            per.setdefault(
                name,
                {
                    "type": None,
                    "records_read": 0,
                    "records_written": 0,
                    "records_skipped": 0,
                    "record_errors": 0,
                    "records_dlq": 0,
                    "lag": 0,
                    "tasks": 0,
                },
            )
        for name, c in per.items():
            r = rates.get(name, Rate())
            c["read_per_sec"] = round(r.read, 3)
            c["written_per_sec"] = round(r.written, 3)
        total = Rate(sum(r.read for r in rates.values()), sum(r.written for r in rates.values()))
        return {
            "worker_id": self.worker_id,
            "window_seconds": self.window,
            "connectors": dict(sorted(per.items())),
            "worker": {
                "read_per_sec": round(total.read, 3),
                "written_per_sec": round(total.written, 3),
                "lag": sum(c["lag"] for c in per.values()),
            },
        }
