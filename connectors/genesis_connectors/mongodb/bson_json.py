"""BSON values as JSON text, written exactly as the Java driver's ``JsonWriter`` writes them.

The Java connector turns change-stream documents into strings with ``BsonDocument.toJson(settings)``;
consumers of the topics compare, parse and sometimes hash those strings, so the layout matters:
``{"a": 1, "b": [1, 2]}`` (``": "`` and ``", "`` separators), Java's ``Double.toString`` for doubles,
Java's escaping rules for strings, and the type wrappers of each output mode:

* :data:`STRICT` - ``JsonMode.STRICT``, the connector's ``DefaultJson`` formatter (``{"$numberLong": "1"}``,
  ``{"$date": 1700000000000}``, ``{"$binary": "AQI=", "$type": "00"}``);
* :data:`RELAXED` - ``JsonMode.RELAXED``, the driver's ``toJson()`` default (used for resume tokens);
* :data:`EXTENDED` - ``JsonMode.EXTENDED`` (canonical), the ``ExtendedJson`` formatter;
* :data:`SIMPLIFIED` - the ``SimplifiedJson`` formatter (relaxed, with ObjectId, Decimal128, dates and
  binary as plain strings).

Values are what PyMongo decodes (``Int64`` for int64, ``datetime``/``DatetimeMS`` for dates, ``bytes`` or
``Binary`` for binary, ...).
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
import re
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

from bson import Binary, Code, DBRef, Decimal128, Int64, MaxKey, MinKey, ObjectId, Regex, Timestamp
from bson.datetime_ms import DatetimeMS


class JsonMode(str, Enum):
    STRICT = "strict"
    RELAXED = "relaxed"
    EXTENDED = "extended"
    SIMPLIFIED = "simplified"


STRICT = JsonMode.STRICT
RELAXED = JsonMode.RELAXED
EXTENDED = JsonMode.EXTENDED
SIMPLIFIED = JsonMode.SIMPLIFIED

# Java class names of the connector's JsonWriterSettingsProvider implementations.
FORMATTERS: dict[str, JsonMode] = {
    "com.mongodb.kafka.connect.source.json.formatter.DefaultJson": STRICT,
    "com.mongodb.kafka.connect.source.json.formatter.ExtendedJson": EXTENDED,
    "com.mongodb.kafka.connect.source.json.formatter.SimplifiedJson": SIMPLIFIED,
}

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_MAX_ISO_MS = 253402300799999  # 9999-12-31T23:59:59.999Z, the last date relaxed mode writes as ISO-8601
_PLAIN = re.compile(r"[\x20-\x21\x23-\x5b\x5d-\x7e]*")
# Character.getType categories Java writes unescaped; everything else becomes \uXXXX (per UTF-16 unit).
_KEEP = frozenset({"Lu", "Ll", "Lt", "Lo", "Nd", "Nl", "No", "Zs", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm"})
_KEEP |= {"Sc", "Sk", "So"}
_ESC = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def java_string(s: str) -> str:
    """A JSON string literal as Java's ``StrictCharacterStreamJsonWriter`` writes it."""
    if _PLAIN.fullmatch(s):
        return f'"{s}"'
    out = ['"']
    for ch in s:
        esc = _ESC.get(ch)
        if esc is not None:
            out.append(esc)
            continue
        code = ord(ch)
        if 0x20 <= code < 0x7F:
            out.append(ch)
        elif code > 0xFFFF:
            # Java strings are UTF-16: a supplementary character is a surrogate pair, and surrogates escape.
            v = code - 0x10000
            out.append(f"\\u{0xD800 + (v >> 10):04x}\\u{0xDC00 + (v & 0x3FF):04x}")
        elif unicodedata.category(ch) in _KEEP:
            out.append(ch)
        else:
            out.append(f"\\u{code:04x}")
    out.append('"')
    return "".join(out)


