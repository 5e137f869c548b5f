"""``io.confluent.connect.avro.AvroConverter``: Avro with a Schema Registry, in Confluent's wire format
(magic byte 0, 4-byte big-endian schema id, Avro binary). Needs ``fastavro`` (the ``avro`` extra)."""

from __future__ import annotations

import io
import json
import struct
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef, ConfigType, Importance, Password
from genesis_worker.api.data import Schema, SchemaAndValue
from genesis_worker.api.errors import ConfigException, DataException
from genesis_worker.api.records import Headers
from genesis_worker.api.transform import Converter
from genesis_worker.runtime.converters._config import converter_config_def
from genesis_worker.runtime.converters.avro_data import (
    ANYTHING_NAME,
    compile_to_connect,
    from_connect_schema,
    from_connect_value,
    to_connect_schema,
    unwrap_anything,
    wrap_anything,
)
from genesis_worker.runtime.converters.schema_registry import SchemaRegistryClient

MAGIC_BYTE = 0
_HEADER = struct.Struct(">bI")
TOPIC_NAME_STRATEGY = "io.confluent.kafka.serializers.subject.TopicNameStrategy"
RECORD_NAME_STRATEGY = "io.confluent.kafka.serializers.subject.RecordNameStrategy"
TOPIC_RECORD_NAME_STRATEGY = "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"

SubjectStrategy = Callable[[str, bool, Any], str]


def _record_name(avro: Any) -> str:
    if isinstance(avro, list):
        branches = [b for b in avro if b != "null"]
        avro = branches[0] if len(branches) == 1 else avro
    if isinstance(avro, dict) and avro.get("type") == "record":
        name = str(avro["name"])
        ns = avro.get("namespace")
        return f"{ns}.{name}" if ns and "." not in name else name
    if isinstance(avro, dict):
        return str(avro.get("type"))
    return str(avro)


def _full(avro: dict[str, Any]) -> str:
    name, ns = str(avro.get("name", "")), avro.get("namespace")
    return name if "." in name or not ns else f"{ns}.{name}"


def topic_name_strategy(topic: str, is_key: bool, avro: Any) -> str:
    return f"{topic}-{'key' if is_key else 'value'}"


def record_name_strategy(topic: str, is_key: bool, avro: Any) -> str:
    return _record_name(avro)


def topic_record_name_strategy(topic: str, is_key: bool, avro: Any) -> str:
    return f"{topic}-{_record_name(avro)}"


STRATEGIES: dict[str, SubjectStrategy] = {}
for _fqcn, _fn in (
    (TOPIC_NAME_STRATEGY, topic_name_strategy),
    (RECORD_NAME_STRATEGY, record_name_strategy),
    (TOPIC_RECORD_NAME_STRATEGY, topic_record_name_strategy),
):
    STRATEGIES[_fqcn] = _fn
    STRATEGIES[_fqcn.rsplit(".", 1)[1]] = _fn
    # the deprecated io.confluent.kafka.serializers.subject.strategy.* names of older configs
    STRATEGIES["io.confluent.kafka.serializers.subject.strategy." + _fqcn.rsplit(".", 1)[1]] = _fn


def avro_converter_config_def() -> ConfigDef:
    """The keys of Confluent's ``AvroConverterConfig`` that this converter honours."""
    return (
        converter_config_def()
        .define(
            "schema.registry.url",
            ConfigType.LIST,
            importance=Importance.HIGH,
            documentation="Comma-separated list of URLs for Schema Registry instances that can be used to "
            "register or look up schemas.",
        )
        .define(
            "auto.register.schemas",
            ConfigType.BOOLEAN,
            True,
            None,
            Importance.MEDIUM,
            "Specify if the Serializer should attempt to register the Schema with Schema Registry",
        )
        .define(
            "use.latest.version",
            ConfigType.BOOLEAN,
            False,
            None,
            Importance.LOW,
            "Specify if the Serializer should use the latest subject version for serialization",
        )
        .define(
            "key.subject.name.strategy",
            ConfigType.CLASS,
            TOPIC_NAME_STRATEGY,
            None,
            Importance.MEDIUM,
            "Determines how to construct the subject name under which the key schema is registered with the "
            "schema registry.",
        )
        .define(
            "value.subject.name.strategy",
            ConfigType.CLASS,
            TOPIC_NAME_STRATEGY,
            None,
            Importance.MEDIUM,
            "Determines how to construct the subject name under which the value schema is registered with the "
            "schema registry.",
        )
        .define(
            "basic.auth.credentials.source",
            ConfigType.STRING,
            "URL",
            None,
            Importance.MEDIUM,
            "Specify how to pick the credentials for Basic Auth header: URL or USER_INFO.",
        )
        .define(
            "basic.auth.user.info",
            ConfigType.PASSWORD,
            "",
            None,
            Importance.MEDIUM,
            "Specify the user info for Basic Auth in the form of {username}:{password}",
        )
        .define(
            "schemas.cache.config", ConfigType.INT, 1000, None, Importance.LOW, "Size of the converted schemas cache"
        )
        .define(
            "connect.meta.data",
            ConfigType.BOOLEAN,
            True,
            None,
            Importance.LOW,
            "Toggle for enabling/disabling connect converter to add its meta data to the output schema or not",
        )
        .define(
            "enhanced.avro.schema.support",
            ConfigType.BOOLEAN,
            False,
            None,
            Importance.LOW,
            "Enable enhanced schema support to preserve package information and Enums (accepted, not used)",
        )
    )


class _Lru(OrderedDict[Any, Any]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)


