"""File formats: how the records of one file become its bytes (``format.class``)."""

from __future__ import annotations

import io
from typing import Any

import fastavro
import orjson

from genesis_connectors.hdfs import config as k
from genesis_worker.api import ConfigException, DataException, Schema, SinkRecord
from genesis_worker.runtime.converters.avro_data import from_connect_schema, from_connect_value
from genesis_worker.runtime.converters.json_data import to_json


class Format:
    """Encodes one record at a time (so a bad record fails alone) and a closed file's records at once."""

    extension: str = ""
    needs_schema = False

    def encode(self, record: SinkRecord) -> Any:
        """The record's value in this format's item form; DataException for a value it cannot write."""
        raise NotImplementedError

    def file_bytes(self, schema: Schema | None, items: list[Any]) -> bytes:
        raise NotImplementedError


class JsonFormat(Format):
    """One JSON value per line (``JsonConverter`` with ``schemas.enable=false``), ``.json``."""

    extension = ".json"

    def encode(self, record: SinkRecord) -> bytes:
        try:
            tree = to_json(record.value_schema, record.value, False, True)
            return orjson.dumps(tree) + b"\n"
        except DataException:
            raise
        except Exception as e:
            raise DataException(f"Cannot write the record value as JSON: {e}") from e

    def file_bytes(self, schema: Schema | None, items: list[Any]) -> bytes:
        return b"".join(items)


class AvroFormat(Format):
    """An Avro object container file (deflate) with the Avro schema of the records' Connect schema, ``.avro``.

    All records of one file share one value schema; a record with another schema starts a new file."""

    extension = ".avro"
    needs_schema = True

    def __init__(self) -> None:
        self._parsed: dict[int, tuple[Schema, Any]] = {}

    def _avro_schema(self, schema: Schema) -> Any:
        got = self._parsed.get(id(schema))
        if got is not None and got[0] is schema:
            return got[1]
        parsed = fastavro.parse_schema(from_connect_schema(schema))
        if len(self._parsed) > 64:
            self._parsed.clear()
        self._parsed[id(schema)] = (schema, parsed)
        return parsed

    def encode(self, record: SinkRecord) -> Any:
        schema = record.value_schema
        if schema is None:
            raise DataException("AvroFormat needs records with a value schema (use a converter with schemas)")
        datum = from_connect_value(schema, record.value)
        avro = self._avro_schema(schema)
        if not fastavro.validation.validate(datum, avro, raise_errors=False):
            raise DataException(f"Record value does not match its Avro schema {avro.get('name', avro)!r}")
        return datum

    def file_bytes(self, schema: Schema | None, items: list[Any]) -> bytes:
        assert schema is not None
        buf = io.BytesIO()
        fastavro.writer(buf, self._avro_schema(schema), items, codec="deflate")
        return buf.getvalue()


class ParquetFormat(Format):
    """A Parquet file (snappy) with the columns of the records' value schema, ``.parquet`` (pyarrow).

    All records of one file share one value schema; a record with another schema starts a new file."""

    extension = ".parquet"
    needs_schema = True

    def __init__(self) -> None:
        try:
            import pyarrow.parquet  # noqa: F401
        except ImportError as e:
            raise ConfigException("ParquetFormat needs the pyarrow package: pip install pyarrow") from e

    def encode(self, record: SinkRecord) -> Any:
        from genesis_connectors.hdfs.parquet import check_row, row_of

        row = row_of(record)
        assert record.value_schema is not None
        check_row(record.value_schema, row)
        return row

    def file_bytes(self, schema: Schema | None, items: list[Any]) -> bytes:
        from genesis_connectors.hdfs.parquet import parquet_bytes

        assert schema is not None
        return parquet_bytes(schema, items)


def create_format(format_class: str) -> Format:
    if format_class == k.JSON_FORMAT:
        return JsonFormat()
    if format_class == k.AVRO_FORMAT:
        return AvroFormat()
    if format_class == k.PARQUET_FORMAT:
        return ParquetFormat()
    raise DataException(f"Unsupported format.class {format_class}")
