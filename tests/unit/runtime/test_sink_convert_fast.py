"""The sink runtime's hot conversion loop: records it builds and the offsets it books per partition."""

from __future__ import annotations

from typing import Any

from confluent_kafka import KafkaError, Message

from genesis_worker.api import Schema, SinkRecord, TopicPartition
from genesis_worker.api.records import ConnectRecord, Header, TimestampType
from genesis_worker.runtime.sink_task import WorkerSinkTask


class _Chain:
    """Stands in for the transformation chain: ``bad`` raises, ``drop`` is filtered out."""

    def __bool__(self) -> bool:
        return True

    def apply(self, rec: SinkRecord) -> SinkRecord | None:
        if rec.value == b"bad":
            raise ValueError("bad record")
        return None if rec.value == b"drop" else rec


class _HeaderConverter:
    def decode(self, topic: str, key: str, value: bytes | None) -> Header:
        return Header(key, value, Schema.OPTIONAL_BYTES_SCHEMA)


def _task(chain: _Chain | None = None) -> Any:
    t: Any = object.__new__(WorkerSinkTask)
    t._key_bytes = t._value_bytes = True  # ByteArrayConverter both sides: the pass-through path
    t.header_converter = _HeaderConverter()
    t.chain = chain
    t.active_topics = {"a", "b"}
    t.batch_offsets = {}
    t._raw_key_filter = None
    return t


def _msg(topic: str, partition: int, offset: int, value: bytes = b"v", **kw: Any) -> Message:
    return Message(topic=topic, partition=partition, offset=offset, key=b"k%d" % offset, value=value, **kw)


def _fields(r: ConnectRecord) -> dict[str, Any]:
    out = {}
    for cls in type(r).__mro__:
        for name in getattr(cls, "__slots__", ()):
            out[name] = getattr(r, name)
    out["headers"] = list(r.headers)
    return out


def test_records_equal_the_ones_the_public_constructor_builds() -> None:
    msgs = [
        _msg("a", 0, 5, timestamp=(1, 1000)),
        _msg("a", 0, 6, timestamp=(2, 2000), headers=[("h", b"1")]),
        _msg("b", 3, 7, value=b"x", timestamp=(0, -1)),
    ]
    out: list[SinkRecord] = []
    assert _task()._convert_fast(msgs, 0, out) == -1
    bs = Schema.OPTIONAL_BYTES_SCHEMA
    expected = [
        SinkRecord("a", 0, bs, b"k5", bs, b"v", 5, 1000, TimestampType.CREATE_TIME),
        SinkRecord("a", 0, bs, b"k6", bs, b"v", 6, 2000, TimestampType.LOG_APPEND_TIME, [Header("h", b"1", bs)]),
        SinkRecord("b", 3, bs, b"k7", bs, b"x", 7, None, TimestampType.NO_TIMESTAMP_TYPE),
    ]
    assert [type(r) for r in out] == [SinkRecord] * 3
    assert [_fields(r) for r in out] == [_fields(r) for r in expected]


def test_offsets_booked_per_partition_across_interleaved_runs() -> None:
    t = _task(_Chain())
    eof = Message(topic="a", partition=0, offset=9, error=KafkaError(KafkaError._PARTITION_EOF))
    msgs = [_msg("a", 0, 1), _msg("a", 0, 2), _msg("a", 1, 7), eof, _msg("a", 0, 3, b"drop"), _msg("b", 0, 4)]
    out: list[SinkRecord] = []
    assert t._convert_fast(msgs, 0, out) == -1
    assert [r.kafka_offset for r in out] == [1, 2, 7, 4]  # the filtered record is still consumed
    assert t.batch_offsets == {TopicPartition("a", 0): 4, TopicPartition("a", 1): 8, TopicPartition("b", 0): 5}


