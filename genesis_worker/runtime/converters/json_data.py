"""Connect data <-> JSON trees, as ``org.apache.kafka.connect.json.JsonConverter`` maps them.

JSON trees are the plain Python values ``orjson`` reads and writes (dict, list, str, int, float, bool,
None). Schemas are written with Java's member order (``type`` first; ``items``/``keys``/``values``/
``fields``; then ``optional``, ``name``, ``version``, ``doc``, ``parameters``, ``default``), so the
bytes are the same as a Java worker's.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import decimal as _decimal
from collections.abc import Callable
from typing import Any

import orjson

from genesis_worker.api.data import (
    DATE_LOGICAL_NAME,
    DECIMAL_LOGICAL_NAME,
    DECIMAL_SCALE_FIELD,
    TIME_LOGICAL_NAME,
    TIMESTAMP_LOGICAL_NAME,
    Schema,
    SchemaBuilder,
    Struct,
    Type,
    date_from_days,
    date_to_days,
    decimal_from_bytes,
    time_from_millis,
    time_to_millis,
    timestamp_from_millis,
    timestamp_to_millis,
)
from genesis_worker.api.errors import DataException

_BY_NAME: dict[str, Type] = {t.value: t for t in Type}


class JavaFloat(float):
    """A float that Java holds as a 32-bit ``Float`` (e.g. a schemaless ``Cast`` to float32): written with
    ``Float.toString`` (``0.1``), not as the double it widens to (``0.10000000149011612``)."""

    __slots__ = ()


def java_class_of(value: Any) -> str:
    """The Java class name a Java worker would show for a value of this Python type (error messages)."""
    return _JAVA_CLASSES.get(type(value), f"class {type(value).__name__}")


_JAVA_CLASSES: dict[type, str] = {
    bool: "class java.lang.Boolean",
    int: "class java.lang.Long",
    float: "class java.lang.Double",
    str: "class java.lang.String",
    bytes: "class [B",
    list: "class java.util.ArrayList",
    dict: "class java.util.HashMap",
    Struct: "class org.apache.kafka.connect.data.Struct",
    _decimal.Decimal: "class java.math.BigDecimal",
    _dt.datetime: "class java.util.Date",
    _dt.date: "class java.util.Date",
    _dt.time: "class java.util.Date",
}


def node_type(node: Any) -> str:
    """Jackson's ``JsonNodeType`` name of a JSON tree node."""
    if node is None:
        return "NULL"
    if isinstance(node, bool):
        return "BOOLEAN"
    if isinstance(node, int | float | _decimal.Decimal):
        return "NUMBER"
    if isinstance(node, str):
        return "STRING"
    if isinstance(node, list):
        return "ARRAY"
    if isinstance(node, dict):
        return "OBJECT"
    return "POJO"


def decimal_scale(schema: Schema) -> int:
    params = schema.params
    if DECIMAL_SCALE_FIELD not in params:
        raise DataException("Invalid Decimal schema: scale parameter not found.")
    return int(params[DECIMAL_SCALE_FIELD])


