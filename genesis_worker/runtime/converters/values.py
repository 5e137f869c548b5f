"""Text <-> Connect values as ``org.apache.kafka.connect.data.Values`` does it (``parseString`` and
``convertToString``), used by :class:`SimpleHeaderConverter` and by ``InsertHeader``.

``parse_string`` infers the narrowest type: ``true``/``false``, the smallest integer type that holds the
number (INT8 .. INT64), FLOAT32/FLOAT64 for fractions, Decimal beyond, the temporal types for
``yyyy-MM-dd`` / ``HH:mm:ss.SSS'Z'`` / ``yyyy-MM-dd'T'HH:mm:ss.SSS'Z'``, arrays ``[..]`` and maps
``{k:v}`` of those (with a common element schema when there is one); anything else is a string.
Java's quirks are kept: trailing text after a leading number or structure is ignored (``"12,5"`` is 12).
"""

from __future__ import annotations

import base64
import datetime as _dt
import decimal as _decimal
import re
import struct as _struct
from typing import Any

from genesis_worker.api.data import (
    DATE_LOGICAL_NAME,
    TIME_LOGICAL_NAME,
    TIMESTAMP_LOGICAL_NAME,
    Schema,
    SchemaAndValue,
    SchemaBuilder,
    Struct,
    Type,
    date_schema,
    decimal_schema,
    time_schema,
    timestamp_schema,
    timestamp_to_millis,
)
from genesis_worker.api.errors import DataException
from genesis_worker.runtime.converters.json_data import java_double_text, java_float_text

_DELIMS = re.compile(r'(\[|\]|\{|\}|,|:|"|\\)')
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_DATE = re.compile(r"(\d+)-(\d+)-(\d+)")
_TIME = re.compile(r"(\d+):(\d+):(\d+)\.(\d+)Z")
_TS = re.compile(r"(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)\.(\d+)Z")
_TEMPORAL = (DATE_LOGICAL_NAME, TIME_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME)
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
_DAY_MS = 86_400_000
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)

DATE_SCHEMA = date_schema().build()
TIME_SCHEMA = time_schema().build()
TIMESTAMP_SCHEMA = timestamp_schema().build()


class _Tokens:
    __slots__ = ("original", "pos", "toks")

    def __init__(self, text: str) -> None:
        self.original = text
        self.toks = [t for t in _DELIMS.split(text) if t != ""]
        self.pos = 0

    def has_next(self) -> bool:
        return self.pos < len(self.toks)

    def can_consume(self, expected: str, trim: bool = True) -> bool:
        p = self.pos
        if trim:
            while p < len(self.toks) - 1 and self.toks[p].strip() == "":
                p += 1
        if p < len(self.toks) and (self.toks[p].strip() if trim else self.toks[p]) == expected:
            self.pos = p + 1
            return True
        return False

    def next(self) -> str:
        if self.pos >= len(self.toks):
            raise DataException("Unexpected end of text: " + self.original)
        t = self.toks[self.pos]
        self.pos += 1
        return t

    def previous(self) -> str | None:
        return self.toks[self.pos - 1] if self.pos > 0 else None


def parse_string(value: str | None) -> SchemaAndValue | None:
    """``Values.parseString``: None for None (and for the literal ``null``)."""
    if value is None:
        return None
    if value == "":
        return SchemaAndValue(Schema.STRING_SCHEMA, value)
    return _parse(_Tokens(value), False)


def _parse(p: _Tokens, embedded: bool) -> SchemaAndValue | None:
    if not p.has_next():
        return None
    if embedded and p.can_consume('"'):
        return _parse_quoted(p)
    start = p.pos
    for literal, result in _LITERALS:
        if p.can_consume(literal):
            if embedded or not p.has_next():
                return result
            p.pos = start
    start = p.pos
    try:
        if p.can_consume("["):
            return _parse_array(p)
        if p.can_consume("{"):
            return _parse_map(p)
    except DataException:
        p.pos = start
    token = p.next()
    if token.strip() == "":
        return SchemaAndValue(Schema.STRING_SCHEMA, token)
    token = token.strip()
    first = token[0]
    if first.isdigit():
        temporal = _parse_temporal(p, token)
        if temporal is not None:
            return temporal
    if first.isdigit() or first in "+-":
        number = _parse_number(token)
        if number is not None:
            return number
    if embedded:
        raise DataException("Failed to parse embedded value")
    return SchemaAndValue(Schema.STRING_SCHEMA, p.original)


