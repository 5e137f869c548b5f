"""Records that flow through connectors and transforms: :class:`SinkRecord` and :class:`SourceRecord`.

Both are small ``__slots__`` classes; transforms make modified copies with :meth:`ConnectRecord.new_record`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, NamedTuple

from genesis_worker.api.data import Schema, SchemaAndValue


class TopicPartition(NamedTuple):
    """A Kafka topic and partition."""

    topic: str
    partition: int

    def __str__(self) -> str:
        return f"{self.topic}-{self.partition}"


class TimestampType(str, Enum):
    NO_TIMESTAMP_TYPE = "NoTimestampType"
    CREATE_TIME = "CreateTime"
    LOG_APPEND_TIME = "LogAppendTime"


@dataclass(slots=True)
class Header:
    """One record header: a key, a value and the value's schema (None when schemaless)."""

    key: str
    value: Any
    schema: Schema | None = None


# Converts raw header bytes of (topic, key, bytes) to a Header; used to decode lazily.
HeaderDecoder = Callable[[str, str, bytes | None], Header]


class Headers:
    """An ordered multi-map of headers, as Connect's ``Headers``.

    Raw Kafka headers are decoded with the header converter only when first read, so a pipeline that
    never looks at headers pays nothing for them.
    """

    __slots__ = ("_decoder", "_items", "_raw", "_topic")

    def __init__(self, items: Iterable[Header] | None = None) -> None:
        self._items: list[Header] | None = list(items) if items is not None else []
        self._raw: list[tuple[str, bytes | None]] | None = None
        self._decoder: HeaderDecoder | None = None
        self._topic = ""

    @classmethod
    def from_raw(cls, raw: list[tuple[str, bytes | None]], decoder: HeaderDecoder, topic: str) -> Headers:
        h = cls.__new__(cls)
        h._items, h._raw, h._decoder, h._topic = None, raw, decoder, topic
        return h

    @property
    def raw(self) -> list[tuple[str, bytes | None]] | None:
        """The undecoded Kafka headers if nothing has read or changed them yet."""
        return self._raw if self._items is None else None

    def _list(self) -> list[Header]:
        if self._items is None:
            assert self._raw is not None and self._decoder is not None
            dec, topic = self._decoder, self._topic
            self._items = [dec(topic, k, v) for k, v in self._raw]
            self._raw = None
        return self._items

    def add(self, key: str, value: Any, schema: Schema | None = None) -> Headers:
        self._list().append(Header(key, value, schema))
        return self

    def add_header(self, header: Header) -> Headers:
        self._list().append(header)
        return self

    def last_with_name(self, key: str) -> Header | None:
        for h in reversed(self._list()):
            if h.key == key:
                return h
        return None

    def all_with_name(self, key: str) -> list[Header]:
        return [h for h in self._list() if h.key == key]

    def remove(self, key: str) -> Headers:
        self._items = [h for h in self._list() if h.key != key]
        return self

    def clear(self) -> Headers:
        self._items, self._raw = [], None
        return self

    def duplicate(self) -> Headers:
        if self._items is None:
            assert self._raw is not None and self._decoder is not None
            return Headers.from_raw(list(self._raw), self._decoder, self._topic)
        return Headers(Header(h.key, h.value, h.schema) for h in self._items)

    def __iter__(self) -> Iterator[Header]:
        return iter(self._list())

    def __len__(self) -> int:
        return len(self._raw) if self._items is None and self._raw is not None else len(self._list())

    def __bool__(self) -> bool:
        return len(self) > 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Headers) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"Headers({list(self)!r})"


class ConnectRecord:
    """Fields shared by sink and source records."""

    __slots__ = ("headers", "kafka_partition", "key", "key_schema", "timestamp", "topic", "value", "value_schema")

    def __init__(
        self,
        topic: str,
        kafka_partition: int | None,
        key_schema: Schema | None,
        key: Any,
        value_schema: Schema | None,
        value: Any,
        timestamp: int | None = None,
        headers: Headers | Iterable[Header] | None = None,
    ) -> None:
        self.topic = topic
        self.kafka_partition = kafka_partition
        self.key_schema = key_schema
        self.key = key
        self.value_schema = value_schema
        self.value = value
        self.timestamp = timestamp
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)

    def new_record(
        self,
        topic: str,
        kafka_partition: int | None,
        key_schema: Schema | None,
        key: Any,
        value_schema: Schema | None,
        value: Any,
        timestamp: int | None,
        headers: Headers | None = None,
    ) -> ConnectRecord:
        """A copy with the given fields; the other fields (offsets, source partition) are kept."""
        raise NotImplementedError

    def with_(self, **changes: Any) -> ConnectRecord:
        """A copy with some of ``topic``, ``kafka_partition``, ``key_schema``, ``key``, ``value_schema``,
        ``value``, ``timestamp``, ``headers`` replaced."""
        return self.new_record(
            changes.get("topic", self.topic),
            changes.get("kafka_partition", self.kafka_partition),
            changes.get("key_schema", self.key_schema),
            changes.get("key", self.key),
            changes.get("value_schema", self.value_schema),
            changes.get("value", self.value),
            changes.get("timestamp", self.timestamp),
            changes.get("headers", self.headers),
        )

    @property
    def key_and_schema(self) -> SchemaAndValue:
        return SchemaAndValue(self.key_schema, self.key)

    @property
    def value_and_schema(self) -> SchemaAndValue:
        return SchemaAndValue(self.value_schema, self.value)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return False
        return all(getattr(self, s) == getattr(other, s) for s in _all_slots(type(self)))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{s}={getattr(self, s)!r}" for s in _all_slots(type(self)) if s != "headers")
        return f"{type(self).__name__}({fields})"


