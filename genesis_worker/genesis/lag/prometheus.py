"""The lag evaluation as Prometheus series (``GET /metrics`` of the worker that evaluates it, the leader):

* ``genesis_lag_status{connector}``: a sink's status as Burrow's code: 0 NOTFOUND, 1 OK, 2 WARN, 3 ERR
* ``genesis_lag_total_records{connector}``: records behind over all its partitions
* ``genesis_lag_records{connector,topic,partition}``: records behind (log-end offset minus committed offset)
* ``genesis_lag_partition_status{connector,topic,partition}``: 1 OK, 2 WARN, 4 STOP, 5 STALL, 6 REWIND
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from genesis_worker.genesis.lag.monitor import LagMonitor


class LagCollector(Collector):
    def __init__(self, monitor: LagMonitor) -> None:
        self.monitor = monitor

    def collect(self) -> Iterator[Metric]:
        status = GaugeMetricFamily(
            "genesis_lag_status",
            "Sink lag status by Burrow's rules: 0 NOTFOUND, 1 OK, 2 WARN, 3 ERR (evaluated by the leader).",
            labels=["connector"],
        )
        total = GaugeMetricFamily(
            "genesis_lag_total_records",
            "Records the sink's consumer group is behind, all partitions.",
            labels=["connector"],
        )
        records = GaugeMetricFamily(
            "genesis_lag_records",
            "Records the sink's consumer group is behind on the partition (log-end minus committed offset).",
            labels=["connector", "topic", "partition"],
        )
        part = GaugeMetricFamily(
            "genesis_lag_partition_status",
            "Partition lag status by Burrow's rules: 1 OK, 2 WARN, 4 STOP, 5 STALL, 6 REWIND.",
            labels=["connector", "topic", "partition"],
        )
        for name, sink in sorted(self.monitor.sinks.items()):
            status.add_metric([name], float(sink.status))
            total.add_metric([name], float(sink.total_lag))
            for (topic, p), window in sorted(sink.windows.items()):
                records.add_metric([name, topic, str(p)], float(window.current_lag))
                part.add_metric([name, topic, str(p)], float(sink.statuses.get((topic, p), 1)))
        yield from (status, total, records, part)