def _parse_quoted(p: _Tokens) -> SchemaAndValue:
    parts: list[str] = []
    while p.has_next():
        if p.can_consume('"', trim=False):
            break
        t = p.next()
        parts.append(t)
        if t == "\\" and p.has_next():
            parts.append(p.next())
    content = "".join(parts)
    parsed = parse_string(content)
    if parsed is not None and parsed.schema is not None and parsed.schema.name in _TEMPORAL:
        return parsed
    return SchemaAndValue(Schema.STRING_SCHEMA, content)


def _parse_array(p: _Tokens) -> SchemaAndValue:
    result: list[Any] = []
    merger = _SchemaMerger()
    while p.has_next():
        if p.can_consume("]"):
            if merger.common is not None:
                schema = SchemaBuilder.array(merger.common).build()
                return SchemaAndValue(schema, [_align(merger.common, v) for v in result])
            return SchemaAndValue(_ARRAY_OF_NULL, result)
        if p.can_consume(","):
            raise DataException("Unable to parse an empty array element: " + p.original)
        element = _parse(p, True)
        merger.merge(element)
        result.append(element.value if element is not None else None)
        mark = p.pos
        if p.can_consume("]"):
            p.pos = mark
        elif not p.can_consume(","):
            raise DataException("Array elements missing ',' delimiter")
    if p.previous() == ",":
        raise DataException("Array is missing element after ',': " + p.original)
    raise DataException("Array is missing terminating ']': " + p.original)


def _parse_map(p: _Tokens) -> SchemaAndValue:
    result: dict[Any, Any] = {}
    keys, values = _SchemaMerger(), _SchemaMerger()
    while p.has_next():
        if p.can_consume("}"):
            if keys.common is not None and values.common is not None:
                schema = SchemaBuilder.map(keys.common, values.common).build()
                out = {_align(keys.common, k): _align(values.common, v) for k, v in result.items()}
                return SchemaAndValue(schema, out)
            if keys.common is not None:
                schema = Schema(Type.MAP, key_schema=keys.common, value_schema=None)
                return SchemaAndValue(schema, {_align(keys.common, k): v for k, v in result.items()})
            return SchemaAndValue(_MAP_OF_NULL, result)
        if p.can_consume(","):
            raise DataException("Unable to parse a map entry with no key or value: " + p.original)
        key = _parse(p, True)
        if key is None or key.value is None:
            raise DataException("Map entry may not have a null key: " + p.original)
        if not p.can_consume(":"):
            raise DataException(f"Map entry is missing ':' at {p.pos} in {p.original}")
        value = _parse(p, True)
        try:
            result[key.value] = value.value if value is not None else None
        except TypeError as e:
            raise DataException("Map keys must be primitive values: " + p.original) from e
        p.can_consume(",")
        keys.merge(key)
        values.merge(value)
    if p.previous() == ",":
        raise DataException("Map is missing element after ',': " + p.original)
    raise DataException("Map is missing terminating '}': " + p.original)


_LITERALS = (
    ("true", SchemaAndValue(Schema.BOOLEAN_SCHEMA, True)),
    ("false", SchemaAndValue(Schema.BOOLEAN_SCHEMA, False)),
    ("null", None),
)
_ARRAY_OF_NULL = Schema(Type.ARRAY, value_schema=None)
_MAP_OF_NULL = Schema(Type.MAP, key_schema=None, value_schema=None)
_INTS = (Type.INT8, Type.INT16, Type.INT32, Type.INT64)
_WIDTH = {Type.INT8: 0, Type.INT16: 1, Type.INT32: 2, Type.INT64: 3, Type.FLOAT32: 4, Type.FLOAT64: 5}


