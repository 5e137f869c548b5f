"""Converters: Connect data <-> bytes, under the Java class names a Connect config uses.

* :class:`JsonConverter` (``org.apache.kafka.connect.json.JsonConverter``)
* :class:`StringConverter`, :class:`SimpleHeaderConverter` (``org.apache.kafka.connect.storage.*``)
* :class:`ByteArrayConverter`, :class:`ShortConverter`, :class:`IntegerConverter`, :class:`LongConverter`,
  :class:`FloatConverter`, :class:`DoubleConverter`, :class:`BooleanConverter`
  (``org.apache.kafka.connect.converters.*``)
* :class:`~genesis_worker.runtime.converters.avro.AvroConverter` (``io.confluent.connect.avro.AvroConverter``,
  needs the ``avro`` extra: fastavro)
"""

from genesis_worker.runtime.converters.bytearray import ByteArrayConverter
from genesis_worker.runtime.converters.header import SimpleHeaderConverter
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

__all__ = [
    "BooleanConverter",
    "ByteArrayConverter",
    "DoubleConverter",
    "FloatConverter",
    "IntegerConverter",
    "JsonConverter",
    "LongConverter",
    "ShortConverter",
    "SimpleHeaderConverter",
    "StringConverter",
]
