"""Connect's JMX metric groups as the Prometheus JMX exporter renders them with Confluent's rules for Kafka
Connect (``confluentinc/jmx-monitoring-stacks``, ``shared-assets/jmx-exporter/kafka_connect.yml``), so the
dashboards and alert rules users run against Java Connect work unchanged.

The exporter turns the MBean ``kafka.connect:type=sink-task-metrics,connector=X,task=0`` attribute
``sink-record-read-rate`` into ``kafka_connect_sink_task_metrics_sink_record_read_rate{connector="X",task="0"}``
(:func:`exporter_names` applies those rules). JMX exporter 1.x also drops a ``_total``/``_info`` suffix
(``completed-rebalances-total`` -> ``..._completed_rebalances``) while 0.x kept it, and dashboards query
both spellings (Confluent's ``kafka-connect-cluster`` does), so a name the 1.x exporter shortens is served
under both. String attributes are dropped by the exporter unless a rule sets ``value: 1`` (``app-info``
and ``connector-metrics`` do: one series per attribute, its value as a label).

Java definitions (``ConnectMetricsRegistry``): ``*-rate`` is per second over the window, ``*-avg``/``*-max``
over the window (NaN when it holds nothing), ``*-total`` cumulative.
"""

from __future__ import annotations

import functools
import math
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from prometheus_client.core import Metric, UnknownMetricFamily
from prometheus_client.samples import Sample

from genesis_worker.metrics.task_metrics import TaskMetrics, Window

_SUFFIXES = ("_total", "_created", "_bucket", "_info")
# Java's per-connector task-count metrics of connect-worker-metrics, by task state
TASK_STATES = ("running", "paused", "failed", "unassigned", "destroyed", "restarting")


class ConnectorView(Protocol):
    """What the worker knows of one connector it runs (``runtime.worker.WorkerConnector``)."""

    name: str
    props: dict[str, str]
    state: Any  # State enum: .value is Connect's upper-case name

    @property
    def is_sink(self) -> bool: ...

    @property
    def connector(self) -> Any: ...


@dataclass
class Startups:
    """Connector and task start outcomes on this worker (``connect-worker-metrics``)."""

    connector_success: int = 0
    connector_failure: int = 0
    task_success: int = 0
    task_failure: int = 0

    def connector(self, ok: bool) -> None:
        if ok:
            self.connector_success += 1
        else:
            self.connector_failure += 1

    def task(self, ok: bool) -> None:
        if ok:
            self.task_success += 1
        else:
            self.task_failure += 1


@dataclass
class RebalanceMetrics:
    """``connect-worker-rebalance-metrics``, fed by the distributed herder (standalone leaves it disabled)."""

    enabled: bool = False
    rebalancing: bool = False
    completed: int = 0
    generation: int = -1
    last_completed: float | None = None
    times_ms: Window = field(default_factory=Window)

    def started(self) -> None:
        self.enabled = self.rebalancing = True

    def completed_one(self, generation: int, took_ms: float | None) -> None:
        self.enabled, self.rebalancing = True, False
        self.completed += 1
        self.generation = generation
        self.last_completed = time.monotonic()
        if took_ms is not None:
            self.times_ms.record(took_ms)


class GroupClientView(Protocol):
    """The worker's group membership client (``group.membership.WorkerGroupMember``)."""

    @property
    def requests(self) -> Mapping[str, int]: ...

    @property
    def responses(self) -> Mapping[str, int]: ...

    def connection_count(self) -> int: ...


class WorkerView(Protocol):
    """What the Connect metric groups read from the worker's metrics (``registry.WorkerMetrics``)."""

    worker_id: str
    client_id: str
    connectors: Mapping[str, ConnectorView]
    group_client: GroupClientView | None
    rebalance: RebalanceMetrics
    startups: Startups

    def tasks(self) -> list[TaskMetrics]: ...

    def rate(self, key: tuple[Any, ...]) -> float: ...

    def app_info(self) -> dict[str, str]: ...


@functools.cache
def exporter_names(mbean_type: str, attribute: str) -> tuple[str, ...]:
    """Prometheus names of a ``kafka.connect`` MBean attribute under Confluent's rules: the JMX exporter 1.x
    name first, then the 0.x one when the 1.x exporter strips a reserved suffix."""
    if mbean_type == "connector-metrics" or mbean_type == "app-info":
        raw = "kafka_connect_connector_metrics" if mbean_type == "connector-metrics" else "kafka_connect_app_info"
    elif mbean_type.endswith("-task-metrics"):
        raw = f"kafka_connect_{mbean_type.removesuffix('-task-metrics')}_task_metrics_{attribute}"
    elif mbean_type == "task-error-metrics":
        raw = f"kafka_connect_task_error_metrics_{attribute}"
    else:  # connect-worker-metrics, connect-worker-rebalance-metrics, the client-id groups
        raw = f"kafka_connect_{mbean_type}_{attribute}"
    legacy = re.sub(r"[^a-zA-Z0-9_:]", "_", raw)
    name = legacy
    while name.endswith(_SUFFIXES):
        name = name[: name.rindex("_")]
    return (name,) if name == legacy else (name, legacy)


