"""FileStreamSource / FileStreamSink, compatible with ``org.apache.kafka.connect.file.*``."""

from genesis_connectors.file.sink import FileStreamSinkConnector, FileStreamSinkTask
from genesis_connectors.file.source import FileStreamSourceConnector, FileStreamSourceTask

__all__ = ["FileStreamSinkConnector", "FileStreamSinkTask", "FileStreamSourceConnector", "FileStreamSourceTask"]