def decimal_unscaled_bytes(schema: Schema, value: _decimal.Decimal) -> bytes:
    """``Decimal.fromLogical``: the unscaled value as big-endian two's complement; the scale must match."""
    scale = decimal_scale(schema)
    exp = value.as_tuple().exponent
    if not isinstance(exp, int):
        raise DataException(f"Decimal value {value} cannot be encoded")
    if -exp != scale:
        rescaled = value.scaleb(scale)
        if rescaled != rescaled.to_integral_value():
            raise DataException("BigDecimal has mismatching scale value for given Decimal schema")
        unscaled = int(rescaled)
    else:
        unscaled = int(value.scaleb(scale))
    length = max(1, (unscaled.bit_length() + 8) // 8)
    return unscaled.to_bytes(length, "big", signed=True)


# --- Connect schema -> JSON schema ---------------------------------------------------------------


def as_json_schema(schema: Schema | None, decimal_numeric: bool = False) -> dict[str, Any] | None:
    """``JsonConverter.asJsonSchema``: the schema as a JSON object (None for a null schema)."""
    if schema is None:
        return None
    out: dict[str, Any] = {"type": schema.type.value}
    t = schema.type
    if t is Type.ARRAY:
        out["items"] = as_json_schema(schema.value_schema, decimal_numeric)
    elif t is Type.MAP:
        out["keys"] = as_json_schema(schema.key_schema, decimal_numeric)
        out["values"] = as_json_schema(schema.value_schema, decimal_numeric)
    elif t is Type.STRUCT:
        fields = []
        for f in schema.fields:
            fj = dict(as_json_schema(f.schema, decimal_numeric) or {})
            fj["field"] = f.name
            fields.append(fj)
        out["fields"] = fields
    out["optional"] = schema.optional
    if schema.name is not None:
        out["name"] = schema.name
    if schema.version is not None:
        out["version"] = schema.version
    if schema.doc is not None:
        out["doc"] = schema.doc
    if schema.parameters is not None:
        out["parameters"] = dict(schema.parameters)
    if schema.default is not None:
        out["default"] = to_json(schema, schema.default, decimal_numeric, True)
    return out


# --- JSON schema -> Connect schema ---------------------------------------------------------------


def as_connect_schema(node: Any, replace_null_with_default: bool = True) -> Schema | None:
    """``JsonConverter.asConnectSchema``: parse a JSON schema object (None for JSON null)."""
    if node is None:
        return None
    if not isinstance(node, dict):
        raise DataException("Schema must contain 'type' field")
    type_name = node.get("type")
    if not isinstance(type_name, str):
        raise DataException("Schema must contain 'type' field")
    builder: SchemaBuilder
    if type_name == "array":
        items = node.get("items")
        if items is None:
            raise DataException("Array schema did not specify the element type")
        builder = SchemaBuilder.array(_required(as_connect_schema(items, replace_null_with_default)))
    elif type_name == "map":
        if "keys" not in node:
            raise DataException("Map schema did not specify the key type")
        if "values" not in node:
            raise DataException("Map schema did not specify the value type")
        builder = SchemaBuilder.map(
            _required(as_connect_schema(node["keys"], replace_null_with_default)),
            _required(as_connect_schema(node["values"], replace_null_with_default)),
        )
    elif type_name == "struct":
        builder = SchemaBuilder.struct()
        fields = node.get("fields")
        if not isinstance(fields, list):
            raise DataException('Struct schema\'s "fields" argument is not an array.')
        for f in fields:
            fname = f.get("field") if isinstance(f, dict) else None
            if not isinstance(fname, str):
                raise DataException("Struct schema's field name not specified properly")
            builder.field(fname, _required(as_connect_schema(f, replace_null_with_default)))
    else:
        t = _BY_NAME.get(type_name)
        if t is None:
            raise DataException("Unknown schema type: " + type_name)
        builder = SchemaBuilder(t)
    if node.get("optional") is True:
        builder.optional()
    name = node.get("name")
    if isinstance(name, str):
        builder.name(name)
    version = node.get("version")
    if isinstance(version, int) and not isinstance(version, bool):
        builder.version(version)
    doc = node.get("doc")
    if isinstance(doc, str):
        builder.doc(doc)
    params = node.get("parameters")
    if isinstance(params, dict):
        for k, v in params.items():
            if not isinstance(v, str):
                raise DataException("Schema parameters must have string values.")
            builder.parameter(k, v)
    if "default" in node:
        partial = builder.build()
        builder.default_value(to_connect(partial, node["default"], replace_null_with_default))
    return builder.build()


def _required(schema: Schema | None) -> Schema:
    if schema is None:
        raise DataException("Schema must contain 'type' field")
    return schema


# --- Connect value -> JSON tree ------------------------------------------------------------------


def to_json(schema: Schema | None, value: Any, decimal_numeric: bool, replace_null_with_default: bool) -> Any:
    """``JsonConverter.convertToJson``: a Connect value as a JSON tree (bytes become Base64 text)."""
    if value is None:
        if schema is None:
            return None
        if schema.default is not None and replace_null_with_default:
            return to_json(schema, schema.default, decimal_numeric, replace_null_with_default)
        if schema.optional:
            return None
        raise DataException("Conversion error: null value for field that is required and has no default value")
    if schema is not None and schema.name is not None:
        logical = _LOGICAL_TO_JSON.get(schema.name)
        if logical is not None:
            return logical(schema, value, decimal_numeric)
    if schema is None:
        return _schemaless_to_json(value, decimal_numeric, replace_null_with_default)
    t = schema.type
    try:
        if t is Type.STRUCT:
            if not isinstance(value, Struct) or (value.schema is not schema and value.schema != schema):
                if not isinstance(value, Struct):
                    raise DataException(f"Invalid type for STRUCT: {java_class_of(value)}")
                raise DataException("Mismatching schema.")
            return {
                f.name: to_json(f.schema, v, decimal_numeric, replace_null_with_default)
                for f, v in zip(schema.fields, value._values, strict=True)
            }
        if t is Type.ARRAY:
            vs = schema.value_schema
            return [to_json(vs, e, decimal_numeric, replace_null_with_default) for e in value]
        if t is Type.MAP:
            ks, vs = schema.key_schema, schema.value_schema
            assert ks is not None
            if ks.type is Type.STRING:
                return {
                    _as_text(to_json(ks, k, decimal_numeric, replace_null_with_default)): to_json(
                        vs, v, decimal_numeric, replace_null_with_default
                    )
                    for k, v in value.items()
                }
            return [
                [
                    to_json(ks, k, decimal_numeric, replace_null_with_default),
                    to_json(vs, v, decimal_numeric, replace_null_with_default),
                ]
                for k, v in value.items()
            ]
        if t is Type.BYTES:
            if not isinstance(value, bytes | bytearray | memoryview):
                raise DataException(f"Invalid type for bytes type: {java_class_of(value)}")
            return base64.b64encode(bytes(value)).decode("ascii")
        expected = _PRIMITIVE_PY[t]
        if not isinstance(value, expected) or (isinstance(value, bool) and t is not Type.BOOLEAN):
            raise DataException(f"Invalid type for {t.java_name}: {java_class_of(value)}")
        if t is Type.FLOAT64:
            return orjson.Fragment(java_double_text(float(value)))  # type: ignore[arg-type]
        if t is Type.FLOAT32:
            return orjson.Fragment(java_float_text(float(value)))  # type: ignore[arg-type]
        return value
    except (AttributeError, TypeError):
        raise DataException(f"Invalid type for {t.java_name}: {java_class_of(value)}") from None


_PRIMITIVE_PY: dict[Type, type | tuple[type, ...]] = {
    Type.INT8: int,
    Type.INT16: int,
    Type.INT32: int,
    Type.INT64: int,
    Type.FLOAT32: (float, int),
    Type.FLOAT64: (float, int),
    Type.BOOLEAN: bool,
    Type.STRING: str,
}


def _as_text(node: Any) -> str:
    """Jackson's ``JsonNode.asText()`` of a map key node."""
    if isinstance(node, str):
        return node
    if node is None:
        return "null"
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)


