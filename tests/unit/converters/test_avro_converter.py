"""AvroConverter against a schema registry STAND-IN (tests/fixtures/schema_registry_standin.py; no real
Confluent registry can be installed here), with the wire format checked against confluent-kafka's own
AvroSerializer/AvroDeserializer in both directions."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Iterator

import pytest

from genesis_worker.api.data import (
    Schema,
    SchemaBuilder,
    Struct,
    date_schema,
    decimal_schema,
    time_schema,
    timestamp_from_millis,
    timestamp_schema,
)
from genesis_worker.api.errors import ConfigException, DataException
from genesis_worker.runtime.converters.avro import AvroConverter
from genesis_worker.runtime.converters.avro_data import from_connect_schema, to_connect_schema
from tests.fixtures.schema_registry_standin import SchemaRegistryStandIn

fastavro = pytest.importorskip("fastavro")

ADDRESS = SchemaBuilder.struct().name("com.ex.Address").optional().field("city", Schema.STRING_SCHEMA).build()
USER = (
    SchemaBuilder.struct()
    .name("com.ex.User")
    .field("id", Schema.INT32_SCHEMA)
    .field("name", Schema.OPTIONAL_STRING_SCHEMA)
    .field("small", Schema.INT8_SCHEMA)
    .field("ts", timestamp_schema().build())
    .field("d", date_schema().optional().build())
    .field("t", time_schema().build())
    .field("price", decimal_schema(2).build())
    .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
    .field("m", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT64_SCHEMA).build())
    .field("mi", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build())
    .field("addr", ADDRESS)
    .field("f", Schema.FLOAT32_SCHEMA)
    .field("b", Schema.BYTES_SCHEMA)
    .field("dflt", SchemaBuilder.int32().optional().default_value(5).build())
    .build()
)


def user() -> Struct:
    s = Struct(USER)
    for k, v in {
        "id": 1,
        "name": "ann",
        "small": 3,
        "ts": timestamp_from_millis(1730000000123),
        "d": dt.date(2024, 1, 2),
        "t": dt.time(1, 2, 3, 4000),
        "price": decimal.Decimal("12.34"),
        "tags": ["a"],
        "m": {"x": 1},
        "mi": {1: "a"},
        "addr": Struct(ADDRESS).put("city", "Seoul"),
        "f": 0.5,
        "b": b"\x00\x01",
    }.items():
        s.put(k, v)
    return s


@pytest.fixture(scope="module")
def registry() -> Iterator[SchemaRegistryStandIn]:
    with SchemaRegistryStandIn() as sr:
        yield sr


def avro(registry: SchemaRegistryStandIn, is_key: bool = False, **cfg: str) -> AvroConverter:
    c = AvroConverter()
    c.configure({"schema.registry.url": registry.url, **cfg}, is_key)
    return c


def test_round_trip_and_wire_format(registry: SchemaRegistryStandIn) -> None:
    raw = avro(registry).from_connect_data("users", USER, user())
    assert raw is not None
    assert raw[0] == 0
    schema_id = int.from_bytes(raw[1:5], "big")
    assert registry.schemas[schema_id] == json.dumps(from_connect_schema(USER), separators=(",", ":"))
    sv = avro(registry).to_connect_data("users", raw)
    assert sv.schema == USER
    expected = user()
    expected.put("dflt", 5)  # the null field is written as its default, as Confluent's AvroData does
    assert sv.value == expected


def test_registry_called_once_per_schema(registry: SchemaRegistryStandIn) -> None:
    c, reader = avro(registry), avro(registry)
    before = len(registry.requests)
    for _ in range(5):
        raw = c.from_connect_data("cached", USER, user())
        reader.to_connect_data("cached", raw)
    assert registry.requests[before:] == [
        ("POST", "/subjects/cached-value/versions"),
        ("GET", f"/schemas/ids/{raw[4]}"),
    ]


def test_confluent_kafka_reads_ours_and_we_read_theirs(registry: SchemaRegistryStandIn) -> None:
    from confluent_kafka.schema_registry import SchemaRegistryClient
    from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
    from confluent_kafka.serialization import MessageField, SerializationContext

    ctx = SerializationContext("interop", MessageField.VALUE)
    client = SchemaRegistryClient({"url": registry.url})
    ours = avro(registry).from_connect_data("interop", USER, user())
    decoded = AvroDeserializer(client)(ours, ctx)
    assert decoded["name"] == "ann"
    assert decoded["mi"] == [{"key": 1, "value": "a"}]
    assert decoded["price"] == decimal.Decimal("12.34")
    text = registry.schemas[int.from_bytes(ours[1:5], "big")]
    theirs = AvroSerializer(client, text, conf={"auto.register.schemas": True})(decoded, ctx)
    assert theirs == ours
    assert avro(registry).to_connect_data("interop", theirs).value.get("addr").get("city") == "Seoul"


def test_key_and_subject_name_strategies(registry: SchemaRegistryStandIn) -> None:
    key_conv = avro(registry, is_key=True)
    key_conv.from_connect_data("orders", Schema.STRING_SCHEMA, "k1")
    assert "orders-key" in registry.subjects
    avro(
        registry, **{"value.subject.name.strategy": "io.confluent.kafka.serializers.subject.RecordNameStrategy"}
    ).from_connect_data("orders", USER, user())
    assert "com.ex.User" in registry.subjects
    avro(registry, **{"value.subject.name.strategy": "TopicRecordNameStrategy"}).from_connect_data(
        "orders", USER, user()
    )
    assert "orders-com.ex.User" in registry.subjects
    with pytest.raises(ConfigException, match="subject name strategy"):
        avro(registry, **{"value.subject.name.strategy": "com.acme.Nope"})


def test_no_auto_register(registry: SchemaRegistryStandIn) -> None:
    c = avro(registry, **{"auto.register.schemas": "false"})
    with pytest.raises(
        DataException, match=r"Failed to serialize Avro data from topic fresh : Subject 'fresh-value' not found"
    ):
        c.from_connect_data("fresh", Schema.INT64_SCHEMA, 5)
    avro(registry).from_connect_data("fresh", Schema.INT64_SCHEMA, 5)
    assert avro(registry, **{"auto.register.schemas": "false"}).from_connect_data("fresh", Schema.INT64_SCHEMA, 6)


def test_use_latest_version(registry: SchemaRegistryStandIn) -> None:
    v1 = SchemaBuilder.struct().name("com.ex.V").field("a", Schema.INT32_SCHEMA).build()
    v2 = (
        SchemaBuilder.struct()
        .name("com.ex.V")
        .field("a", Schema.INT32_SCHEMA)
        .field("b", Schema.OPTIONAL_STRING_SCHEMA)
        .build()
    )
    avro(registry).from_connect_data("latest", v1, Struct(v1).put("a", 1))
    latest_id = int.from_bytes(avro(registry).from_connect_data("latest", v2, Struct(v2).put("a", 1))[1:5], "big")
    raw = avro(registry, **{"use.latest.version": "true", "auto.register.schemas": "false"}).from_connect_data(
        "latest", v2, Struct(v2).put("a", 2).put("b", "x")
    )
    assert int.from_bytes(raw[1:5], "big") == latest_id


def test_bad_bytes(registry: SchemaRegistryStandIn) -> None:
    c = avro(registry)
    with pytest.raises(DataException, match="Unknown magic byte!"):
        c.to_connect_data("t", b"\x01\x00\x00\x00\x01\x02")
    with pytest.raises(DataException, match="Schema 999 not found"):
        c.to_connect_data("t", b"\x00\x00\x00\x03\xe7\x02")
    assert c.to_connect_data("t", None).value is None
    assert c.from_connect_data("t", Schema.OPTIONAL_STRING_SCHEMA, None) is None


def test_schema_mapping_round_trip_and_avro_validity() -> None:
    schema = (
        SchemaBuilder.struct()
        .field("a", Schema.INT16_SCHEMA)
        .field("n", SchemaBuilder.string().optional().doc("doc").parameter("p", "v").build())
        .build()
    )
    avro_schema = from_connect_schema(schema)
    assert avro_schema["name"] == "ConnectDefault" and avro_schema["namespace"] == "io.confluent.connect.avro"
    fastavro.parse_schema(avro_schema)
    assert to_connect_schema(avro_schema) == schema
    assert to_connect_schema(["null", "long"]) == Schema.OPTIONAL_INT64_SCHEMA
    enum = to_connect_schema({"type": "enum", "name": "Color", "symbols": ["RED"]})
    assert enum.name == "Color"


def test_schemaless_values_use_confluents_anything_record(registry: SchemaRegistryStandIn) -> None:
    value = {"a": [1, 2.5, "x", None, True, b"\x00"], "n": {"k": 1}}
    raw = avro(registry).from_connect_data("free", None, value)
    text = registry.schemas[int.from_bytes(raw[1:5], "big")]
    assert json.loads(text)["name"] == "Anything"
    sv = avro(registry).to_connect_data("free", raw)
    assert (sv.schema, sv.value) == (None, value)
    assert avro(registry).from_connect_data("free", None, None) is None


def test_named_types_are_defined_once_and_metadata_follows_confluent() -> None:
    inner = SchemaBuilder.struct().field("x", Schema.INT8_SCHEMA).build()
    other = SchemaBuilder.struct().field("y", Schema.STRING_SCHEMA).build()
    schema = (
        SchemaBuilder.struct()
        .name("com.ex.Pair")
        .version(2)
        .field("a", ADDRESS)
        .field("b", ADDRESS)
        .field("u1", inner)
        .field("u2", other)
        .field("s", SchemaBuilder.int16().doc("d").build())
        .build()
    )
    avro_schema = from_connect_schema(schema)
    fastavro.parse_schema(avro_schema)
    fields = {f["name"]: f["type"] for f in avro_schema["fields"]}
    assert fields["b"] == ["null", "com.ex.Address"]
    assert (fields["u1"]["name"], fields["u2"]["name"]) == ("ConnectDefault", "ConnectDefault2")
    assert list(fields["s"]) == ["type", "connect.doc", "connect.type"]
    assert avro_schema["connect.name"] == "com.ex.Pair" and avro_schema["connect.version"] == 2
    back = to_connect_schema(avro_schema)
    assert back.field("b").schema == ADDRESS
    assert back.field("s").schema == SchemaBuilder.int16().doc("d").build()
