"""The Prometheus names and labels of Connect's metric groups are the interface: dashboards and alert rules
written for Java Connect under the JMX exporter query them. :data:`INTERFACE` lists every one the worker
serves; the rules test derives the same names from Confluent's exporter rules applied to Connect's MBeans."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from prometheus_client.parser import text_string_to_metric_families

from genesis_worker.genesis import pipeline_metrics
from genesis_worker.metrics.connect_metrics import exporter_names
from genesis_worker.metrics.registry import WorkerMetrics
from genesis_worker.metrics.task_metrics import ErrorCounts, TaskMetrics, Window
from genesis_worker.model.states import State

RULES = Path(__file__).resolve().parents[2] / "fixtures" / "confluent" / "kafka_connect.yml"

CT = ("connector", "task")
# JMX exporter 1.x name -> labels; a name the 1.x exporter shortened is also served with its 0.x suffix
INTERFACE: dict[str, tuple[str, ...]] = {
    # connect-worker-metrics (connector="aggregate" for the worker-wide ones, as the rules label them)
    **{
        f"kafka_connect_connect_worker_metrics_{m}": ("connector",)
        for m in (
            "connector_count",
            "task_count",
            "connector_startup_attempts",
            "connector_startup_success",
            "connector_startup_failure",
            "connector_startup_success_percentage",
            "connector_startup_failure_percentage",
            "task_startup_attempts",
            "task_startup_success",
            "task_startup_failure",
            "task_startup_success_percentage",
            "task_startup_failure_percentage",
            "connector_total_task_count",
            "connector_running_task_count",
            "connector_paused_task_count",
            "connector_failed_task_count",
            "connector_unassigned_task_count",
            "connector_destroyed_task_count",
            "connector_restarting_task_count",
        )
    },
    # connect-worker-rebalance-metrics
    **{
        f"kafka_connect_connect_worker_rebalance_metrics_{m}": ()
        for m in (
            "epoch",
            "completed_rebalances",
            "rebalancing",
            "rebalance_max_time_ms",
            "rebalance_avg_time_ms",
            "time_since_last_rebalance_ms",
        )
    },
    # connect-metrics / connect-coordinator-metrics (the group membership client)
    **{
        f"kafka_connect_connect_metrics_{m}": ("client_id",)
        for m in (
            "connection_count",
            "request",
            "request_rate",
            "response",
            "response_rate",
            "network_io",
            "network_io_rate",
        )
    },
    **{
        f"kafka_connect_connect_coordinator_metrics_{m}": ("client_id",)
        for m in (
            "assigned_connectors",
            "assigned_tasks",
            "heartbeat",
            "heartbeat_rate",
            "join",
            "join_rate",
            "sync",
            "sync_rate",
        )
    },
    # app-info and connector-metrics: one series per string attribute, its value as a label
    "kafka_connect_app": ("client_id", "version|commit_id|start_time_ms"),
    "kafka_connect_connector_metrics": ("connector", "connector_class|connector_type|connector_version|status"),
    # connector-task-metrics
    **{
        f"kafka_connect_connector_task_metrics_{m}": CT
        for m in (
            "running_ratio",
            "pause_ratio",
            "offset_commit_max_time_ms",
            "offset_commit_avg_time_ms",
            "offset_commit_success_percentage",
            "offset_commit_failure_percentage",
            "batch_size_max",
            "batch_size_avg",
        )
    },
    # sink-task-metrics
    **{
        f"kafka_connect_sink_task_metrics_{m}": CT
        for m in (
            "sink_record_read_rate",
            "sink_record_read",
            "sink_record_send_rate",
            "sink_record_send",
            "sink_record_active_count",
            "sink_record_active_count_max",
            "sink_record_active_count_avg",
            "sink_record_lag_max",
            "partition_count",
            "offset_commit_seq_no",
            "offset_commit_completion_rate",
            "offset_commit_completion",
            "offset_commit_skip_rate",
            "offset_commit_skip",
            "put_batch_max_time_ms",
            "put_batch_avg_time_ms",
        )
    },
    # source-task-metrics
    **{
        f"kafka_connect_source_task_metrics_{m}": CT
        for m in (
            "source_record_poll_rate",
            "source_record_poll",
            "source_record_write_rate",
            "source_record_write",
            "source_record_active_count",
            "source_record_active_count_max",
            "source_record_active_count_avg",
            "poll_batch_max_time_ms",
            "poll_batch_avg_time_ms",
        )
    },
    # task-error-metrics
    **{
        f"kafka_connect_task_error_metrics_{m}": CT
        for m in (
            "total_record_failures",
            "total_record_errors",
            "total_records_skipped",
            "total_retries",
            "total_errors_logged",
            "deadletterqueue_produce_requests",
            "deadletterqueue_produce_failures",
            "last_error_timestamp",
        )
    },
}
# the JMX exporter 0.x spellings, served beside the 1.x names above
LEGACY_SUFFIXED = {
    name: name + suffix
    for name, suffix in (
        *(
            (f"kafka_connect_connect_worker_metrics_{k}_startup_{o}", "_total")
            for k in ("connector", "task")
            for o in ("attempts", "success", "failure")
        ),
        ("kafka_connect_connect_worker_rebalance_metrics_completed_rebalances", "_total"),
        *((f"kafka_connect_connect_metrics_{m}", "_total") for m in ("request", "response", "network_io")),
        *((f"kafka_connect_connect_coordinator_metrics_{m}", "_total") for m in ("heartbeat", "join", "sync")),
        ("kafka_connect_app", "_info"),
        ("kafka_connect_sink_task_metrics_sink_record_read", "_total"),
        ("kafka_connect_sink_task_metrics_sink_record_send", "_total"),
        ("kafka_connect_sink_task_metrics_offset_commit_completion", "_total"),
        ("kafka_connect_sink_task_metrics_offset_commit_skip", "_total"),
        ("kafka_connect_source_task_metrics_source_record_poll", "_total"),
        ("kafka_connect_source_task_metrics_source_record_write", "_total"),
    )
}


@dataclass
class FakeConnector:
    name: str
    props: dict[str, str]
    state: State
    is_sink: bool
    connector: Any = None

    def __post_init__(self) -> None:
        class C:
            def version(self) -> str:
                return "1.2.3"

        self.connector = C()


@dataclass
class FakeGroupClient:
    requests: Counter[str] = field(default_factory=Counter)
    responses: Counter[str] = field(default_factory=Counter)

    def connection_count(self) -> int:
        return 1


def worker_metrics() -> tuple[WorkerMetrics, TaskMetrics, TaskMetrics]:
    connectors = {
        "orders-sink": FakeConnector(
            "orders-sink", {"connector.class": "FileStreamSink", "genesis.owner": "team-a"}, State.RUNNING, True
        ),
        "clicks-src": FakeConnector("clicks-src", {"connector.class": "FileStreamSource"}, State.PAUSED, False),
    }
    wm = WorkerMetrics("127.0.0.1:8083", connectors=connectors)  # type: ignore[arg-type]
    sink = wm.register(TaskMetrics("orders-sink", 0, "sink", partition_reader=lambda: 3, active_reader=lambda: 7))
    src = wm.register(TaskMetrics("clicks-src", 1, "source", active_reader=lambda: 2))
    sink.lag_reader = lambda: {("orders", 0): 5, ("orders", 1): 9}
    sink.error_reader = lambda: ErrorCounts(
        errors=2, retries=3, skipped=2, logged=2, dlq_requests=2, dlq_sent=1, dlq_failures=1
    )
    sink.record_state("running")
    src.record_state("paused")
    sink.records_read, sink.records_written = 10, 9
    sink.record_batch(9, 0.004)
    sink.record_commit(0.010, True)
    sink.record_commit(0.030, False)
    src.record_batch(5, 0.002)
    wm.startups.connector(True)
    wm.startups.task(True)
    wm.startups.task(False)
    wm.rebalance.started()
    wm.rebalance.completed_one(7, 120.0)
    client = FakeGroupClient()
    client.requests.update({"JoinGroupRequest": 1, "HeartbeatRequest": 4})
    client.responses.update({"JoinGroupRequest": 1, "HeartbeatRequest": 4})
    wm.group_client = client
    return wm, sink, src


def scrape(wm: WorkerMetrics) -> str:
    """What ``GET /metrics`` answers: the worker's metrics, then the Genesis series."""
    return (wm.exposition() + pipeline_metrics.exposition(wm)).decode()


