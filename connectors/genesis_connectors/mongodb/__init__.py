"""MongoDB sink and source connectors, config-compatible with the official Java connector
(``com.mongodb.kafka.connect.MongoSinkConnector`` / ``MongoSourceConnector``). See README.md."""

from genesis_connectors.mongodb.sink.connector import MongoSinkConnector
from genesis_connectors.mongodb.source.connector import MongoSourceConnector

__all__ = ["MongoSinkConnector", "MongoSourceConnector"]
