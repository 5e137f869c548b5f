"""docker/'s monitoring files: the Prometheus config and alert rules pass ``promtool check``, the rules'
unit tests pass ``promtool test rules``, and every query of our dashboards and rules (and of Confluent's
Kafka Connect dashboard, except the series listed as not served) names only metrics a worker serves."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from genesis_worker.genesis import pipeline_metrics
from genesis_worker.genesis.lag.monitor import LagMonitor
from genesis_worker.genesis.lag.sampler import GroupOffsets
from genesis_worker.genesis.lag.state import SinkLag
from tests.fixtures.prometheus import promtool
from tests.unit.metrics.test_connect_metrics import scrape, worker_metrics

REPO = Path(__file__).resolve().parents[3]
DOCKER = REPO / "docker"
CONFLUENT_QUERIES = REPO / "tests" / "fixtures" / "confluent" / "kafka-connect-cluster.queries.json"
# series Prometheus makes itself for every target
PROMETHEUS_SERIES = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}
# Confluent's dashboard: the JVM panels (a Python worker has no JVM) and the group client's byte, IO and
# authentication figures (aiokafka does not count them) are not served
NOT_SERVED = {
    "jvm_memory_bytes_max",
    "jvm_memory_used_bytes",
    "jvm_gc_collection_seconds_sum",
    "kafka_connect_connect_metrics_failed_authentication",
    "kafka_connect_connect_metrics_incoming_byte_rate",
    "kafka_connect_connect_metrics_outgoing_byte_rate",
    "kafka_connect_connect_metrics_io_ratio",
    "kafka_connect_connect_metrics_successful_authentication_rate",
}
_KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan"}


def served_names() -> set[str]:
    wm, _, _ = worker_metrics()
    wm.rates()  # a second sample: the rate families have series
    names = set(PROMETHEUS_SERIES)
    lag = LagMonitor()  # the genesis_lag_* series of the worker that evaluates lag, for one sink
    lag.sinks["s"] = SinkLag("connect-s", 2)
    lag.sinks["s"].observe(GroupOffsets({("t", 0): 1}, frozenset()), {("t", 0): 2}, 0)
    for fam in text_string_to_metric_families(scrape(wm) + pipeline_metrics.exposition(wm, lag).decode()):
        names.add(fam.name)
        names.update(s.name for s in fam.samples)
    return names


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    e = re.sub(r"\{[^}]*\}", " ", e)
    e = re.sub(r"\[[^\]]*\]", " ", e)
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    e = re.sub(r"\blabel_values\((.*),\s*\w+\)", r"(\1)", e)
    names = set()
    for m in re.finditer(r"(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()", e):
        if m.group(1).lower() not in _KEYWORDS:
            names.add(m.group(1))
    return names


def dashboard_queries(path: Path) -> list[str]:
    out: list[str] = []

    def walk(o: object) -> None:
        if isinstance(o, dict):
            for k, v in o.items():
                if k in ("expr", "definition") and isinstance(v, str):
                    out.append(v)
                elif k == "query" and isinstance(v, str) and "label_values" in v:
                    out.append(v)
                else:
                    walk(v)
        elif isinstance(o, list):
            for x in o:
                walk(x)

    walk(json.loads(path.read_text()))
    return out


def rule_exprs(path: Path) -> list[str]:
    return [r["expr"] for g in yaml.safe_load(path.read_text())["groups"] for r in g["rules"]]


def test_metric_names_of_promql() -> None:
    assert metric_names('sum by (connector) (rate(a_total{x="y", z=~"$v"}[5m])) > 0') == {"a_total"}
    assert metric_names('count(up{job="j"} == 0) or vector(0)') == {"up"}
    assert metric_names('x * on(connector) group_left(owner) y{owner=~"a"}') == {"x", "y"}
    assert metric_names('label_values(genesis_pipeline_info{job="$job"}, owner)') == {"genesis_pipeline_info"}


def test_promtool_checks_config_and_rules() -> None:
    for args in (
        ("check", "config", DOCKER / "prometheus" / "prometheus.yml"),
        ("check", "rules", DOCKER / "prometheus" / "alerts.yml"),
        ("test", "rules", DOCKER / "prometheus" / "alerts.test.yml"),
    ):
        done = promtool(*args)
        assert done.returncode == 0, f"promtool {' '.join(map(str, args))}:\n{done.stdout}\n{done.stderr}"


def test_every_alert_is_unit_tested() -> None:
    alerts = {
        r["alert"]
        for g in yaml.safe_load((DOCKER / "prometheus" / "alerts.yml").read_text())["groups"]
        for r in g["rules"]
    }
    tests = yaml.safe_load((DOCKER / "prometheus" / "alerts.test.yml").read_text())["tests"]
    tested = {t["alertname"] for case in tests for t in case["alert_rule_test"] if t["exp_alerts"]}
    assert alerts == tested


@pytest.mark.parametrize("path", sorted((DOCKER / "grafana" / "dashboards").glob("*.json")), ids=lambda p: p.name)
def test_dashboard_queries_name_only_served_metrics(path: Path) -> None:
    served = served_names()
    queries = dashboard_queries(path)
    assert queries
    unknown = {q: metric_names(q) - served for q in queries if metric_names(q) - served}
    assert not unknown, unknown


def test_alert_rules_name_only_served_metrics() -> None:
    served = served_names()
    unknown = {
        e: metric_names(e) - served
        for e in rule_exprs(DOCKER / "prometheus" / "alerts.yml")
        if metric_names(e) - served
    }
    assert not unknown, unknown


def test_confluents_connect_dashboard_and_alert_name_served_metrics() -> None:
    served = served_names()
    spec = json.loads(CONFLUENT_QUERIES.read_text())
    named = set().union(*(metric_names(q) for q in spec["exprs"] + spec["templating"]))
    named |= set().union(*(metric_names(e) for e in rule_exprs(CONFLUENT_QUERIES.with_name("connector-alerts.yml"))))
    assert named - served == NOT_SERVED
