"""Record conversion of a sink task: Kafka messages -> SinkRecords (converters, then the transform chain).

The hot path converts a whole batch in one synchronous loop; a record that raises is re-run stage by
stage under the retry/tolerance operator (:meth:`SinkRecordConversion._convert_slow`). Mixed into
:class:`~genesis_worker.runtime.sink_task.WorkerSinkTask`, whose state it reads and updates.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import orjson
from confluent_kafka import KafkaError, KafkaException

from genesis_worker.api.data import Schema
from genesis_worker.api.records import Headers, SinkRecord, TimestampType, TopicPartition
from genesis_worker.api.transform import Converter, HeaderConverter
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.runtime.errors import SKIPPED, RawRecord, RetryWithToleranceOperator, Stage
from genesis_worker.runtime.task_base import TaskStatusListener
from genesis_worker.runtime.transformation_chain import TransformationChain

log = logging.getLogger(__name__)

_TS_TYPES = (TimestampType.NO_TIMESTAMP_TYPE, TimestampType.CREATE_TIME, TimestampType.LOG_APPEND_TIME)
_EOF = KafkaError._PARTITION_EOF
_JSON = "org.apache.kafka.connect.json.JsonConverter"
_STRING = "org.apache.kafka.connect.storage.StringConverter"
_BYTES_PASSTHROUGH = frozenset({"org.apache.kafka.connect.converters.ByteArrayConverter"})


def is_bytes_passthrough(converter: Any) -> bool:
    """ByteArrayConverter's ``to_connect_data`` is (OPTIONAL_BYTES, raw): the hot loop inlines it."""
    try:
        return type(converter).class_name() in _BYTES_PASSTHROUGH
    except Exception:
        return False


Decoder = tuple[Schema | None, Callable[[bytes | None], Any]]


def _json_value(raw: bytes | None, loads: Callable[[bytes], Any] = orjson.loads) -> Any:
    return loads(raw) if raw else None  # Jackson reads empty content as null


