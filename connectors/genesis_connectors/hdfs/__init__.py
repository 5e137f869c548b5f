"""HDFS sink: Kafka topics to files in HDFS (over WebHDFS), configured like Confluent's
``io.confluent.connect.hdfs.HdfsSinkConnector`` (``hdfs.url``, ``topics.dir``, ``flush.size``,
``rotate.interval.ms``, JSON/Avro formats, default/field/time-based partitioners)."""

from typing import Any

from genesis_connectors.hdfs.connector import HdfsSinkConnector

__all__ = ["HdfsSinkConnector", "HdfsSinkTask"]


def __getattr__(name: str) -> Any:
    """The task class, imported (with the client library) only when asked for."""
    if name == "HdfsSinkTask":
        from genesis_connectors.hdfs.task import HdfsSinkTask

        return HdfsSinkTask
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