def test_a_failing_record_stops_the_loop_with_earlier_offsets_booked() -> None:
    t = _task(_Chain())
    msgs = [_msg("a", 0, 1), _msg("a", 1, 5), _msg("a", 1, 6, b"bad"), _msg("a", 1, 7)]
    out: list[SinkRecord] = []
    assert t._convert_fast(msgs, 0, out) == 2  # the caller retries msgs[2] on the slow path
    assert [r.kafka_offset for r in out] == [1, 5]
    assert t.batch_offsets == {TopicPartition("a", 0): 2, TopicPartition("a", 1): 6}
    out.clear()
    assert t._convert_fast(msgs, 3, out) == -1
    assert t.batch_offsets[TopicPartition("a", 1)] == 8
    # a failure on the first record of a new partition books nothing for it
    t = _task(_Chain())
    assert t._convert_fast([_msg("a", 0, 1), _msg("b", 0, 9, b"bad")], 0, []) == 1
    assert t.batch_offsets == {TopicPartition("a", 0): 2}


def test_a_raw_key_filter_skips_records_before_they_are_built_but_books_their_offsets() -> None:
    t = _task()
    seen: list[bytes | None] = []

    def keep(key: bytes | None) -> bool:
        seen.append(key)
        return key in (b"k2", None)

    t._raw_key_filter = keep
    no_key = Message(topic="b", partition=0, offset=9, key=None, value=b"v")
    msgs = [_msg("a", 0, 1), _msg("a", 0, 2), _msg("a", 0, 3), _msg("a", 1, 4), no_key]
    out: list[SinkRecord] = []
    assert t._convert_fast(msgs, 0, out) == -1
    assert seen == [b"k1", b"k2", b"k3", b"k4", None]
    assert [(r.topic, r.kafka_offset) for r in out] == [("a", 2), ("b", 9)]
    # skipped records are consumed: a partition whose every record was rejected still advances
    assert t.batch_offsets == {TopicPartition("a", 0): 4, TopicPartition("a", 1): 5, TopicPartition("b", 0): 10}


def _conv(cls: Any, **configs: str) -> Any:
    c = cls()
    c.configure(configs, False)
    return c


def test_inline_decoders_give_what_the_converters_give() -> None:
    """JsonConverter (schemas off) and StringConverter (UTF-8) are decoded in the loop without being
    called; the records are the ones the converters would have produced, and bytes JSON cannot parse
    leave the fast loop (the slow path lets the converter raise its DataException)."""
    from genesis_worker.runtime.converters.json import JsonConverter
    from genesis_worker.runtime.converters.string import StringConverter
    from genesis_worker.runtime.sink_convert import inline_decoder

    json_conv = _conv(JsonConverter, **{"schemas.enable": "false"})
    str_conv = _conv(StringConverter)
    assert inline_decoder(_conv(JsonConverter)) is None  # with schemas: the converter is called
    assert inline_decoder(_conv(StringConverter, **{"converter.encoding": "UTF-16"})) is None
    t = _task()
    t._key_bytes = t._value_bytes = False
    t.key_converter, t.value_converter = str_conv, json_conv
    t._key_decoder, t._value_decoder = inline_decoder(str_conv), inline_decoder(json_conv)
    values = [b'{"a":[1,2.5,"\xc3\xa9"]}', b"", b"null", b"3"]
    msgs = [_msg("a", 0, i, v) for i, v in enumerate(values)]
    msgs.append(Message(topic="a", partition=0, offset=9, key=None, value=None))
    out: list[SinkRecord] = []
    assert t._convert_fast(msgs, 0, out) == -1
    for r, m in zip(out, msgs, strict=True):
        k = str_conv.to_connect_data("a", m.key())
        v = json_conv.to_connect_data("a", m.value())
        assert (r.key_schema, r.key, r.value_schema, r.value) == (k.schema, k.value, v.schema, v.value)
    bad = [_msg("a", 0, 1, b"{}"), _msg("a", 0, 2, b"{not json")]
    assert t._convert_fast(bad, 0, []) == 1