class _Families:
    """Untyped families (the exporter's default type) keyed by name, filled sample by sample."""

    def __init__(self) -> None:
        self._by_name: dict[str, UnknownMetricFamily] = {}

    def add(self, mbean_type: str, attribute: str, labels: Mapping[str, str], value: float, help_: str) -> None:
        for name in exporter_names(mbean_type, attribute):
            fam = self._by_name.get(name)
            if fam is None:
                fam = self._by_name[name] = UnknownMetricFamily(name, help_)
            # label sets differ within a family (connector-metrics: one label per attribute)
            fam.samples.append(Sample(name, dict(labels), float(value)))

    def families(self) -> Iterable[Metric]:
        return self._by_name.values()


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _task_labels(t: TaskMetrics) -> dict[str, str]:
    return {"connector": t.connector, "task": str(t.task)}


def collect_connect(wm: WorkerView) -> Iterator[Metric]:
    """Every Connect metric group of this worker, under the JMX exporter's names."""
    f = _Families()
    tasks = wm.tasks()
    _worker(f, wm, tasks)
    _rebalance(f, wm)
    _clients(f, wm)
    _connectors(f, wm)
    for t in tasks:
        _task(f, wm, t)
    yield from f.families()


def _worker(f: _Families, wm: WorkerView, tasks: list[TaskMetrics]) -> None:
    t = "connect-worker-metrics"
    agg = {"connector": "aggregate"}
    s = wm.startups
    f.add(t, "connector-count", agg, len(wm.connectors), "The number of connectors run in this worker.")
    f.add(t, "task-count", agg, len(tasks), "The number of tasks run in this worker.")
    for kind, ok, failed in (
        ("connector", s.connector_success, s.connector_failure),
        ("task", s.task_success, s.task_failure),
    ):
        attempts = ok + failed
        f.add(t, f"{kind}-startup-attempts-total", agg, attempts, f"The total number of {kind} startups attempted.")
        f.add(t, f"{kind}-startup-success-total", agg, ok, f"The total number of {kind} starts that succeeded.")
        f.add(t, f"{kind}-startup-failure-total", agg, failed, f"The total number of {kind} starts that failed.")
        f.add(
            t,
            f"{kind}-startup-success-percentage",
            agg,
            _ratio(ok, attempts),
            f"The fraction of {kind} starts that succeeded.",
        )
        f.add(
            t,
            f"{kind}-startup-failure-percentage",
            agg,
            _ratio(failed, attempts),
            f"The fraction of {kind} starts that failed.",
        )
    by_connector: dict[str, list[TaskMetrics]] = {}
    for task in tasks:
        by_connector.setdefault(task.connector, []).append(task)
    for name, ts in sorted(by_connector.items()):
        labels = {"connector": name}
        f.add(t, "connector-total-task-count", labels, len(ts), "The number of tasks of the connector on the worker.")
        for state in TASK_STATES:
            n = sum(1 for task in ts if task.state == state)
            f.add(
                t,
                f"connector-{state}-task-count",
                labels,
                n,
                f"The number of {state} tasks of the connector on the worker.",
            )


def _rebalance(f: _Families, wm: WorkerView) -> None:
    r = wm.rebalance
    if not r.enabled:
        return  # standalone: Java has no rebalance group either
    t = "connect-worker-rebalance-metrics"
    f.add(t, "epoch", {}, r.generation, "The epoch or generation number of this worker.")
    f.add(t, "completed-rebalances-total", {}, r.completed, "The total number of rebalances completed by this worker.")
    f.add(t, "rebalancing", {}, 1.0 if r.rebalancing else 0.0, "Whether this worker is currently rebalancing.")
    f.add(t, "rebalance-max-time-ms", {}, r.times_ms.max(), "The maximum time in milliseconds spent rebalancing.")
    f.add(t, "rebalance-avg-time-ms", {}, r.times_ms.avg(), "The average time in milliseconds spent rebalancing.")
    since = (time.monotonic() - r.last_completed) * 1000 if r.last_completed is not None else math.inf
    f.add(
        t,
        "time-since-last-rebalance-ms",
        {},
        since,
        "The time in milliseconds since this worker completed the most recent rebalance.",
    )


