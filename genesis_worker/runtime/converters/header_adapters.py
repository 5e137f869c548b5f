"""Java's value converters double as header converters (``JsonConverter``, ``StringConverter``,
``ByteArrayConverter``, the number converters and ``BooleanConverter`` implement ``HeaderConverter``),
so ``header.converter=org.apache.kafka.connect.storage.StringConverter`` is a valid worker setting.

The SDK keeps the two roles in separate classes; :data:`HEADER_CONVERTERS` maps each such Java name to
a :class:`~genesis_worker.api.transform.HeaderConverter` that delegates to the value converter, the way
Java's ``toConnectHeader``/``fromConnectHeader`` delegate to ``toConnectData``/``fromConnectData``.
The adapter classes start with ``_`` so plugin discovery keeps listing the converters once; whoever
instantiates ``header.converter`` looks the name up here when it names a value converter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from genesis_worker.api.config import ConfigDef
from genesis_worker.api.data import Schema, SchemaAndValue
from genesis_worker.api.transform import Converter, HeaderConverter
from genesis_worker.runtime.converters.bytearray import ByteArrayConverter
from genesis_worker.runtime.converters.json import JsonConverter
from genesis_worker.runtime.converters.number import (
    BooleanConverter,
    DoubleConverter,
    FloatConverter,
    IntegerConverter,
    LongConverter,
    ShortConverter,
)
from genesis_worker.runtime.converters.string import StringConverter


class _ConverterAsHeaderConverter(HeaderConverter):
    """A header converter backed by a value converter configured with ``converter.type=header``."""

    converter_cls: ClassVar[type[Converter]]

    def __init__(self) -> None:
        self.converter = self.converter_cls()

    def config(self) -> ConfigDef:
        return self.converter.config()

    def configure(self, configs: Mapping[str, Any]) -> None:
        props = dict(configs)
        props["converter.type"] = "header"
        self.converter.configure(props, False)

    def from_connect_header(self, topic: str, header_key: str, schema: Schema | None, value: Any) -> bytes | None:
        return self.converter.from_connect_data(topic, schema, value)

    def to_connect_header(self, topic: str, header_key: str, value: bytes | None) -> SchemaAndValue:
        return self.converter.to_connect_data(topic, value)


def _adapter(cls: type[Converter]) -> type[HeaderConverter]:
    return type(
        f"_{cls.__name__}AsHeaderConverter",
        (_ConverterAsHeaderConverter,),
        {"converter_cls": cls, "java_class_names": cls.java_class_names, "__module__": __name__},
    )


HEADER_CONVERTERS: dict[str, type[HeaderConverter]] = {}
for _cls in (
    JsonConverter,
    StringConverter,
    ByteArrayConverter,
    ShortConverter,
    IntegerConverter,
    LongConverter,
    FloatConverter,
    DoubleConverter,
    BooleanConverter,
):
    _a = _adapter(_cls)
    for _name in (*_cls.java_class_names, f"{_cls.__module__}.{_cls.__qualname__}", _cls.__name__):
        HEADER_CONVERTERS[_name] = _a


def header_converter_for(name: str) -> HeaderConverter | None:
    """A header converter for a value converter's class name or alias, or None if it is not one."""
    cls = HEADER_CONVERTERS.get(name.strip())
    return cls() if cls is not None else None