def served() -> dict[str, list[tuple[dict[str, str], float]]]:
    wm, _, _ = worker_metrics()
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for fam in text_string_to_metric_families(scrape(wm)):
        for s in fam.samples:
            out.setdefault(s.name, []).append((s.labels, s.value))
    return out


def test_every_interface_metric_is_served_with_its_labels() -> None:
    got = served()
    for name, labels in INTERFACE.items():
        assert name in got, name
        for sample_labels, _ in got[name]:
            # each label of the interface (or one of its alternatives) and nothing else
            assert len(sample_labels) == len(labels), (name, sample_labels)
            assert all(any(k in alt.split("|") for k in sample_labels) for alt in labels), (name, sample_labels)
    for name, legacy in LEGACY_SUFFIXED.items():
        assert got[legacy] == got[name], legacy
    connect = {
        n for n in got if n.startswith("kafka_connect_") and ("_metrics" in n or n.startswith("kafka_connect_app"))
    }
    assert connect == set(INTERFACE) | set(LEGACY_SUFFIXED.values())


def test_values_follow_connects_definitions() -> None:
    got = served()

    def one(name: str, **labels: str) -> float:
        hits = [v for ls, v in got[name] if all(ls.get(k) == v2 for k, v2 in labels.items())]
        assert len(hits) == 1, (name, labels, got.get(name))
        return hits[0]

    sink = {"connector": "orders-sink", "task": "0"}
    assert one("kafka_connect_sink_task_metrics_sink_record_read", **sink) == 10
    assert one("kafka_connect_sink_task_metrics_partition_count", **sink) == 3
    assert one("kafka_connect_sink_task_metrics_sink_record_active_count", **sink) == 7
    assert one("kafka_connect_sink_task_metrics_sink_record_active_count_max", **sink) == 7
    assert one("kafka_connect_sink_task_metrics_sink_record_lag_max", **sink) == 9
    assert one("kafka_connect_sink_task_metrics_put_batch_avg_time_ms", **sink) == 4.0
    assert one("kafka_connect_connector_task_metrics_batch_size_max", **sink) == 9
    assert one("kafka_connect_connector_task_metrics_offset_commit_avg_time_ms", **sink) == 10.0
    assert one("kafka_connect_connector_task_metrics_offset_commit_success_percentage", **sink) == 0.5
    assert one("kafka_connect_sink_task_metrics_offset_commit_seq_no", **sink) == 2
    assert one("kafka_connect_task_error_metrics_total_record_failures", **sink) == 5
    assert one("kafka_connect_task_error_metrics_deadletterqueue_produce_failures", **sink) == 1
    src = {"connector": "clicks-src", "task": "1"}
    assert one("kafka_connect_connector_task_metrics_pause_ratio", **src) > 0.0
    assert one("kafka_connect_connector_task_metrics_running_ratio", **src) == 0.0
    assert math.isnan(one("kafka_connect_connector_task_metrics_offset_commit_avg_time_ms", **src))
    assert one("kafka_connect_connect_worker_metrics_connector_running_task_count", connector="orders-sink") == 1
    assert one("kafka_connect_connect_worker_metrics_connector_paused_task_count", connector="clicks-src") == 1
    assert one("kafka_connect_connect_worker_metrics_task_count", connector="aggregate") == 2
    assert one("kafka_connect_connect_worker_metrics_task_startup_failure_total", connector="aggregate") == 1
    assert one("kafka_connect_connect_worker_metrics_task_startup_success_percentage", connector="aggregate") == 0.5
    assert one("kafka_connect_connect_worker_rebalance_metrics_epoch") == 7
    assert one("kafka_connect_connect_worker_rebalance_metrics_rebalance_max_time_ms") == 120.0
    assert one("kafka_connect_connect_worker_rebalance_metrics_rebalancing") == 0
    assert one("kafka_connect_connector_metrics", connector="clicks-src", status="paused") == 1
    assert one("kafka_connect_connector_metrics", connector="orders-sink", connector_type="sink") == 1
    assert one("kafka_connect_connector_metrics", connector="orders-sink", connector_version="1.2.3") == 1
    assert one("kafka_connect_connect_coordinator_metrics_heartbeat", client_id="connect-127.0.0.1:8083") == 4
    assert one("genesis_pipeline_info", connector="orders-sink", owner="team-a", ticket="", type="sink") == 1
    assert one("kafka_connect_app", client_id="127.0.0.1:8083", version=got["kafka_connect_app"][0][0]["version"]) == 1


