"""A real Prometheus scrapes three genesis-worker processes as it would scrape Java Connect under the JMX
exporter (job ``kafka-connect``, labels ``env`` and ``kafka_connect_cluster_id`` as Confluent's stack sets
them). Every query of Confluent's ``kafka-connect-cluster`` dashboard returns at least one series with the
labels it filters on, except the JVM panels and the network figures of the group client listed in
:data:`NOT_SERVED`; every query of the docker/ dashboards returns data too."""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.proc import wait_until
from tests.fixtures.prometheus import PrometheusServer
from tests.integration.distributed.harness import cluster_props
from tests.integration.distributed.plugins import FileSinkConnector, SeqSourceConnector, class_path

from .workers import GenesisWorker

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

REPO = Path(__file__).resolve().parents[3]
CONFLUENT_QUERIES = REPO / "tests" / "fixtures" / "confluent" / "kafka-connect-cluster.queries.json"
DASHBOARDS = REPO / "docker" / "grafana" / "dashboards"
ALERTS = REPO / "docker" / "prometheus" / "alerts.yml"
VARIABLES = {"env": "dev", "kafka_connect_cluster_id": "cluster1", "instance": ".*", "connector": ".*"}
# JVM series (a Python worker has no JVM: its process_* series come from prometheus_client's process
# collector) and the group client's byte/IO/authentication figures (aiokafka does not count them)
NOT_SERVED = re.compile(
    r"^(jvm_|kafka_connect_connect_metrics_(failed_authentication|incoming_byte_rate|outgoing_byte_rate|io_ratio"
    r"|successful_authentication_rate)\b)"
)


def substitute(expr: str, variables: dict[str, str]) -> str:
    """Grafana's variable interpolation (``$name``, ``${name}``), ``$__rate_interval`` as 1m."""
    expr = expr.replace("$__rate_interval", "1m").replace("$__range", "5m")
    return re.sub(r"\$\{?(\w+)\}?", lambda m: variables.get(m.group(1), m.group(0)), expr)


