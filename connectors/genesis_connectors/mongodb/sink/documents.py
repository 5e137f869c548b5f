"""Sink records as BSON documents, converted as the Java connector's ``SinkConverter`` does.

* a :class:`~genesis_worker.api.Struct` (Avro, JSON with schemas) -> a document typed by its schema
  (INT8/16/32 -> int32, INT64 -> int64, FLOAT32/64 -> double, BYTES -> binary, Decimal -> Decimal128,
  Date/Time/Timestamp -> date);
* a ``dict`` (schemaless JSON) -> a document; integers become int64 as Java's JsonConverter hands the
  Java connector ``Long`` values;
* a ``str`` (StringConverter) -> parsed as MongoDB Extended JSON (canonical or relaxed);
* ``bytes`` (ByteArrayConverter) -> raw BSON, as in Java; bytes that are not a BSON document but
  UTF-8 JSON are parsed as Extended JSON.

Key and value are converted lazily, on first use: with the default ``BsonOidStrategy`` a key that is
not a document (say ``"user-42"`` from a StringConverter) is never parsed and so never fails.
"""

from __future__ import annotations

import datetime as _dt
import decimal
from collections.abc import Mapping
from typing import Any

from bson import BSON, Decimal128, Int64, json_util
from bson.binary import UuidRepresentation
from bson.codec_options import DatetimeConversion
from bson.errors import InvalidBSON
from bson.json_util import JSONMode, JSONOptions

from genesis_connectors.mongodb.client import CODEC_OPTIONS
from genesis_worker.api import DataException, Schema, SinkRecord, Struct, Type
from genesis_worker.api.data import (
    DATE_LOGICAL_NAME,
    DECIMAL_LOGICAL_NAME,
    TIME_LOGICAL_NAME,
    TIMESTAMP_LOGICAL_NAME,
    date_from_days,
    decimal_from_bytes,
    time_from_millis,
    timestamp_from_millis,
)

Document = dict[str, Any]

_JSON_OPTIONS = JSONOptions(
    json_mode=JSONMode.RELAXED,
    tz_aware=True,
    tzinfo=_dt.UTC,
    datetime_conversion=DatetimeConversion.DATETIME_AUTO,  # dates beyond Python's datetime stay dates
    uuid_representation=UuidRepresentation.UNSPECIFIED,  # binary subtypes 3/4 written back unchanged
)
_EPOCH_DAY = _dt.date(1970, 1, 1)
_UTC = _dt.UTC


class SinkDocument:
    """The key and value documents of one record; either may be None (absent / tombstone)."""

    __slots__ = ("_key", "_key_done", "_value", "_value_done", "record")

    def __init__(self, record: SinkRecord) -> None:
        self.record = record
        self._key: Document | None = None
        self._value: Document | None = None
        self._key_done = record.key is None
        self._value_done = record.value is None

    @property
    def key_doc(self) -> Document | None:
        if not self._key_done:
            self._key = to_document(self.record.key_schema, self.record.key, "key")
            self._key_done = True
        return self._key

    @key_doc.setter
    def key_doc(self, doc: Document | None) -> None:
        self._key, self._key_done = doc, True

    @property
    def value_doc(self) -> Document | None:
        if not self._value_done:
            self._value = to_document(self.record.value_schema, self.record.value, "value")
            self._value_done = True
        return self._value

    @value_doc.setter
    def value_doc(self, doc: Document | None) -> None:
        self._value, self._value_done = doc, True


def to_document(schema: Schema | None, data: Any, what: str) -> Document:
    """One record key or value as a new, mutable document (the record itself is never modified)."""
    if isinstance(data, Struct):
        return _struct(data)
    if isinstance(data, Mapping):
        return _schemaless_doc(data)
    if isinstance(data, str):
        return parse_json(data, what)
    if isinstance(data, bytes | bytearray | memoryview):
        return _from_bytes(bytes(data), what)
    raise DataException(
        f"No converter present due to unexpected object type: {type(data).__name__} (the record {what} must be a "
        "struct, a map, a JSON string or BSON bytes)"
    )


def parse_json(text: str, what: str = "value") -> Document:
    """``BsonDocument.parse``: a JSON object in MongoDB Extended JSON (canonical or relaxed)."""
    try:
        doc = json_util.loads(text, json_options=_JSON_OPTIONS)
    except Exception as e:
        raise DataException(f"Could not parse the record {what} as an extended JSON document: {e}") from e
    if not isinstance(doc, dict):
        raise DataException(f"Could not parse the record {what} as an extended JSON document: not a JSON object")
    return doc