def _clients(f: _Families, wm: WorkerView) -> None:
    client = wm.group_client
    labels = {"client_id": wm.client_id}
    if client is None:
        return
    requests, responses = sum(client.requests.values()), sum(client.responses.values())
    t = "connect-metrics"
    f.add(t, "connection-count", labels, client.connection_count(), "The current number of active connections.")
    for attr, total, help_ in (
        ("request", requests, "requests sent"),
        ("response", responses, "responses received"),
        ("network-io", requests + responses, "network operations (requests sent and responses received)"),
    ):
        f.add(t, f"{attr}-total", labels, total, f"The total number of {help_}.")
        f.add(t, f"{attr}-rate", labels, wm.rate(("client", attr)), f"The number of {help_} per second.")
    t = "connect-coordinator-metrics"
    f.add(
        t,
        "assigned-connectors",
        labels,
        len(wm.connectors),
        "The number of connector instances currently assigned to this consumer.",
    )
    f.add(t, "assigned-tasks", labels, len(wm.tasks()), "The number of tasks currently assigned to this consumer.")
    for api, attr in (("HeartbeatRequest", "heartbeat"), ("JoinGroupRequest", "join"), ("SyncGroupRequest", "sync")):
        f.add(t, f"{attr}-total", labels, client.responses.get(api, 0), f"The total number of {attr} responses.")
        f.add(t, f"{attr}-rate", labels, wm.rate(("client", attr)), f"The number of {attr} responses per second.")


def _connectors(f: _Families, wm: WorkerView) -> None:
    t = "connector-metrics"
    for name, wc in sorted(wm.connectors.items()):
        try:
            version = str(wc.connector.version())
        except Exception:
            version = "unknown"
        info = {
            "connector-class": str(wc.props.get("connector.class", "")),
            "connector-type": "sink" if wc.is_sink else "source",
            "connector-version": version,
            "status": str(wc.state.value).lower(),
        }
        for attr, value in info.items():
            f.add(t, attr, {"connector": name, attr.replace("-", "_"): value}, 1.0, "Connector metadata and status.")
    info_t = "app-info"
    for attr, value in wm.app_info().items():
        f.add(
            info_t,
            attr,
            {"client_id": wm.worker_id, attr.replace("-", "_"): value},
            1.0,
            "Worker version and start time.",
        )