def java_double(x: float) -> str:
    """A double as the Java driver's JsonWriter writes it: ``Double.toString`` digits with an explicit
    exponent sign: ``1.0``, ``0.001``, ``1.0E+7``, ``1.0E-4``, ``NaN``, ``Infinity``."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    sign = "-" if x < 0 else ""
    _, digits_t, exp = Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(map(str, digits_t))
    assert isinstance(exp, int)
    point = len(digits) + exp  # position of the decimal point counted from the first digit
    ax = abs(x)
    if 1e-3 <= ax < 1e7:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return f"{sign}{digits}{'0' * (point - len(digits))}.0"
        return f"{sign}{digits[:point]}.{digits[point:]}"
    mantissa = digits[0] + "." + (digits[1:] or "0")
    exponent = point - 1
    return f"{sign}{mantissa}E{'+' if exponent >= 0 else '-'}{abs(exponent)}"


def millis(value: _dt.datetime | DatetimeMS) -> int:
    """Milliseconds since the epoch of a BSON date (naive datetimes are UTC)."""
    if isinstance(value, DatetimeMS):
        return int(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.UTC)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _iso(ms: int) -> str:
    """``DateTimeFormatter.ISO_DATE_TIME`` of a UTC instant: shortest fraction (none when zero), ``Z``,
    a sign and five digits for years after 9999 (as ``java.time`` writes them)."""
    days, rest = divmod(ms, 86_400_000)
    date = _dt.date.fromordinal(_EPOCH_ORDINAL + days) if _MIN_DAYS <= days <= _MAX_DAYS else None
    if date is None:
        year, doy = _far_year(days)
        date_text = f"+{year}-{doy}"
    else:
        date_text = date.isoformat()
    secs, milli = divmod(rest, 1000)
    h, r = divmod(secs, 3600)
    m, sec = divmod(r, 60)
    frac = f"{milli:03d}".rstrip("0")
    return f"{date_text}T{h:02d}:{m:02d}:{sec:02d}{'.' + frac if frac else ''}Z"


_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()
_MIN_DAYS = _dt.date.min.toordinal() - _EPOCH_ORDINAL
_MAX_DAYS = _dt.date.max.toordinal() - _EPOCH_ORDINAL


def _far_year(days: int) -> tuple[int, str]:
    """Year and ``MM-DD`` of a day after 9999-12-31 (proleptic Gregorian, 400-year cycles)."""
    cycles, within = divmod(days - (_dt.date(2000, 1, 1).toordinal() - _EPOCH_ORDINAL), 146_097)
    d = _dt.date(2000, 1, 1) + _dt.timedelta(days=within)
    return d.year + 400 * cycles, d.strftime("%m-%d")


def _binary_parts(value: bytes | Binary | uuid.UUID) -> tuple[str, int]:
    if isinstance(value, uuid.UUID):
        return base64.b64encode(value.bytes).decode(), 4
    subtype = value.subtype if isinstance(value, Binary) else 0
    return base64.b64encode(bytes(value)).decode(), subtype


def _regex_options(flags: int | str) -> str:
    if isinstance(flags, str):
        return "".join(sorted(flags))
    out = ""
    for ch, bit in (("i", re.IGNORECASE), ("l", re.LOCALE), ("m", re.MULTILINE), ("s", re.DOTALL)):
        if flags & bit:
            out += ch
    if flags & re.UNICODE:
        out += "u"
    if flags & re.VERBOSE:
        out += "x"
    return "".join(sorted(out))


class JsonWriter:
    """Writes BSON documents as JSON text in one :class:`JsonMode`."""

    def __init__(self, mode: JsonMode = RELAXED) -> None:
        self.mode = mode
        self._by_type: dict[type, Callable[[Any], str]] = {
            str: java_string,
            bool: lambda v: "true" if v else "false",
            type(None): lambda v: "null",
            int: self._int32,
            Int64: self._int64,
            float: self._double,
            ObjectId: self._object_id,
            Decimal128: self._decimal,
            _dt.datetime: self._date,
            DatetimeMS: self._date,
            bytes: self._binary,
            Binary: self._binary,
            uuid.UUID: self._binary,
            Timestamp: lambda v: f'{{"$timestamp": {{"t": {v.time}, "i": {v.inc}}}}}',
            MinKey: lambda v: '{"$minKey": 1}',
            MaxKey: lambda v: '{"$maxKey": 1}',
            Regex: lambda v: self._regex(v.pattern, v.flags),
            re.Pattern: lambda v: self._regex(v.pattern, v.flags),
            Code: self._code,
            DBRef: lambda v: self.write(v.as_doc()),
        }

    # -- entry point ---------------------------------------------------------------------------------

    def write(self, value: Any) -> str:
        """The JSON text of ``value`` (a document, an array or a single BSON value)."""
        fn = self._by_type.get(type(value))
        if fn is not None:
            return fn(value)
        if isinstance(value, Mapping):
            return self._document(value)
        if isinstance(value, list | tuple):
            return "[" + ", ".join(self.write(v) for v in value) + "]"
        for t, f in self._by_type.items():
            if isinstance(value, t) and t is not type(None):
                return f(value)
        raise TypeError(f"Cannot write a value of type {type(value).__name__} as BSON JSON")

    def _document(self, doc: Mapping[str, Any]) -> str:
        write = self.write
        return "{" + ", ".join(f"{java_string(str(k))}: {write(v)}" for k, v in doc.items()) + "}"

    # -- per type ------------------------------------------------------------------------------------

    def _int32(self, v: int) -> str:
        if not -(2**31) <= v < 2**31:
            return self._int64(Int64(v))
        return f'{{"$numberInt": "{v}"}}' if self.mode is EXTENDED else str(v)

    def _int64(self, v: int) -> str:
        if self.mode in (RELAXED, SIMPLIFIED):
            return str(int(v))
        return f'{{"$numberLong": "{int(v)}"}}'

    def _double(self, v: float) -> str:
        text = java_double(v)
        if self.mode is EXTENDED:
            return f'{{"$numberDouble": "{text}"}}'
        if self.mode in (RELAXED, SIMPLIFIED) and (math.isnan(v) or math.isinf(v)):
            return f'{{"$numberDouble": "{text}"}}'
        return text

    def _object_id(self, v: ObjectId) -> str:
        return f'"{v}"' if self.mode is SIMPLIFIED else f'{{"$oid": "{v}"}}'

    def _decimal(self, v: Decimal128) -> str:
        return f'"{v}"' if self.mode is SIMPLIFIED else f'{{"$numberDecimal": "{v}"}}'

    def _date(self, v: _dt.datetime | DatetimeMS) -> str:
        ms = millis(v)
        if self.mode is STRICT:
            return f'{{"$date": {ms}}}'
        if self.mode is SIMPLIFIED:
            return f'"{_iso(ms)}"'
        if self.mode is RELAXED and 0 <= ms <= _MAX_ISO_MS:
            return f'{{"$date": "{_iso(ms)}"}}'
        return f'{{"$date": {{"$numberLong": "{ms}"}}}}'

    def _binary(self, v: bytes | Binary | uuid.UUID) -> str:
        data, subtype = _binary_parts(v)
        if self.mode is SIMPLIFIED:
            return f'"{data}"'
        if self.mode is STRICT:
            return f'{{"$binary": "{data}", "$type": "{subtype:02X}"}}'
        return f'{{"$binary": {{"base64": "{data}", "subType": "{subtype:02x}"}}}}'

    def _regex(self, pattern: str | bytes, flags: int | str) -> str:
        p = pattern.decode() if isinstance(pattern, bytes) else pattern
        opts = _regex_options(flags)
        if self.mode is STRICT:
            return f'{{"$regex": {java_string(p)}, "$options": "{opts}"}}'
        return f'{{"$regularExpression": {{"pattern": {java_string(p)}, "options": "{opts}"}}}}'

    def _code(self, v: Code) -> str:
        if v.scope is None:
            return f'{{"$code": {java_string(str(v))}}}'
        return f'{{"$code": {java_string(str(v))}, "$scope": {self._document(v.scope)}}}'


_WRITERS = {mode: JsonWriter(mode) for mode in JsonMode}


def to_json(value: Any, mode: JsonMode = RELAXED) -> str:
    """``BsonDocument.toJson(JsonWriterSettings(mode))`` of ``value``."""
    return _WRITERS[mode].write(value)


__all__ = [
    "EXTENDED",
    "FORMATTERS",
    "RELAXED",
    "SIMPLIFIED",
    "STRICT",
    "JsonMode",
    "JsonWriter",
    "java_double",
    "java_string",
    "millis",
    "to_json",
]