class _SchemaMerger:
    __slots__ = ("common", "compatible")

    def __init__(self) -> None:
        self.common: Schema | None = None
        self.compatible = True

    def merge(self, latest: SchemaAndValue | None) -> None:
        if latest is None or latest.schema is None or not self.compatible:
            return
        if self.common is None:
            self.common = latest.schema
            return
        self.common = _common_schema(self.common, latest.schema)
        if self.common is None:
            self.compatible = False


def _common_schema(previous: Schema, new: Schema) -> Schema | None:
    if previous.type is not new.type:
        if previous.type in _WIDTH and new.type in _WIDTH:
            return new if _WIDTH[new.type] > _WIDTH[previous.type] else previous
        return None
    if previous.optional == new.optional:
        return previous if previous.optional else new
    return previous if previous == new else None


def _align(schema: Schema, value: Any) -> Any:
    if value is None:
        if schema.optional:
            return None
        raise DataException(f"Unable to convert a null value to a schema that requires a value: {schema.type.name}")
    if schema.type in (Type.FLOAT32, Type.FLOAT64) and not isinstance(value, float):
        return float(value)
    return value


def _parse_number(token: str) -> SchemaAndValue | None:
    if not _NUMBER.fullmatch(token):
        return None
    dec = _decimal.Decimal(token)
    exp = dec.as_tuple().exponent
    assert isinstance(exp, int)
    scale = -exp
    # adjusted() bounds the digit count: never build a huge int from text like "1e999999999"
    if dec.adjusted() <= 19 and dec == dec.to_integral_value():
        n = int(dec)
        if _LONG_MIN <= n <= _LONG_MAX:
            if -(2**7) <= n < 2**7:
                return SchemaAndValue(Schema.INT8_SCHEMA, n)
            if -(2**15) <= n < 2**15:
                return SchemaAndValue(Schema.INT16_SCHEMA, n)
            if -(2**31) <= n < 2**31:
                return SchemaAndValue(Schema.INT32_SCHEMA, n)
            return SchemaAndValue(Schema.INT64_SCHEMA, n)
    if scale != 0:
        d = float(dec)
        if abs(d) != float("inf") and _fits_float32(d):
            return SchemaAndValue(Schema.FLOAT32_SCHEMA, d)
        if abs(d) != float("inf"):
            return SchemaAndValue(Schema.FLOAT64_SCHEMA, d)
    return SchemaAndValue(decimal_schema(scale).build(), dec)


def _fits_float32(d: float) -> bool:
    try:
        _struct.pack(">f", d)
    except OverflowError:
        return False
    return True