class AvroConverter(Converter):
    """Confluent's Avro converter: schemas registered in (or looked up from) a Schema Registry.

    Example::

        conv = AvroConverter()
        conv.configure({"schema.registry.url": "http://registry:8081"}, is_key=False)
        data = conv.from_connect_data("ad-clicks", schema, struct)   # b"\\x00" + id + Avro binary
    """

    java_class_names: ClassVar[tuple[str, ...]] = ("io.confluent.connect.avro.AvroConverter",)

    def __init__(self) -> None:
        self.client: SchemaRegistryClient | None = None
        self.is_key = False
        self.auto_register = True
        self.use_latest = False
        self.connect_meta = True
        self.strategy: SubjectStrategy = topic_name_strategy
        self._out: _Lru = _Lru(1000)
        self._in: _Lru = _Lru(1000)

    def config(self) -> ConfigDef:
        return avro_converter_config_def()

    def configure(self, configs: Mapping[str, Any], is_key: bool) -> None:
        props = dict(configs)
        props.setdefault("converter.type", "key" if is_key else "value")
        parsed = avro_converter_config_def().parse(props)
        self.is_key = is_key
        self.auto_register = bool(parsed["auto.register.schemas"])
        self.use_latest = bool(parsed["use.latest.version"])
        self.connect_meta = bool(parsed["connect.meta.data"])
        key = "key.subject.name.strategy" if is_key else "value.subject.name.strategy"
        name = parsed[key]
        name = name if isinstance(name, str) else f"{name.__module__}.{name.__qualname__}"
        strategy = STRATEGIES.get(name)
        if strategy is None:
            raise ConfigException(
                f"Invalid value {name} for configuration {key}: unknown subject name strategy; use one of "
                + ", ".join((TOPIC_NAME_STRATEGY, RECORD_NAME_STRATEGY, TOPIC_RECORD_NAME_STRATEGY)),
                key,
                name,
            )
        self.strategy = strategy
        user_info: str | None = None
        if str(parsed["basic.auth.credentials.source"]).upper() == "USER_INFO":
            pw = parsed["basic.auth.user.info"]
            user_info = pw.value if isinstance(pw, Password) else (pw or None)
        self.client = SchemaRegistryClient(list(parsed["schema.registry.url"]), user_info)
        size = int(parsed["schemas.cache.config"])
        self._out, self._in = _Lru(size), _Lru(size)

    # --- Connect -> bytes ------------------------------------------------------------------------

    def from_connect_data(
        self, topic: str, schema: Schema | None, value: Any, headers: Headers | None = None
    ) -> bytes | None:
        if value is None and (schema is None or schema.default is None):
            return None
        try:
            schema_id, parsed = self._writer_for(topic, schema)
            buf = io.BytesIO()
            buf.write(_HEADER.pack(MAGIC_BYTE, schema_id))
            import fastavro

            datum = wrap_anything(value) if schema is None else from_connect_value(schema, value)
            fastavro.schemaless_writer(buf, parsed, datum)
            return buf.getvalue()
        except DataException as e:
            raise DataException(f"Failed to serialize Avro data from topic {topic} : {e}") from e
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            raise DataException(f"Failed to serialize Avro data from topic {topic} : {e}") from e

    def _writer_for(self, topic: str, schema: Schema | None) -> tuple[int, Any]:
        import fastavro

        cached = self._out.get((topic, schema))
        if cached is not None:
            return cached
        assert self.client is not None, "AvroConverter is not configured"
        avro = from_connect_schema(schema, self.connect_meta)
        subject = self.strategy(topic, self.is_key, avro)
        if self.use_latest:
            schema_id, _version, text = self.client.latest(subject)
            avro = json.loads(text)
        else:
            text = json.dumps(avro, separators=(",", ":"))
            schema_id = self.client.register(subject, text) if self.auto_register else self.client.lookup(subject, text)
        out = (schema_id, fastavro.parse_schema(avro, _write_hint=False))
        self._out.put((topic, schema), out)
        return out

    # --- bytes -> Connect ------------------------------------------------------------------------

    def to_connect_data(self, topic: str, value: bytes | None, headers: Headers | None = None) -> SchemaAndValue:
        if value is None:
            return SchemaAndValue.NULL
        if len(value) < 5 or value[0] != MAGIC_BYTE:
            raise DataException(f"Failed to deserialize data for topic {topic} to Avro: Unknown magic byte!")
        schema_id = _HEADER.unpack_from(value)[1]
        try:
            parsed, connect_schema, to_connect = self._reader_for(schema_id)
            import fastavro

            datum = fastavro.schemaless_reader(io.BytesIO(value[5:]), parsed, None)
            if connect_schema is None:
                return SchemaAndValue(None, unwrap_anything(datum))
            return SchemaAndValue(connect_schema, to_connect(datum))
        except DataException as e:
            raise DataException(f"Failed to deserialize data for topic {topic} to Avro: {e}") from e
        except (ValueError, TypeError, KeyError, EOFError, IndexError) as e:
            raise DataException(f"Failed to deserialize data for topic {topic} to Avro: {e}") from e

    def _reader_for(self, schema_id: int) -> tuple[Any, Schema | None, Callable[[Any], Any]]:
        import fastavro

        cached = self._in.get(schema_id)
        if cached is not None:
            return cached
        assert self.client is not None, "AvroConverter is not configured"
        avro = json.loads(self.client.schema_by_id(schema_id))
        is_anything = isinstance(avro, dict) and _full(avro) == ANYTHING_NAME
        connect_schema = None if is_anything else to_connect_schema(avro)
        to_connect = unwrap_anything if connect_schema is None else compile_to_connect(connect_schema)
        out = (fastavro.parse_schema(avro, _write_hint=False), connect_schema, to_connect)
        self._in.put(schema_id, out)
        return out
