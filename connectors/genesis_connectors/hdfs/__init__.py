"""HDFS sink: Kafka topics to files in HDFS (over WebHDFS), configured like Confluent's
``io.confluent.connect.hdfs.HdfsSinkConnector`` (``hdfs.url``, ``topics.dir``, ``flush.size``,
``rotate.interval.ms``, JSON/Avro formats, default/field/time-based partitioners)."""

from genesis_connectors.hdfs.connector import HdfsSinkConnector
from genesis_connectors.hdfs.task import HdfsSinkTask

__all__ = ["HdfsSinkConnector", "HdfsSinkTask"]