def first_metric(expr: str) -> str:
    """The first metric a query selects (every query here selects with ``{...}``)."""
    m = re.search(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{", expr)
    return m.group(1) if m else ""


def grafana_queries(dashboard: dict[str, Any]) -> list[str]:
    out: list[str] = []

    def walk(o: Any) -> None:
        if isinstance(o, dict):
            for k, v in o.items():
                if k == "expr" and isinstance(v, str):
                    out.append(v)
                else:
                    walk(v)
        elif isinstance(o, list):
            for x in o:
                walk(x)

    walk(dashboard.get("panels", []))
    return out


def label_values_query(q: str) -> tuple[str, str] | None:
    """``label_values(selector, label)`` -> (selector, label)."""
    m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\)\s*", q)
    return (m.group(1), m.group(2)) if m else None


def wait(cond: Any, limit: float, what: str) -> None:
    wait_until(cond, limit, what, interval=0.5)


def test_prometheus_scraping_three_workers_serves_confluents_connect_dashboard(kafka: Any, tmp_path: Path) -> None:
    # the leader's lag samples (genesis_lag_* of the pipeline dashboard) every 2 s instead of 30
    props = cluster_props(kafka.bootstrap, **{"genesis.lag.sample.interval.ms": 2000})
    topic = kafka.create_topic(f"prom-{uuid.uuid4().hex[:8]}", partitions=3)
    workers = [GenesisWorker(props) for _ in range(3)]
    prom: PrometheusServer | None = None
    try:
        workers[0].start()  # creates the internal topics
        for w in workers[1:]:
            w.start()
        source = {
            "connector.class": class_path(SeqSourceConnector),
            "tasks.max": "2",
            "topic": topic,
            "batch.size": "10",
            "poll.interval.ms": "50",
        }
        sink = {
            "connector.class": class_path(FileSinkConnector),
            "tasks.max": "3",
            "topics": topic,
            "dir": str(tmp_path / "sink"),
            "consumer.override.auto.offset.reset": "earliest",
        }
        for name, config in (("src", source), ("sink", sink), ("paused-sink", sink), ("stopped-src", source)):
            st, body = workers[0].request("PUT", f"/connectors/{name}/config", config)
            assert st == 201, body

        def running(name: str, tasks: int) -> bool:
            st, body = workers[0].request("GET", f"/connectors/{name}/status")
            return (
                st == 200 and len(body.get("tasks", [])) == tasks and {t["state"] for t in body["tasks"]} == {"RUNNING"}
            )

        wait(lambda: all(running(n, k) for n, k in (("src", 2), ("sink", 3), ("paused-sink", 3))), 90, "RUNNING")
        assert workers[0].request("PUT", "/connectors/paused-sink/pause")[0] == 202
        assert workers[0].request("PUT", "/connectors/stopped-src/stop")[0] == 204

        prom = PrometheusServer(
            [w.worker_id for w in workers],
            labels={"env": "dev", "kafka_connect_cluster_id": "cluster1"},
            rule_files=[ALERTS, CONFLUENT_QUERIES.with_name("connector-alerts.yml")],
        )
        prom.start()
        wait(lambda: prom is not None and prom.targets_up() == 3, 60, "3 targets up")

        spec = json.loads(CONFLUENT_QUERIES.read_text())
        queries = [substitute(q, VARIABLES) for q in spec["exprs"]]
        templating = [label_values_query(substitute(q, VARIABLES)) for q in spec["templating"]]
        assert len(queries) > 60 and all(templating)

        def missing() -> list[str]:
            assert prom is not None
            out = [q for q in queries if not NOT_SERVED.match(first_metric(q)) and not prom.query(q)]
            for selector, label in (t for t in templating if t is not None):
                if not any(label in r["metric"] for r in prom.query(selector)):
                    out.append(f"label_values({selector}, {label})")
            return out

        # rates need two scrapes; paused/stopped statuses need the status to be reported
        deadline = time.monotonic() + 60
        gaps = missing()
        while gaps and time.monotonic() < deadline:
            time.sleep(1)
            gaps = missing()
        assert not gaps, "dashboard queries without series:\n" + "\n".join(gaps)

        # the series come from every worker, each labelled as the dashboard expects
        # (over the last 30 s: on a loaded machine one 1 s scrape can time out and leave a worker's series stale)
        def instances() -> set[str]:
            query = 'last_over_time(kafka_connect_app{job="kafka-connect",env="dev"}[30s])'
            return {r["metric"]["instance"] for r in prom.query(query)}

        wait(lambda: instances() == {w.worker_id for w in workers}, 30, "series from every worker")
        per_task = prom.query('kafka_connect_sink_task_metrics_sink_record_read_rate{connector="sink",task!=""}')
        assert {r["metric"]["task"] for r in per_task} == {"0", "1", "2"}
        statuses = {
            r["metric"]["connector"]: r["metric"]["status"]
            for r in prom.query('kafka_connect_connector_metrics{status!=""}')
        }
        assert statuses == {"src": "running", "sink": "running", "paused-sink": "paused", "stopped-src": "stopped"}
        wait(
            lambda: (
                prom is not None
                and float(
                    prom.query('sum(kafka_connect_sink_task_metrics_sink_record_read_rate{connector="sink"})')[0][
                        "value"
                    ][1]
                )
                > 0
            ),
            30,
            "records read by the sink",
        )
        rebalances = prom.query("kafka_connect_connect_worker_rebalance_metrics_completed_rebalances >= 1")
        assert len(rebalances) == 3

        def total(expr: str) -> float:
            assert prom is not None
            return float(prom.query(f"sum({expr})")[0]["value"][1])

        def settles(expr: str, expected: float) -> None:
            """A task that moved is counted by its old worker until that worker's next scrape: wait for it."""
            deadline = time.monotonic() + 30
            while (got := total(expr)) != expected and time.monotonic() < deadline:
                time.sleep(1)
            assert got == expected, (expr, got)

        # the worker and herder hooks: task states, start outcomes, the group client
        settles('kafka_connect_connect_worker_metrics_connector_running_task_count{connector="sink"}', 3)
        settles('kafka_connect_connect_worker_metrics_connector_paused_task_count{connector="paused-sink"}', 3)
        settles('kafka_connect_connect_worker_metrics_task_count{connector="aggregate"}', 8)
        assert total("kafka_connect_connect_worker_metrics_task_startup_success_total") >= 10
        assert total("kafka_connect_connect_worker_metrics_connector_startup_success_total") >= 4
        assert total("kafka_connect_connect_worker_metrics_connector_startup_failure_total") == 0
        assert total("kafka_connect_connect_coordinator_metrics_heartbeat_total") > 0
        assert total("kafka_connect_connect_metrics_connection_count") >= 3

        # the alert rules (ours and Confluent's) evaluate without errors and none fires on a healthy cluster
        def rules() -> list[dict[str, Any]]:
            assert prom is not None
            return [r for g in prom.api("rules")["groups"] for r in g["rules"]]

        wait(lambda: all(r.get("lastEvaluation", "").startswith("20") for r in rules()), 30, "rules evaluated")
        assert {r["name"] for r in rules()} >= {"ConnectWorkerDown", "ConnectTaskFailed", "Failed connector task"}
        assert all(r["health"] == "ok" for r in rules()), rules()
        assert not prom.query('ALERTS{alertstate="firing"}')
        not_served = [q for q in queries if NOT_SERVED.match(first_metric(q))]
        print(f"{len(queries) - len(not_served)} dashboard queries answered; not served: {not_served}")

        # our own dashboards (docker/grafana/dashboards) answer too
        for path in sorted(DASHBOARDS.glob("*.json")):
            dashboard = json.loads(path.read_text())
            variables = {"job": "kafka-connect", "instance": ".*", "connector": ".*", "owner": ".*"}
            for expr in grafana_queries(dashboard):
                q = substitute(expr, variables)
                wait(lambda q=q: prom is not None and bool(prom.query(q)), 30, f"{path.name}: {q}")
    finally:
        if prom is not None:
            prom.close()
        for w in workers:
            w.close()
