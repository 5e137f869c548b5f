"""``io.confluent.connect.hdfs.parquet.ParquetFormat``: a Parquet file (snappy) whose columns are the
fields of the records' Connect value schema, written with pyarrow (imported only when this format is
configured). Connect types map to Parquet as Confluent's (via Avro) do: integers, floats, boolean,
string, bytes, arrays (lists), maps, structs, and the logical Decimal, Date, Time and Timestamp."""

from __future__ import annotations

import io
from typing import Any

from genesis_worker.api import DataException, Schema, SinkRecord, Struct, Type
from genesis_worker.api.data import (
    DATE_LOGICAL_NAME,
    DECIMAL_LOGICAL_NAME,
    DECIMAL_SCALE_FIELD,
    TIME_LOGICAL_NAME,
    TIMESTAMP_LOGICAL_NAME,
)

PRECISION_PARAM = "connect.decimal.precision"


def _pa() -> Any:
    try:
        import pyarrow
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise DataException("ParquetFormat needs the pyarrow package (pip install pyarrow)") from e
    return pyarrow


def arrow_type(schema: Schema) -> Any:
    """The Arrow type of a Connect schema."""
    pa = _pa()
    if schema.name == DECIMAL_LOGICAL_NAME:
        params = schema.params
        scale = int(params.get(DECIMAL_SCALE_FIELD, "0"))
        precision = int(params.get(PRECISION_PARAM, "38"))
        return pa.decimal128(max(precision, scale, 1), scale) if precision <= 38 else pa.decimal256(precision, scale)
    if schema.name == DATE_LOGICAL_NAME:
        return pa.date32()
    if schema.name == TIME_LOGICAL_NAME:
        return pa.time32("ms")
    if schema.name == TIMESTAMP_LOGICAL_NAME:
        return pa.timestamp("ms", tz="UTC")
    t = schema.type
    simple = {
        Type.INT8: pa.int8(),
        Type.INT16: pa.int16(),
        Type.INT32: pa.int32(),
        Type.INT64: pa.int64(),
        Type.FLOAT32: pa.float32(),
        Type.FLOAT64: pa.float64(),
        Type.BOOLEAN: pa.bool_(),
        Type.STRING: pa.string(),
        Type.BYTES: pa.binary(),
    }
    if t in simple:
        return simple[t]
    if t is Type.ARRAY:
        assert schema.value_schema is not None
        return pa.list_(pa.field("element", arrow_type(schema.value_schema), schema.value_schema.optional))
    if t is Type.MAP:
        assert schema.key_schema is not None and schema.value_schema is not None
        return pa.map_(arrow_type(schema.key_schema), arrow_type(schema.value_schema))
    if t is Type.STRUCT:
        return pa.struct([pa.field(f.name, arrow_type(f.schema), f.schema.optional) for f in schema.fields])
    raise DataException(f"ParquetFormat cannot write Connect type {t}")


def arrow_schema(schema: Schema) -> Any:
    """The file schema: a struct value's fields are the columns; another value is one column ``value``."""
    pa = _pa()
    if schema.type is Type.STRUCT:
        return pa.schema([pa.field(f.name, arrow_type(f.schema), f.schema.optional) for f in schema.fields])
    return pa.schema([pa.field("value", arrow_type(schema), schema.optional)])


def to_python(schema: Schema, value: Any) -> Any:
    """A Connect value as the Python value pyarrow takes for :func:`arrow_type` of its schema."""
    if value is None:
        if schema.default is not None:
            return to_python(schema, schema.default)
        if not schema.optional:
            raise DataException(f"Found null value for non-optional schema {schema.name or schema.type}")
        return None
    if schema.name in (DECIMAL_LOGICAL_NAME, DATE_LOGICAL_NAME, TIME_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME):
        return value
    t = schema.type
    if t is Type.STRUCT:
        if not isinstance(value, Struct):
            raise DataException(f"Expected a Struct for schema {schema.name or 'struct'}, got {type(value).__name__}")
        return {f.name: to_python(f.schema, value.get(f.name)) for f in schema.fields}
    if t is Type.ARRAY:
        assert schema.value_schema is not None
        return [to_python(schema.value_schema, v) for v in value]
    if t is Type.MAP:
        assert schema.key_schema is not None and schema.value_schema is not None
        return [(to_python(schema.key_schema, k), to_python(schema.value_schema, v)) for k, v in value.items()]
    return value


def row_of(record: SinkRecord) -> dict[str, Any]:
    schema = record.value_schema
    if schema is None:
        raise DataException("ParquetFormat needs records with a value schema (use a converter with schemas)")
    value = to_python(schema, record.value)
    return value if schema.type is Type.STRUCT else {"value": value}


def parquet_bytes(schema: Schema, rows: list[dict[str, Any]]) -> bytes:
    pa = _pa()
    import pyarrow.parquet as pq

    try:
        table = pa.Table.from_pylist(rows, schema=arrow_schema(schema))
    except (pa.ArrowException, TypeError, ValueError, OverflowError) as e:
        raise DataException(f"Cannot write records as Parquet: {e}") from e
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="snappy")
    return buf.getvalue()


def check_row(schema: Schema, row: dict[str, Any]) -> None:
    """Convert one row alone, so a record Arrow cannot take fails by itself (DataException)."""
    pa = _pa()
    try:
        pa.Table.from_pylist([row], schema=arrow_schema(schema))
    except (pa.ArrowException, TypeError, ValueError, OverflowError) as e:
        raise DataException(f"Cannot write the record as Parquet: {e}") from e