def _schemaless_to_json(value: Any, decimal_numeric: bool, rnd: bool) -> Any:
    if isinstance(value, float):
        return orjson.Fragment(java_float_text(value) if type(value) is JavaFloat else java_double_text(value))
    if isinstance(value, bool | str | int):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, list | tuple):
        return [to_json(None, e, decimal_numeric, rnd) for e in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: to_json(None, v, decimal_numeric, rnd) for k, v in value.items()}
        return [
            [to_json(None, k, decimal_numeric, rnd), to_json(None, v, decimal_numeric, rnd)] for k, v in value.items()
        ]
    if isinstance(value, Struct):
        raise DataException("Mismatching schema.")
    raise DataException(f"Java class {java_class_of(value)} does not have corresponding schema type.")


def _decimal_to_json(schema: Schema, value: Any, decimal_numeric: bool) -> Any:
    if not isinstance(value, _decimal.Decimal):
        raise DataException(f"Invalid type for Decimal, expected BigDecimal but was {java_class_of(value)}")
    if decimal_numeric:
        return orjson.Fragment(str(value).encode())
    return base64.b64encode(decimal_unscaled_bytes(schema, value)).decode("ascii")


def _date_to_json(schema: Schema, value: Any, _n: bool) -> Any:
    if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
        if isinstance(value, _dt.datetime):
            if value.time() != _dt.time(0) or (value.utcoffset() not in (None, _dt.timedelta(0))):
                raise DataException("Kafka Connect Date type should not have any time fields set to non-zero values.")
            return date_to_days(value.date())
        raise DataException(f"Invalid type for Date, expected Date but was {java_class_of(value)}")
    return date_to_days(value)


def _time_to_json(schema: Schema, value: Any, _n: bool) -> Any:
    if isinstance(value, _dt.time):
        return time_to_millis(value)
    if isinstance(value, _dt.datetime):
        d = timestamp_to_millis(value)
        if d < 0 or d >= 86_400_000:
            raise DataException("Kafka Connect Time type should not have any date fields set to non-zero values.")
        return d
    raise DataException(f"Invalid type for Time, expected Date but was {java_class_of(value)}")


def _timestamp_to_json(schema: Schema, value: Any, _n: bool) -> Any:
    if isinstance(value, _dt.datetime):
        return timestamp_to_millis(value)
    if isinstance(value, _dt.date):
        return date_to_days(value) * 86_400_000
    raise DataException(f"Invalid type for Timestamp, expected Date but was {java_class_of(value)}")


