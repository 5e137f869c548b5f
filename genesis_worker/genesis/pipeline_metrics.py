"""Genesis series served beside Connect's metrics on ``GET /metrics``: ``genesis_pipeline_info``, one series
per connector the worker runs, labelled with its owner and ticket, so dashboards can filter and join Connect's
per-connector metrics by owner (``... * on(connector) group_left(owner) genesis_pipeline_info``); and, on the
worker that evaluates lag (the leader), the ``genesis_lag_*`` series (:mod:`~genesis_worker.genesis.lag.prometheus`)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from genesis_worker.genesis.lag.monitor import LagMonitor
from genesis_worker.genesis.lag.prometheus import LagCollector
from genesis_worker.genesis.ownership import Ownership
from genesis_worker.metrics.registry import WorkerMetrics


class PipelineInfo(Collector):
    def __init__(self, metrics: WorkerMetrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        info = GaugeMetricFamily(
            "genesis_pipeline_info",
            "1 per connector this worker runs, labelled with its owner and ticket (genesis.owner, genesis.ticket).",
            labels=["connector", "type", "owner", "ticket"],
        )
        for name, wc in sorted(self.metrics.connectors.items()):
            own = Ownership.of(wc.props)
            info.add_metric([name, "sink" if wc.is_sink else "source", own.owner or "", own.ticket or ""], 1.0)
        yield info


def exposition(metrics: WorkerMetrics, lag: LagMonitor | None = None) -> bytes:
    """The Prometheus text of the Genesis series, to follow :meth:`WorkerMetrics.exposition`."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(PipelineInfo(metrics))
    if lag is not None:
        registry.register(LagCollector(lag))
    return generate_latest(registry)
