"""Ad-log pipeline connectors: Kafka-to-Kafka sinks with filter / injection / sampling
(:class:`KafkaSinkConnector`), Redis feature join (:class:`ExtFeatureJoinKafkaSinkConnector`) and
compacted-topic ad metadata join (:class:`AdLogJoinKafkaSinkConnector`).

Java-style class names live under ``com.genesis.connect.kafka`` (e.g.
``connector.class=com.genesis.connect.kafka.KafkaSinkConnector``); the Python dotted paths
(``genesis_connectors.kafka.KafkaSinkConnector``) and the short aliases (``KafkaSink``) work as well.
"""

from genesis_connectors.kafka.adlog_join import AdLogJoinKafkaSinkConnector, AdLogJoinKafkaSinkTask
from genesis_connectors.kafka.feature_join import ExtFeatureJoinKafkaSinkConnector, ExtFeatureJoinKafkaSinkTask
from genesis_connectors.kafka.sink import KafkaSinkConnector, KafkaSinkTask

__all__ = [
    "AdLogJoinKafkaSinkConnector",
    "AdLogJoinKafkaSinkTask",
    "ExtFeatureJoinKafkaSinkConnector",
    "ExtFeatureJoinKafkaSinkTask",
    "KafkaSinkConnector",
    "KafkaSinkTask",
]