_LOGICAL_TO_JSON: dict[str, Callable[[Schema, Any, bool], Any]] = {
    DECIMAL_LOGICAL_NAME: _decimal_to_json,
    DATE_LOGICAL_NAME: _date_to_json,
    TIME_LOGICAL_NAME: _time_to_json,
    TIMESTAMP_LOGICAL_NAME: _timestamp_to_json,
}


# --- JSON tree -> Connect value ------------------------------------------------------------------

_INT_LIMITS = {
    Type.INT8: (-(2**7), 2**7 - 1),
    Type.INT16: (-(2**15), 2**15 - 1),
    Type.INT32: (-(2**31), 2**31 - 1),
    Type.INT64: (-(2**63), 2**63 - 1),
}


def to_connect(schema: Schema | None, node: Any, replace_null_with_default: bool = True) -> Any:
    """``JsonConverter.convertToConnect``: a JSON tree as a Connect value of ``schema``.

    Without a schema the tree is already the Connect value (integral -> INT64, other numbers ->
    FLOAT64, objects -> maps), so it is returned as is.
    """
    if schema is None:
        return node
    if node is None:
        if schema.default is not None and replace_null_with_default:
            return schema.default
        if schema.optional:
            return None
        raise DataException(f"Invalid null value for required {schema.type.java_name} field")
    if schema.name is not None:
        logical = _LOGICAL_TO_CONNECT.get(schema.name)
        if logical is not None:
            return logical(schema, node)
    t = schema.type
    if t is Type.STRUCT:
        if not isinstance(node, dict):
            raise DataException(f"Structs should be encoded as JSON objects, but found {node_type(node)}")
        struct = Struct(schema)
        values = struct._values
        for f in schema.fields:
            v = to_connect(f.schema, node.get(f.name), replace_null_with_default)
            if v is not None:
                values[f.index] = v
        return struct
    if t is Type.ARRAY:
        if not isinstance(node, list):
            raise DataException(f"Arrays should be encoded as JSON arrays, but found {node_type(node)}")
        vs = schema.value_schema
        return [to_connect(vs, e, replace_null_with_default) for e in node]
    if t is Type.MAP:
        ks, vs = schema.key_schema, schema.value_schema
        assert ks is not None
        if ks.type is Type.STRING:
            if not isinstance(node, dict):
                raise DataException(
                    f"Maps with string fields should be encoded as JSON objects, but found {node_type(node)}"
                )
            return {k: to_connect(vs, v, replace_null_with_default) for k, v in node.items()}
        if not isinstance(node, list):
            raise DataException(
                f"Maps with non-string fields should be encoded as JSON array of tuples, but found {node_type(node)}"
            )
        out: dict[Any, Any] = {}
        for entry in node:
            if not isinstance(entry, list):
                raise DataException(f"Found invalid map entry instead of array tuple: {node_type(entry)}")
            if len(entry) != 2:
                raise DataException(f"Found invalid map entry, expected length 2 but found :{len(entry)}")
            out[to_connect(ks, entry[0], replace_null_with_default)] = to_connect(
                vs, entry[1], replace_null_with_default
            )
        return out
    if t is Type.BYTES:
        if not isinstance(node, str):
            raise DataException(f"Invalid bytes field: expected a Base64 string but found {node_type(node)}")
        try:
            return base64.b64decode(node, validate=True)
        except (binascii.Error, ValueError) as e:
            raise DataException(f"Invalid bytes field: {e}") from e
    if t is Type.STRING:
        if not isinstance(node, str):
            raise DataException(f"Invalid value for STRING field: expected a JSON string but found {node_type(node)}")
        return node
    if t is Type.BOOLEAN:
        if not isinstance(node, bool):
            raise DataException(f"Invalid value for BOOLEAN field: expected true/false but found {node_type(node)}")
        return node
    if t in (Type.FLOAT32, Type.FLOAT64):
        if isinstance(node, bool) or not isinstance(node, int | float | _decimal.Decimal):
            raise DataException(f"Invalid value for {t.java_name} field: expected a number but found {node_type(node)}")
        return float(node) or 0.0  # Jackson reads numbers as BigDecimal, which has no -0.0
    # integers
    if isinstance(node, bool) or not isinstance(node, int | float | _decimal.Decimal):
        raise DataException(f"Invalid value for {t.java_name} field: expected a number but found {node_type(node)}")
    n = int(node)
    lo, hi = _INT_LIMITS[t]
    if not lo <= n <= hi:
        raise DataException(f"Value {node} out of range for schema type {t.java_name}")
    return n