def _parse_temporal(p: _Tokens, token: str) -> SchemaAndValue | None:
    # ':' is a delimiter: a time arrives as "12", ":", "00", ":", "00.000Z"; join them back first.
    start = p.pos
    text = token
    while p.pos + 1 < len(p.toks) and p.toks[p.pos] == ":" and p.toks[p.pos + 1][:1].isdigit():
        text += ":" + p.toks[p.pos + 1]
        p.pos += 2
    text = text.strip()
    m = _TS.fullmatch(text)
    if m:
        y, mo, d, h, mi, s, ms = (int(g) for g in m.groups())
        base = _lenient_date(y, mo, d)
        if base is not None:
            millis = (base - _dt.date(1970, 1, 1)).days * _DAY_MS + ((h * 60 + mi) * 60 + s) * 1000 + ms
            return SchemaAndValue(TIMESTAMP_SCHEMA, _EPOCH + _dt.timedelta(milliseconds=millis))
    m = _TIME.fullmatch(text)
    if m:
        h, mi, s, ms = (int(g) for g in m.groups())
        millis = ((h * 60 + mi) * 60 + s) * 1000 + ms
        if 0 <= millis < _DAY_MS:
            return SchemaAndValue(
                TIME_SCHEMA,
                _dt.time(millis // 3_600_000, millis // 60_000 % 60, millis // 1000 % 60, millis % 1000 * 1000),
            )
    m = _DATE.fullmatch(text)
    if m:
        day = _lenient_date(*(int(g) for g in m.groups()))
        if day is not None:
            return SchemaAndValue(DATE_SCHEMA, day)
    p.pos = start
    return None


def _lenient_date(y: int, m: int, d: int) -> _dt.date | None:
    """SimpleDateFormat's lenient calendar: month 13 is next January, day 45 rolls into the next month."""
    try:
        first = _dt.date(y + (m - 1) // 12, (m - 1) % 12 + 1, 1)
        return first + _dt.timedelta(days=d - 1)
    except (ValueError, OverflowError):
        return None


# --- Connect value -> text -----------------------------------------------------------------------


def convert_to_string(schema: Schema | None, value: Any) -> str | None:
    """``Values.convertToString``: primitives as text, structures in Connect's JSON-like syntax."""
    if value is None:
        return None
    out: list[str] = []
    _append(out, schema, value, False)
    return "".join(out)


def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _append(out: list[str], schema: Schema | None, value: Any, embedded: bool) -> None:
    if value is None:
        out.append("null")
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        is32 = schema is not None and schema.type is Type.FLOAT32
        out.append(java_float_text(value) if is32 else java_double_text(value))
    elif isinstance(value, _decimal.Decimal):
        out.append(str(value))
    elif isinstance(value, str):
        out.append(f'"{_escape(value)}"' if embedded else value)
    elif isinstance(value, bytes | bytearray | memoryview):
        b64 = base64.b64encode(bytes(value)).decode("ascii")
        out.append(f'"{b64}"' if embedded else b64)
    elif isinstance(value, list | tuple):
        item_schema = schema.value_schema if schema is not None else None
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            _append(out, item_schema, v, True)
        out.append("]")
    elif isinstance(value, dict):
        ks = schema.key_schema if schema is not None else None
        vs = schema.value_schema if schema is not None else None
        out.append("{")
        for i, (k, v) in enumerate(value.items()):
            if i:
                out.append(",")
            _append(out, ks, k, True)
            out.append(":")
            _append(out, vs, v, True)
        out.append("}")
    elif isinstance(value, Struct):
        out.append("{")
        for i, f in enumerate(value.schema.fields):
            if i:
                out.append(",")
            _append(out, None, f.name, True)
            out.append(":")
            _append(out, f.schema, value.get(f.name), True)
        out.append("}")
    elif isinstance(value, _dt.date | _dt.time):
        text = _temporal_text(value)
        out.append(f'"{text}"' if embedded else text)
    else:
        raise DataException(f"Failed to serialize unexpected value type {type(value).__name__}: {value}")


def _temporal_text(value: _dt.date | _dt.time) -> str:
    if isinstance(value, _dt.datetime):
        millis = timestamp_to_millis(value)
    elif isinstance(value, _dt.date):
        return value.isoformat()
    else:
        millis = ((value.hour * 60 + value.minute) * 60 + value.second) * 1000 + value.microsecond // 1000
    # Java picks the format from the value: < 1 day -> time, whole days -> date, else timestamp.
    t = _EPOCH + _dt.timedelta(milliseconds=millis)
    if 0 <= millis < _DAY_MS:
        return f"{t:%H:%M:%S}.{t.microsecond // 1000:03d}Z"
    if millis % _DAY_MS == 0:
        return t.date().isoformat()
    return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}Z"


def java_to_string(value: Any) -> str:
    """Java's ``String.valueOf(value)`` for Connect values (``StringConverter`` writes this)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return java_double_text(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(java_to_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{java_to_string(k)}={java_to_string(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Struct):
        inner = ",".join(f"{k}={java_to_string(v)}" for k, v in value.items() if v is not None)
        return "Struct{" + inner + "}"
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)