# --- the names derived from Confluent's rules, as the JMX exporter applies them ---------------------------

# Connect's MBeans (ConnectMetricsRegistry): type, tags, attributes (numeric unless listed in STRINGS)
MBEANS: list[tuple[str, dict[str, str], tuple[str, ...]]] = [
    (
        "connect-worker-metrics",
        {},
        (
            "connector-count",
            "task-count",
            *(
                f"{k}-startup-{o}"
                for k in ("connector", "task")
                for o in (
                    "attempts-total",
                    "success-total",
                    "failure-total",
                    "success-percentage",
                    "failure-percentage",
                )
            ),
        ),
    ),
    (
        "connect-worker-metrics",
        {"connector": "orders-sink"},
        tuple(
            f"connector-{s}-task-count"
            for s in ("total", "running", "paused", "failed", "unassigned", "destroyed", "restarting")
        ),
    ),
    (
        "connect-worker-rebalance-metrics",
        {},
        (
            "epoch",
            "completed-rebalances-total",
            "rebalancing",
            "rebalance-max-time-ms",
            "rebalance-avg-time-ms",
            "time-since-last-rebalance-ms",
        ),
    ),
    (
        "connect-metrics",
        {"client-id": "connect-127.0.0.1:8083"},
        (
            "connection-count",
            "request-total",
            "request-rate",
            "response-total",
            "response-rate",
            "network-io-total",
            "network-io-rate",
        ),
    ),
    (
        "connect-coordinator-metrics",
        {"client-id": "connect-127.0.0.1:8083"},
        (
            "assigned-connectors",
            "assigned-tasks",
            "heartbeat-total",
            "heartbeat-rate",
            "join-total",
            "join-rate",
            "sync-total",
            "sync-rate",
        ),
    ),
    ("app-info", {"client-id": "127.0.0.1:8083"}, ("version", "commit-id", "start-time-ms")),
    (
        "connector-metrics",
        {"connector": "orders-sink"},
        ("connector-class", "connector-type", "connector-version", "status"),
    ),
    (
        "connector-task-metrics",
        {"connector": "orders-sink", "task": "0"},
        (
            "running-ratio",
            "pause-ratio",
            "offset-commit-max-time-ms",
            "offset-commit-avg-time-ms",
            "offset-commit-success-percentage",
            "offset-commit-failure-percentage",
            "batch-size-max",
            "batch-size-avg",
        ),
    ),
    (
        "sink-task-metrics",
        {"connector": "orders-sink", "task": "0"},
        (
            "sink-record-read-rate",
            "sink-record-read-total",
            "sink-record-send-rate",
            "sink-record-send-total",
            "sink-record-active-count",
            "sink-record-active-count-max",
            "sink-record-active-count-avg",
            "sink-record-lag-max",
            "partition-count",
            "offset-commit-seq-no",
            "offset-commit-completion-rate",
            "offset-commit-completion-total",
            "offset-commit-skip-rate",
            "offset-commit-skip-total",
            "put-batch-max-time-ms",
            "put-batch-avg-time-ms",
        ),
    ),
    (
        "source-task-metrics",
        {"connector": "clicks-src", "task": "1"},
        (
            "source-record-poll-rate",
            "source-record-poll-total",
            "source-record-write-rate",
            "source-record-write-total",
            "source-record-active-count",
            "source-record-active-count-max",
            "source-record-active-count-avg",
            "poll-batch-max-time-ms",
            "poll-batch-avg-time-ms",
        ),
    ),
    (
        "task-error-metrics",
        {"connector": "orders-sink", "task": "0"},
        (
            "total-record-failures",
            "total-record-errors",
            "total-records-skipped",
            "total-retries",
            "total-errors-logged",
            "deadletterqueue-produce-requests",
            "deadletterqueue-produce-failures",
            "last-error-timestamp",
        ),
    ),
]
STRINGS = {"version", "commit-id", "start-time-ms", "connector-class", "connector-type", "connector-version", "status"}


