"""Change-stream documents -> SourceRecords with the Java connector's topics, keys, values and offsets."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bson import encode

from genesis_connectors.mongodb.bson_json import RELAXED, to_json
from genesis_connectors.mongodb.source import keys as k
from genesis_connectors.mongodb.source.config import MongoSourceConfig
from genesis_connectors.mongodb.source.schema import SchemaValueConverter, avro_to_connect
from genesis_worker.api import DataException, Schema, SourceRecord

log = logging.getLogger(__name__)

ID_FIELD = "_id"
COPY_KEY = "copy"
HEARTBEAT_KEY = "HEARTBEAT"
NS_KEY = "ns"

Producer = Callable[[dict[str, Any] | None], tuple[Schema | None, Any]]


def token_json(token: Any) -> str:
    """A resume token as the source offset stores it: ``BsonDocument.toJson()`` (relaxed mode)."""
    return to_json(token, RELAXED)


class TopicMapper:
    """``DefaultTopicMapper``: ``[prefix.]<db>.<coll>[.suffix]`` with ``topic.namespace.map`` lookups."""

    def __init__(self, config: MongoSourceConfig) -> None:
        self.sep = str(config.get(k.TOPIC_SEPARATOR_CONFIG))
        self.prefix = str(config.get(k.TOPIC_PREFIX_CONFIG))
        self.suffix = str(config.get(k.TOPIC_SUFFIX_CONFIG))
        self.map = {ns: t for ns, t in config.namespace_map.items() if t}
        self._cache: dict[str, str] = {}

    def topic(self, event: dict[str, Any]) -> str:
        ns = event.get("ns")
        db = ns.get("db") if isinstance(ns, dict) else None
        if not isinstance(db, str) or not db:
            return ""
        coll = ns.get("coll") if isinstance(ns, dict) else None
        coll = coll if isinstance(coll, str) else ""
        namespace = f"{db}.{coll}" if coll else db
        cached = self._cache.get(namespace)
        if cached is None:
            name = self._from_map(namespace, db, coll)
            cached = self._cache[namespace] = self.sep.join(p for p in (self.prefix, name, self.suffix) if p)
        return cached

    def _from_map(self, namespace: str, db: str, coll: str) -> str:
        if coll and namespace in self.map:
            return self.map[namespace]
        if db in self.map:
            return f"{self.map[db]}{self.sep}{coll}" if coll else self.map[db]
        if "*" in self.map:
            return self.map["*"]
        return f"{db}{self.sep}{coll}" if coll else db


def make_producer(fmt: str, config: MongoSourceConfig, schema_key: str) -> Producer:
    """``SchemaAndValueProducers``: json -> STRING, bson -> BYTES, schema -> Struct of the Avro schema."""
    mode = config.json_mode
    if fmt == "json":
        return lambda doc: (Schema.STRING_SCHEMA, None if doc is None else to_json(doc, mode))
    if fmt == "bson":
        return lambda doc: (Schema.BYTES_SCHEMA, None if doc is None else encode(doc))
    schema = avro_to_connect(str(config.get(schema_key)))
    converter = SchemaValueConverter(mode)
    return lambda doc: (schema, None if doc is None else converter.struct(schema, doc))


class RecordFactory:
    """Builds the SourceRecords of change events (and copy-existing events) for one task."""

    def __init__(self, config: MongoSourceConfig, partition: dict[str, Any]) -> None:
        self.config = config
        self.partition = partition
        self.topics = TopicMapper(config)
        self.key = make_producer(config.key_format, config, k.OUTPUT_SCHEMA_KEY_CONFIG)
        self.value = make_producer(config.value_format, config, k.OUTPUT_SCHEMA_VALUE_CONFIG)

    def record(self, event: dict[str, Any], copying: bool) -> SourceRecord | None:
        offset = {ID_FIELD: token_json(event[ID_FIELD])}
        if copying:
            offset[COPY_KEY] = "true"
        topic = self.topics.topic(event)
        if not topic:
            log.warning("No topic set. Could not publish the message: %s", to_json(event, RELAXED))
            return None
        cfg = self.config
        value_doc: dict[str, Any] | None
        tombstone = cfg.tombstone_on_delete and "fullDocument" not in event
        if cfg.publish_full_document_only:
            full = event.get("fullDocument")
            value_doc = full if isinstance(full, dict) else None
            if value_doc is None and not tombstone:
                return None
        else:
            value_doc = event
        key_doc = event if cfg.key_format == "schema" else {ID_FIELD: event[ID_FIELD]}
        try:
            key_schema, key = self.key(key_doc)
            value_schema, value = (None, None) if tombstone else self.value(value_doc)
        except Exception as e:
            return self._failed(offset, key_doc, value_doc, e)
        return SourceRecord(self.partition, offset, topic, None, key_schema, key, value_schema, value)

    def heartbeat(self, token: Any) -> SourceRecord:
        text = token_json(token)
        offset = {ID_FIELD: text, HEARTBEAT_KEY: "true"}
        return SourceRecord(
            self.partition,
            offset,
            self.config.heartbeat_topic,
            None,
            Schema.STRING_SCHEMA,
            text,
            Schema.STRING_SCHEMA,
            text,
        )

    def _failed(
        self, offset: dict[str, str], key_doc: dict[str, Any] | None, value_doc: dict[str, Any] | None, e: Exception
    ) -> SourceRecord | None:
        key_json = "" if key_doc is None else to_json(key_doc, RELAXED)
        value_json = "" if value_doc is None else to_json(value_doc, RELAXED)
        message = f"{e} : Exception creating Source record for: Key={key_json} Value={value_json}"
        if self.config.log_errors:
            log.error(message, exc_info=e)
        if not self.config.tolerate_errors:
            raise DataException(message) from e
        if not self.config.dlq_topic:
            return None
        return SourceRecord(
            self.partition,
            offset,
            self.config.dlq_topic,
            None,
            Schema.STRING_SCHEMA,
            key_json,
            Schema.STRING_SCHEMA,
            value_json,
        )