def _decimal_to_connect(schema: Schema, node: Any) -> Any:
    if isinstance(node, bool):
        raise DataException(
            f"Invalid type for Decimal, underlying representation should be numeric or bytes but was {node_type(node)}"
        )
    if isinstance(node, _decimal.Decimal):
        return node
    if isinstance(node, int):
        return _decimal.Decimal(node)
    if isinstance(node, float):
        return _decimal.Decimal(repr(node))
    if isinstance(node, str):
        try:
            return decimal_from_bytes(base64.b64decode(node, validate=True), decimal_scale(schema))
        except (binascii.Error, ValueError) as e:
            raise DataException("Invalid bytes for Decimal field") from e
    raise DataException(
        f"Invalid type for Decimal, underlying representation should be numeric or bytes but was {node_type(node)}"
    )


def _date_to_connect(schema: Schema, node: Any) -> Any:
    if not isinstance(node, int) or isinstance(node, bool) or not -(2**31) <= node < 2**31:
        raise DataException(
            f"Invalid type for Date, underlying representation should be integer but was {node_type(node)}"
        )
    return date_from_days(node)


def _time_to_connect(schema: Schema, node: Any) -> Any:
    if not isinstance(node, int) or isinstance(node, bool) or not -(2**31) <= node < 2**31:
        raise DataException(
            f"Invalid type for Time, underlying representation should be integer but was {node_type(node)}"
        )
    return time_from_millis(node)


def _timestamp_to_connect(schema: Schema, node: Any) -> Any:
    if not isinstance(node, int) or isinstance(node, bool):
        raise DataException(
            f"Invalid type for Timestamp, underlying representation should be integral but was {node_type(node)}"
        )
    return timestamp_from_millis(node)


_LOGICAL_TO_CONNECT: dict[str, Callable[[Schema, Any], Any]] = {
    DECIMAL_LOGICAL_NAME: _decimal_to_connect,
    DATE_LOGICAL_NAME: _date_to_connect,
    TIME_LOGICAL_NAME: _time_to_connect,
    TIMESTAMP_LOGICAL_NAME: _timestamp_to_connect,
}


def has_decimal(schema: Schema | None) -> bool:
    """Whether a Decimal appears anywhere in ``schema`` (numbers must then be read exactly)."""
    if schema is None:
        return False
    if schema.name == DECIMAL_LOGICAL_NAME:
        return True
    if schema.type is Type.STRUCT:
        return any(has_decimal(f.schema) for f in schema.fields)
    if schema.type is Type.ARRAY:
        return has_decimal(schema.value_schema)
    if schema.type is Type.MAP:
        return has_decimal(schema.key_schema) or has_decimal(schema.value_schema)
    return False


# --- number text as Java writes it ---------------------------------------------------------------


def java_double_text(value: float) -> str:
    """``Double.toString``: decimal notation in [1e-3, 1e7), else ``d.dddE<n>``; shortest digits."""
    if 1e-3 <= value < 1e7 or -1e7 < value <= -1e-3 or value == 0:
        return repr(value)  # Python's shortest repr is plain decimal notation here, as Java's
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return _java_fp_text(repr(float(value)), float(value))


def java_float_text(value: float) -> str:
    """``Float.toString`` of ``value`` rounded to 32 bits (shortest digits that read back the same float)."""
    if value != value or value in (float("inf"), float("-inf")):
        return java_double_text(value)
    f32 = _to_f32(value)
    for digits in range(1, 10):
        text = f"{f32:.{digits}g}"
        if _to_f32(float(text)) == f32:
            return _java_fp_text(text, f32)
    return _java_fp_text(repr(f32), f32)


def _to_f32(value: float) -> float:
    import struct

    try:
        return float(struct.unpack(">f", struct.pack(">f", value))[0])
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def _java_fp_text(shortest: str, value: float) -> str:
    if value == 0:
        return "-0.0" if str(value).startswith("-") else "0.0"
    d = _decimal.Decimal(shortest)
    sign, digits_t, exp = d.as_tuple()
    assert isinstance(exp, int)
    digits = "".join(map(str, digits_t)).rstrip("0") or "0"
    # value = 0.digits * 10^(point) where point = len(all digits) + exp
    point = len(digits_t) + exp
    neg = "-" if sign else ""
    a = abs(value)
    if 1e-3 <= a < 1e7:
        if point <= 0:
            return f"{neg}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return f"{neg}{digits}{'0' * (point - len(digits))}.0"
        return f"{neg}{digits[:point]}.{digits[point:]}"
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{neg}{mantissa}E{point - 1}"