def _safe(name: str) -> str:
    """The exporter's name sanitising: illegal characters to ``_``, runs of ``_`` collapsed."""
    return re.sub(r"_+", "_", re.sub(r"[^a-zA-Z0-9:_]", "_", name))


def _java_group(m: re.Match[str], template: str) -> str:
    return re.sub(r"\$(\d+)", lambda g: m.group(int(g.group(1))), template)


def apply_rules(
    domain: str, mbean_type: str, tags: dict[str, str], attribute: str, value: str
) -> tuple[str, dict[str, str]] | None:
    """The JMX exporter's rule matching: ``domain<type=T, k=v><>attribute: value``, the first rule whose
    pattern (compiled as ``^.*(?:pattern).*$``) matches names the sample (None: the exporter drops it)."""
    props = ", ".join([f"type={mbean_type}", *(f"{k}={v}" for k, v in tags.items())])
    bean = f"{domain}<{props}><>{attribute}: {value}"
    for rule in yaml.safe_load(RULES.read_text())["rules"]:
        m = re.fullmatch(f"^.*(?:{rule['pattern']}).*$", bean)
        if m is None:
            continue
        if "value" not in rule and attribute in STRINGS:
            return None  # a string attribute without a value: the exporter skips it
        labels = {
            _safe(_java_group(m, k)).lower(): _java_group(m, str(v)) for k, v in (rule.get("labels") or {}).items()
        }
        return _safe(_java_group(m, rule["name"])), labels
    return None


