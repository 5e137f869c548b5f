"""Converters: Connect data <-> bytes, under the Java class names a Connect config uses.

* :class:`JsonConverter` (``org.apache.kafka.connect.json.JsonConverter``)
* :class:`StringConverter`, :class:`SimpleHeaderConverter` (``org.apache.kafka.connect.storage.*``)
* :class:`ByteArrayConverter`, :class:`ShortConverter`, :class:`IntegerConverter`, :class:`LongConverter`,
  :class:`FloatConverter`, :class:`DoubleConverter`, :class:`BooleanConverter`
  (``org.apache.kafka.connect.converters.*``)
* :class:`AvroConverter` (``io.confluent.connect.avro.AvroConverter``; fastavro, the ``avro`` extra, is
  imported only when a record is converted)
"""

from genesis_worker.runtime.converters.avro import AvroConverter
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
    "AvroConverter",
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