def _utf8_value(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8", "replace")


def inline_decoder(converter: Any) -> Decoder | None:
    """``(schema, decode)`` doing what ``converter.to_connect_data`` does, without a SchemaAndValue per
    record, for JsonConverter with ``schemas.enable=false`` (``orjson.loads``; null/empty -> None) and
    StringConverter reading UTF-8; None for any other converter. Bytes JSON cannot parse raise, and the
    record takes the slow path, where the converter itself raises its DataException."""
    try:
        name = type(converter).class_name()
        if name == _JSON and converter.schemas_enabled is False:
            return None, _json_value
        if name == _STRING and converter._dec == "utf-8":
            return Schema.OPTIONAL_STRING_SCHEMA, _utf8_value
    except Exception:
        pass
    return None


class SinkRecordConversion:
    """The conversion steps of :class:`~genesis_worker.runtime.sink_task.WorkerSinkTask`."""

    id: ConnectorTaskId
    listener: TaskStatusListener
    key_converter: Converter
    value_converter: Converter
    header_converter: HeaderConverter
    chain: TransformationChain
    operator: RetryWithToleranceOperator
    batch_offsets: dict[TopicPartition, int]
    active_topics: set[str]
    last_batch: list[Any]
    _key_bytes: bool
    _value_bytes: bool
    _key_decoder: Decoder | None = None
    _value_decoder: Decoder | None = None
    _raw_key_filter: Callable[[bytes | None], bool] | None
    _last_consumer_error: tuple[Any, str] | None

    async def _convert(self, msgs: list[Any]) -> list[SinkRecord]:
        self.last_batch = msgs
        out: list[SinkRecord] = []
        start = 0
        n = len(msgs)
        while start < n:
            failed_at = self._convert_fast(msgs, start, out)
            if failed_at < 0:
                break
            record = await self._convert_slow(msgs[failed_at])
            if record is not None:
                out.append(record)
            start = failed_at + 1
        return out

    def _convert_fast(self, msgs: list[Any], start: int, out: list[SinkRecord]) -> int:
        """Convert ``msgs[start:]`` into ``out``; return the index of a message that raised, or -1.

        The hot loop of the runtime: no coroutine calls, SinkRecords built field by field, converters
        that are pure pass-through (ByteArrayConverter) not called at all, headers decoded lazily."""
        kconv = None if self._key_bytes else self.key_converter.to_connect_data
        vconv = None if self._value_bytes else self.value_converter.to_connect_data
        kschema, kdec = self._key_decoder or (None, None)
        vschema, vdec = self._value_decoder or (None, None)
        bytes_schema: Schema | None = Schema.OPTIONAL_BYTES_SCHEMA
        hdec = self.header_converter.decode
        from_raw = Headers.from_raw
        chain = self.chain.apply if self.chain else None
        keep_key = self._raw_key_filter
        offsets = self.batch_offsets
        topics = self.active_topics
        append = out.append
        ts_types = _TS_TYPES
        new = object.__new__
        record_cls = SinkRecord
        i = start
        n = len(msgs)
        last_topic: str | None = None
        last_partition = -1
        tp_obj: TopicPartition | None = None
        next_offset = -1  # offsets[tp_obj] once this run of same-partition messages ends (one dict write per run)
        try:
            while i < n:
                m = msgs[i]
                if m.error() is not None:
                    err = m.error()
                    if err.code() != _EOF:
                        if err.fatal():
                            raise KafkaException(err)
                        self._consumer_error(err)  # transient (e.g. topic not created yet): keep polling
                    i += 1
                    continue
                topic = m.topic()
                partition = m.partition()
                offset = m.offset()
                if partition != last_partition or topic != last_topic:
                    if next_offset >= 0:
                        offsets[tp_obj] = next_offset  # type: ignore[index]
                        next_offset = -1
                    last_topic, last_partition = topic, partition
                    tp_obj = TopicPartition(topic, partition)
                    if topic not in topics:
                        self._topic_active(topic)
                if keep_key is not None and not keep_key(m.key()):
                    next_offset = offset + 1  # consumed: its offset commits like a delivered record's
                    i += 1
                    continue
                raw_headers = m.headers()
                headers = from_raw(raw_headers, hdec, topic) if raw_headers else Headers()
                if kconv is None:
                    key_schema, key = bytes_schema, m.key()
                elif kdec is not None:
                    key_schema, key = kschema, kdec(m.key())
                else:
                    sv = kconv(topic, m.key(), headers)
                    key_schema, key = sv.schema, sv.value
                if vconv is None:
                    value_schema, value = bytes_schema, m.value()
                elif vdec is not None:
                    value_schema, value = vschema, vdec(m.value())
                else:
                    sv = vconv(topic, m.value(), headers)
                    value_schema, value = sv.schema, sv.value
                ts_type, ts = m.timestamp()
                rec = new(record_cls)
                rec.topic = rec.original_topic = topic
                rec.kafka_partition = rec.original_kafka_partition = partition
                rec.kafka_offset = rec.original_kafka_offset = offset
                rec.key_schema = key_schema
                rec.key = key
                rec.value_schema = value_schema
                rec.value = value
                rec.timestamp = ts if ts_type else None
                rec.timestamp_type = ts_types[ts_type]
                rec.headers = headers
                if chain is not None:
                    rec = chain(rec)
                next_offset = offset + 1
                if rec is not None:
                    append(rec)
                i += 1
        except KafkaException:
            raise
        except Exception:
            return i
        finally:
            if next_offset >= 0:
                offsets[tp_obj] = next_offset  # type: ignore[index]
        return -1

    def _consumer_error(self, err: Any) -> None:
        key = (err.code(), err.str())
        if key != self._last_consumer_error:
            self._last_consumer_error = key
            log.warning("%s consumer error (will keep polling): %s", self, err.str())

    def _topic_active(self, topic: str) -> None:
        self.active_topics.add(topic)
        try:
            self.listener.on_topic_active(self.id.connector, topic)
        except Exception as e:
            log.warning("Recording active topic %s failed: %s", topic, e)

    async def _convert_slow(self, m: Any) -> SinkRecord | None:
        """Re-run one failed record stage by stage under the retry/tolerance operator."""
        raw = RawRecord.from_message(m)
        topic = raw.topic
        tp = TopicPartition(topic, raw.partition)
        self.batch_offsets[tp] = raw.offset + 1
        op = self.operator
        headers = None
        if raw.headers:
            hdec = self.header_converter.decode
            hname = type(self.header_converter).class_name()

            def decode_headers() -> Headers:
                assert raw.headers is not None
                return Headers([hdec(topic, k, v) for k, v in raw.headers])

            h = await op.execute(decode_headers, Stage.HEADER_CONVERTER, hname, raw)
            if h is SKIPPED:
                return None
            headers = h
        k = await op.execute(
            lambda: self.key_converter.to_connect_data(topic, raw.key, headers),
            Stage.KEY_CONVERTER,
            type(self.key_converter).class_name(),
            raw,
        )
        if k is SKIPPED:
            return None
        v = await op.execute(
            lambda: self.value_converter.to_connect_data(topic, raw.value, headers),
            Stage.VALUE_CONVERTER,
            type(self.value_converter).class_name(),
            raw,
        )
        if v is SKIPPED:
            return None
        ts_type, ts = m.timestamp()
        rec: Any = SinkRecord(
            topic,
            raw.partition,
            k.schema,
            k.value,
            v.schema,
            v.value,
            raw.offset,
            ts if ts_type else None,
            _TS_TYPES[ts_type],
            headers,
        )
        if topic not in self.active_topics:
            self._topic_active(topic)
        for stage in self.chain.stages:
            current = rec
            rec = await op.execute(functools.partial(stage.apply, current), Stage.TRANSFORMATION, stage.class_name, raw)
            if rec is SKIPPED or rec is None:
                return None
        return rec  # type: ignore[no-any-return,unused-ignore]

    def _original_of(self, record: SinkRecord) -> RawRecord | None:
        key = (record.original_topic, record.original_kafka_partition, record.original_kafka_offset)
        for m in self.last_batch:
            if m.error() is None and (m.topic(), m.partition(), m.offset()) == key:
                return RawRecord.from_message(m)
        # not in the current batch: re-serialise (as Java does for records it did not consume itself)
        try:
            kb = self.key_converter.from_connect_data(record.topic, record.key_schema, record.key)
            vb = self.value_converter.from_connect_data(record.topic, record.value_schema, record.value)
        except Exception:
            kb = vb = None
        return RawRecord(
            record.original_topic,
            record.original_kafka_partition,
            record.original_kafka_offset,
            record.timestamp if record.timestamp is not None else -1,
            record.timestamp_type.value,
            kb,
            vb,
            None,
        )