def _from_bytes(raw: bytes, what: str) -> Document:
    if len(raw) >= 5 and int.from_bytes(raw[:4], "little") == len(raw) and raw[-1] == 0:
        try:
            return BSON(raw).decode(CODEC_OPTIONS)
        except InvalidBSON:
            pass
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DataException(f"The record {what} bytes are neither a BSON document nor UTF-8 JSON") from None
    return parse_json(text, what)


# --- schemaless maps -----------------------------------------------------------------------------


_AS_IS = frozenset({str, float, bool, type(None)})
_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1


def _schemaless_doc(data: Mapping[str, Any]) -> Document:
    # the hot path of schemaless sinks: plain JSON types inline, everything else through _schemaless
    out: Document = {}
    for k, v in data.items():
        if type(k) is not str:
            k = str(k)
        t = type(v)
        if t in _AS_IS:
            out[k] = v
        elif t is int and _I64_MIN <= v <= _I64_MAX:
            out[k] = Int64(v)
        else:
            out[k] = _schemaless(v)
    return out


def _schemaless(v: Any) -> Any:
    t = type(v)
    if t is int:
        if not -(2**63) <= v < 2**63:
            raise DataException(f"Integer {v} does not fit a BSON int64")
        return Int64(v)
    if t is str or t is float or t is bool or v is None:
        return v
    if t is dict:
        return _schemaless_doc(v)
    if t is list:
        return [_schemaless(x) for x in v]
    if isinstance(v, Struct):
        return _struct(v)
    if isinstance(v, Mapping):
        return _schemaless_doc(v)
    if isinstance(v, tuple):
        return [_schemaless(x) for x in v]
    if isinstance(v, decimal.Decimal):
        return Decimal128(v)
    if isinstance(v, bytearray | memoryview):
        return bytes(v)
    if isinstance(v, _dt.datetime):
        return v if v.tzinfo else v.replace(tzinfo=_UTC)
    if isinstance(v, _dt.date):
        return _dt.datetime(v.year, v.month, v.day, tzinfo=_UTC)
    return v  # bytes, ObjectId, Decimal128, Int64 ... are already BSON values


# --- structs with schemas ------------------------------------------------------------------------


def _struct(s: Struct) -> Document:
    out: Document = {}
    for f in s.schema.fields:
        value = s.get_without_default(f.name)
        if value is None:
            value = f.schema.default
        out[f.name] = None if value is None else _with_schema(f.schema, value, f.name)
    return out


def _with_schema(schema: Schema, v: Any, field: str) -> Any:
    name = schema.name
    if name is not None:
        if name == DECIMAL_LOGICAL_NAME:
            if isinstance(v, bytes | bytearray):
                v = decimal_from_bytes(bytes(v), int(schema.params.get("scale", "0")))
            return Decimal128(v)
        if name == TIMESTAMP_LOGICAL_NAME:
            return _aware(v) if isinstance(v, _dt.datetime) else timestamp_from_millis(int(v))
        if name == DATE_LOGICAL_NAME:
            d = v if isinstance(v, _dt.date) else date_from_days(int(v))
            return _dt.datetime(d.year, d.month, d.day, tzinfo=_UTC)
        if name == TIME_LOGICAL_NAME:
            tm = v if isinstance(v, _dt.time) else time_from_millis(int(v))
            return _dt.datetime(1970, 1, 1, tm.hour, tm.minute, tm.second, tm.microsecond, tzinfo=_UTC)
    t = schema.type
    if t is Type.INT64:
        return Int64(v)
    if t in (Type.INT8, Type.INT16, Type.INT32):
        return int(v)
    if t in (Type.FLOAT32, Type.FLOAT64):
        return float(v)
    if t is Type.BOOLEAN:
        return bool(v)
    if t is Type.STRING:
        return str(v)
    if t is Type.BYTES:
        return bytes(v)
    if t is Type.STRUCT:
        if not isinstance(v, Struct):
            raise DataException(f"Field {field}: expected a Struct for a STRUCT schema, got {type(v).__name__}")
        return _struct(v)
    if t is Type.ARRAY:
        item = schema.value_schema
        return [None if x is None else (_with_schema(item, x, field) if item else _schemaless(x)) for x in v]
    if t is Type.MAP:
        vs = schema.value_schema
        return {
            str(k): None if x is None else (_with_schema(vs, x, field) if vs else _schemaless(x)) for k, x in v.items()
        }
    raise DataException(f"Unexpected schema type {t} of field {field}")


def _aware(v: _dt.datetime) -> _dt.datetime:
    return v if v.tzinfo else v.replace(tzinfo=_UTC)