def _task(f: _Families, wm: WorkerView, t: TaskMetrics) -> None:
    labels = _task_labels(t)
    ct = "connector-task-metrics"
    ok, failed = t.commit_success_ratio()
    f.add(
        ct,
        "running-ratio",
        labels,
        t.state_ratio("running"),
        "The fraction of time this task has spent in the running state.",
    )
    f.add(
        ct,
        "pause-ratio",
        labels,
        t.state_ratio("paused"),
        "The fraction of time this task has spent in the pause state.",
    )
    f.add(
        ct,
        "offset-commit-max-time-ms",
        labels,
        t.commit_times_ms.max(),
        "The maximum time in milliseconds taken by this task to commit offsets.",
    )
    f.add(
        ct,
        "offset-commit-avg-time-ms",
        labels,
        t.commit_times_ms.avg(),
        "The average time in milliseconds taken by this task to commit offsets.",
    )
    f.add(
        ct,
        "offset-commit-success-percentage",
        labels,
        ok,
        "The average percentage of this task's offset commit attempts that succeeded.",
    )
    f.add(
        ct,
        "offset-commit-failure-percentage",
        labels,
        failed,
        "The average percentage of this task's offset commit attempts that failed.",
    )
    f.add(
        ct,
        "batch-size-max",
        labels,
        t.batch_sizes.max(),
        "The number of records in the largest batch the task has processed so far.",
    )
    f.add(
        ct,
        "batch-size-avg",
        labels,
        t.batch_sizes.avg(),
        "The average number of records in the batches the task has processed so far.",
    )
    key = ("task", t.connector, t.task)
    active = t.read(t.active_reader)
    if t.kind == "sink":
        st = "sink-task-metrics"
        f.add(
            st,
            "sink-record-read-rate",
            labels,
            wm.rate((*key, "read")),
            "The average per-second number of records read from Kafka for this task.",
        )
        f.add(
            st,
            "sink-record-read-total",
            labels,
            t.records_read,
            "The total number of records read from Kafka by this task.",
        )
        f.add(
            st,
            "sink-record-send-rate",
            labels,
            wm.rate((*key, "written")),
            "The average per-second number of records output from the transformations and sent/put to this task.",
        )
        f.add(
            st,
            "sink-record-send-total",
            labels,
            t.records_written,
            "The total number of records output from the transformations and sent/put to this task.",
        )
        f.add(
            st,
            "sink-record-active-count",
            labels,
            active,
            "The number of records that have been read from Kafka but not yet completely committed/flushed/acknowledged by the sink task.",
        )
        f.add(
            st,
            "sink-record-active-count-max",
            labels,
            t.active_counts.max(),
            "The maximum number of records that have been read from Kafka but not yet completely committed/flushed/acknowledged by the sink task.",
        )
        f.add(
            st,
            "sink-record-active-count-avg",
            labels,
            t.active_counts.avg(),
            "The average number of records that have been read from Kafka but not yet completely committed/flushed/acknowledged by the sink task.",
        )
        lag = t.lag()
        f.add(
            st,
            "sink-record-lag-max",
            labels,
            max(lag.values()) if lag else math.nan,
            "The maximum lag in terms of number of records that the sink task is behind the consumer's position "
            "for any topic partitions.",
        )
        f.add(
            st,
            "partition-count",
            labels,
            t.read(t.partition_reader),
            "The number of topic partitions assigned to this task.",
        )
        f.add(
            st,
            "offset-commit-seq-no",
            labels,
            t.offset_commits + t.offset_commit_failures,
            "The current sequence number for offset commits.",
        )
        f.add(
            st,
            "offset-commit-completion-rate",
            labels,
            wm.rate((*key, "commits")),
            "The average per-second number of offset commit completions that were completed successfully.",
        )
        f.add(
            st,
            "offset-commit-completion-total",
            labels,
            t.offset_commits,
            "The total number of offset commit completions that were completed successfully.",
        )
        f.add(
            st,
            "offset-commit-skip-rate",
            labels,
            0.0,
            "The average per-second number of offset commit completions that were received too late and skipped/ignored.",
        )
        f.add(
            st,
            "offset-commit-skip-total",
            labels,
            0,
            "The total number of offset commit completions that were received too late and skipped/ignored.",
        )
        f.add(
            st,
            "put-batch-max-time-ms",
            labels,
            t.batch_times_ms.max(),
            "The maximum time taken by this task to put a batch of sinks records.",
        )
        f.add(
            st,
            "put-batch-avg-time-ms",
            labels,
            t.batch_times_ms.avg(),
            "The average time taken by this task to put a batch of sinks records.",
        )
    else:
        st = "source-task-metrics"
        f.add(
            st,
            "source-record-poll-rate",
            labels,
            wm.rate((*key, "read")),
            "The average per-second number of records produced/polled (before transformation) by this task.",
        )
        f.add(
            st,
            "source-record-poll-total",
            labels,
            t.records_read,
            "The total number of records produced/polled (before transformation) by this task.",
        )
        f.add(
            st,
            "source-record-write-rate",
            labels,
            wm.rate((*key, "written")),
            "The average per-second number of records written to Kafka for this task.",
        )
        f.add(
            st,
            "source-record-write-total",
            labels,
            t.records_written,
            "The number of records output written to Kafka for this task.",
        )
        f.add(
            st,
            "source-record-active-count",
            labels,
            active,
            "The number of records that have been produced by this task but not yet completely written to Kafka.",
        )
        f.add(
            st,
            "source-record-active-count-max",
            labels,
            t.active_counts.max(),
            "The maximum number of records that have been produced by this task but not yet completely written to Kafka.",
        )
        f.add(
            st,
            "source-record-active-count-avg",
            labels,
            t.active_counts.avg(),
            "The average number of records that have been produced by this task but not yet completely written to Kafka.",
        )
        f.add(
            st,
            "poll-batch-max-time-ms",
            labels,
            t.batch_times_ms.max(),
            "The maximum time in milliseconds taken by this task to poll for a batch of source records.",
        )
        f.add(
            st,
            "poll-batch-avg-time-ms",
            labels,
            t.batch_times_ms.avg(),
            "The average time in milliseconds taken by this task to poll for a batch of source records.",
        )
    e = t.error_counts()
    et = "task-error-metrics"
    f.add(
        et,
        "total-record-failures",
        labels,
        e.errors + e.retries,
        "The number of record processing failures in this task.",
    )
    f.add(et, "total-record-errors", labels, e.errors, "The number of record processing errors in this task.")
    f.add(et, "total-records-skipped", labels, e.skipped, "The number of records skipped due to errors.")
    f.add(et, "total-retries", labels, e.retries, "The number of operations retried.")
    f.add(et, "total-errors-logged", labels, e.logged, "The number of errors that were logged.")
    f.add(
        et,
        "deadletterqueue-produce-requests",
        labels,
        e.dlq_requests,
        "The number of attempted writes to the dead letter queue.",
    )
    f.add(
        et,
        "deadletterqueue-produce-failures",
        labels,
        e.dlq_failures,
        "The number of failed writes to the dead letter queue.",
    )
    f.add(
        et,
        "last-error-timestamp",
        labels,
        e.last_error_ms,
        "The epoch timestamp when this task last encountered an error.",
    )
