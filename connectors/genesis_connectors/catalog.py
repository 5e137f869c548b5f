"""The built-in connectors, described without importing them (see :mod:`genesis_worker.api.catalog`).

A connector module and its client library are imported only when a connector of that class is created,
validated or asked for its config; ``tests/unit/runtime/test_plugin_catalog.py`` checks that this list
matches the classes."""

from genesis_worker.api.catalog import PluginEntry

PLUGINS: tuple[PluginEntry, ...] = (
    PluginEntry(
        "genesis_connectors.couchbase.connector",
        "CouchbaseSinkConnector",
        "sink",
        ("com.couchbase.connect.kafka.CouchbaseSinkConnector",),
        version="4.2.0",
        requires=("couchbase",),
        extra="genesis-worker[couchbase]",
    ),
    PluginEntry(
        "genesis_connectors.cassandra.connector",
        "CassandraSinkConnector",
        "sink",
        ("com.datastax.oss.kafka.sink.CassandraSinkConnector", "com.datastax.kafkaconnector.DseSinkConnector"),
        version="1.4.0",
        requires=("cassandra",),
        extra="genesis-worker[cassandra]",
    ),
    PluginEntry(
        "genesis_connectors.kafka.adlog_join",
        "AdLogJoinKafkaSinkConnector",
        "sink",
        ("com.genesis.connect.kafka.AdLogJoinKafkaSinkConnector",),
    ),
    PluginEntry(
        "genesis_connectors.kafka.feature_join",
        "ExtFeatureJoinKafkaSinkConnector",
        "sink",
        ("com.genesis.connect.kafka.ExtFeatureJoinKafkaSinkConnector",),
        requires=("redis",),
        extra="genesis-worker[redis]",
    ),
    PluginEntry(
        "genesis_connectors.kafka.sink", "KafkaSinkConnector", "sink", ("com.genesis.connect.kafka.KafkaSinkConnector",)
    ),
    PluginEntry(
        "genesis_connectors.mongodb.sink.connector",
        "MongoSinkConnector",
        "sink",
        ("com.mongodb.kafka.connect.MongoSinkConnector",),
        requires=("pymongo",),
        extra="genesis-worker[mongodb]",
    ),
    PluginEntry(
        "genesis_connectors.hdfs.connector",
        "HdfsSinkConnector",
        "sink",
        ("io.confluent.connect.hdfs.HdfsSinkConnector", "io.confluent.connect.hdfs3.Hdfs3SinkConnector"),
        version="10.2.0",
        requires=("hdfs", "fastavro"),
        extra="genesis-worker[hdfs]",
    ),
    PluginEntry(
        "genesis_connectors.file.sink",
        "FileStreamSinkConnector",
        "sink",
        ("org.apache.kafka.connect.file.FileStreamSinkConnector",),
    ),
    PluginEntry(
        "genesis_connectors.mongodb.source.connector",
        "MongoSourceConnector",
        "source",
        ("com.mongodb.kafka.connect.MongoSourceConnector",),
        requires=("pymongo",),
        extra="genesis-worker[mongodb]",
    ),
    PluginEntry(
        "genesis_connectors.demo.adlog",
        "AdLogDemoSourceConnector",
        "source",
        ("genesis.connectors.demo.AdLogDemoSourceConnector",),
    ),
    PluginEntry(
        "genesis_connectors.file.source",
        "FileStreamSourceConnector",
        "source",
        ("org.apache.kafka.connect.file.FileStreamSourceConnector",),
    ),
)