def _all_slots(cls: type) -> list[str]:
    out: list[str] = []
    for c in reversed(cls.__mro__):
        out.extend(getattr(c, "__slots__", ()))
    return out


_new = object.__new__


class SinkRecord(ConnectRecord):
    """A record read from Kafka and handed to :meth:`SinkTask.put`.

    ``kafka_offset`` is the record's offset; ``original_*`` keep where it was read from even after a
    transform changed ``topic`` or ``kafka_partition`` (KIP-793).
    """

    __slots__ = (
        "kafka_offset",
        "original_kafka_offset",
        "original_kafka_partition",
        "original_topic",
        "timestamp_type",
    )

    def __init__(
        self,
        topic: str,
        partition: int,
        key_schema: Schema | None,
        key: Any,
        value_schema: Schema | None,
        value: Any,
        kafka_offset: int,
        timestamp: int | None = None,
        timestamp_type: TimestampType = TimestampType.CREATE_TIME,
        headers: Headers | Iterable[Header] | None = None,
        original_topic: str | None = None,
        original_kafka_partition: int | None = None,
        original_kafka_offset: int | None = None,
    ) -> None:
        super().__init__(topic, partition, key_schema, key, value_schema, value, timestamp, headers)
        self.kafka_offset = kafka_offset
        self.timestamp_type = timestamp_type
        self.original_topic = topic if original_topic is None else original_topic
        self.original_kafka_partition = partition if original_kafka_partition is None else original_kafka_partition
        self.original_kafka_offset = kafka_offset if original_kafka_offset is None else original_kafka_offset

    def new_record(
        self,
        topic: str,
        kafka_partition: int | None,
        key_schema: Schema | None,
        key: Any,
        value_schema: Schema | None,
        value: Any,
        timestamp: int | None,
        headers: Headers | None = None,
    ) -> SinkRecord:
        # built slot by slot: every transform of a chain calls this once per record
        r = _new(SinkRecord)
        r.topic = topic
        r.kafka_partition = kafka_partition if kafka_partition is not None else -1
        r.key_schema = key_schema
        r.key = key
        r.value_schema = value_schema
        r.value = value
        r.timestamp = timestamp
        if headers is None:
            r.headers = self.headers.duplicate()
        else:
            r.headers = headers if isinstance(headers, Headers) else Headers(headers)
        r.kafka_offset = self.kafka_offset
        r.timestamp_type = self.timestamp_type
        r.original_topic = self.original_topic
        r.original_kafka_partition = self.original_kafka_partition
        r.original_kafka_offset = self.original_kafka_offset
        return r

    @property
    def original_topic_partition(self) -> TopicPartition:
        return TopicPartition(self.original_topic, self.original_kafka_partition)


class SourceRecord(ConnectRecord):
    """A record returned by :meth:`SourceTask.poll`.

    ``source_partition`` and ``source_offset`` are JSON-like maps (str keys; str/int/float/bool/None
    values) that say where in the external system the record came from; the framework stores the
    offset after Kafka acknowledged the record and gives it back through
    ``context.offset_storage_reader`` after a restart.
    """

    __slots__ = ("source_offset", "source_partition")

    def __init__(
        self,
        source_partition: Mapping[str, Any] | None,
        source_offset: Mapping[str, Any] | None,
        topic: str,
        kafka_partition: int | None = None,
        key_schema: Schema | None = None,
        key: Any = None,
        value_schema: Schema | None = None,
        value: Any = None,
        timestamp: int | None = None,
        headers: Headers | Iterable[Header] | None = None,
    ) -> None:
        super().__init__(topic, kafka_partition, key_schema, key, value_schema, value, timestamp, headers)
        self.source_partition = source_partition
        self.source_offset = source_offset

    def new_record(
        self,
        topic: str,
        kafka_partition: int | None,
        key_schema: Schema | None,
        key: Any,
        value_schema: Schema | None,
        value: Any,
        timestamp: int | None,
        headers: Headers | None = None,
    ) -> SourceRecord:
        return SourceRecord(
            self.source_partition,
            self.source_offset,
            topic,
            kafka_partition,
            key_schema,
            key,
            value_schema,
            value,
            timestamp,
            self.headers.duplicate() if headers is None else headers,
        )


@dataclass(slots=True, frozen=True)
class RecordMetadata:
    """What Kafka answered for a produced source record (given to :meth:`SourceTask.commit_record`)."""

    topic: str
    partition: int
    offset: int
    timestamp: int | None = None