def test_names_are_what_confluents_rules_make_of_connects_mbeans() -> None:
    got = served()
    for mbean_type, tags, attributes in MBEANS:
        for attr in attributes:
            value = "x" if attr in STRINGS else "1.0"
            named = apply_rules("kafka.connect", mbean_type, tags, attr, value)
            assert named is not None, (mbean_type, attr)
            name, labels = named
            # JMX exporter 1.x strips a reserved suffix (_total, _info); 0.x keeps it: both are served
            assert exporter_names(mbean_type, attr)[-1] == name, (mbean_type, attr)
            for served_name in exporter_names(mbean_type, attr):
                assert served_name in got, served_name
                label_keys = [set(ls) for ls, _ in got[served_name]]
                assert set(labels) in label_keys, (served_name, labels, label_keys)


def test_exporter_names_shorten_reserved_suffixes_like_exporter_1x() -> None:
    assert exporter_names("sink-task-metrics", "sink-record-read-rate") == (
        "kafka_connect_sink_task_metrics_sink_record_read_rate",
    )
    assert exporter_names("connect-worker-rebalance-metrics", "completed-rebalances-total") == (
        "kafka_connect_connect_worker_rebalance_metrics_completed_rebalances",
        "kafka_connect_connect_worker_rebalance_metrics_completed_rebalances_total",
    )
    assert exporter_names("app-info", "version") == ("kafka_connect_app", "kafka_connect_app_info")
    # a "total" that is not a suffix stays
    assert exporter_names("task-error-metrics", "total-record-errors") == (
        "kafka_connect_task_error_metrics_total_record_errors",
    )


def test_window_measures_the_last_two_30s_samples_as_javas_sampled_stats() -> None:
    now = [0.0]
    w = Window(clock=lambda: now[0])
    assert math.isnan(w.avg()) and math.isnan(w.max())
    w.record(1)
    w.record(3)
    assert (w.avg(), w.max()) == (2.0, 3.0)
    now[0] = 31.0
    w.record(5)  # a second sample
    assert (w.avg(), w.max()) == (3.0, 5.0)
    now[0] = 61.0  # the first sample (started at 0) left the 60 s window
    assert (w.avg(), w.max()) == (5.0, 5.0)
    now[0] = 92.0
    assert math.isnan(w.avg())
