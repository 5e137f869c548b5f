"""Partitioners: the directory (``encoded partition``) of a record under ``<topics.dir>/<topic>/``, named as
Confluent's storage-common partitioners name them."""

from __future__ import annotations

import datetime as _dt
import time
import zoneinfo
from collections.abc import Callable, Mapping
from typing import Any

from genesis_connectors.hdfs import config as k
from genesis_worker.api import ConfigException, DataException, SinkRecord, Struct


class Partitioner:
    """Maps a record to its encoded partition (a relative directory path)."""

    def encode_partition(self, record: SinkRecord) -> str:
        raise NotImplementedError

    def record_time(self, record: SinkRecord) -> int | None:
        """The record's time for ``rotate.interval.ms`` (epoch ms), or None when unknown."""
        return record.timestamp


class DefaultPartitioner(Partitioner):
    """``partition=<kafka partition>``."""

    def encode_partition(self, record: SinkRecord) -> str:
        return f"partition={record.original_kafka_partition}"


def _field_value(value: Any, path: str) -> Any:
    """A (dotted) field of a Struct or map value; DataException when it is missing."""
    current = value
    for part in path.split("."):
        if isinstance(current, Struct):
            if current.schema.field(part) is None:
                raise DataException(f"Field {path!r} not found in the record value")
            current = current.get(part)
        elif isinstance(current, Mapping):
            if part not in current:
                raise DataException(f"Field {path!r} not found in the record value")
            current = current[part]
        else:
            raise DataException(f"Cannot read field {path!r}: the record value is not a struct or map")
    return current


class FieldPartitioner(Partitioner):
    """``<field>=<value>`` for each ``partition.field.name``, joined by ``directory.delim``."""

    def __init__(self, fields: list[str], delim: str) -> None:
        if not fields:
            raise ConfigException(
                f"Invalid value [] for configuration {k.PARTITION_FIELD_NAME_CONFIG}: "
                "FieldPartitioner needs at least one field"
            )
        self.fields = fields
        self.delim = delim

    def encode_partition(self, record: SinkRecord) -> str:
        parts = []
        for name in self.fields:
            v = _field_value(record.value, name)
            if isinstance(v, bool):
                text = "true" if v else "false"
            elif isinstance(v, (int, str)):
                text = str(v)
            else:
                raise DataException(
                    f"Error encoding partition: field {name!r} is a {type(v).__name__}, "
                    "only integer, string and boolean fields can name a partition"
                )
            if "/" in text or text in ("", ".", ".."):
                raise DataException(f"Error encoding partition: field {name!r} value {text!r} is not a directory name")
            parts.append(f"{name}={text}")
        return self.delim.join(parts)


# -- time-based --------------------------------------------------------------------------------------

_Piece = Callable[[_dt.datetime], str]


def compile_path_format(fmt: str) -> list[_Piece]:
    """A Joda-Time pattern (numeric fields, quoted literals) as a list of formatters."""
    pieces: list[_Piece] = []
    i, n = 0, len(fmt)
    while i < n:
        c = fmt[i]
        if c == "'":
            j = i + 1
            text = []
            while True:
                if j >= n:
                    raise ConfigException(
                        f"Invalid value {fmt} for configuration {k.PATH_FORMAT_CONFIG}: unterminated quote"
                    )
                if fmt[j] == "'":
                    if j + 1 < n and fmt[j + 1] == "'":
                        text.append("'")
                        j += 2
                        continue
                    break
                text.append(fmt[j])
                j += 1
            literal = "'" if j == i + 1 else "".join(text)
            pieces.append(_literal(literal))
            i = j + 1
        elif c.isalpha():
            j = i
            while j < n and fmt[j] == c:
                j += 1
            pieces.append(_field_piece(c, j - i, fmt))
            i = j
        else:
            pieces.append(_literal(c))
            i += 1
    return pieces


def _literal(text: str) -> _Piece:
    return lambda _d: text


def _field_piece(letter: str, width: int, fmt: str) -> _Piece:
    getters: dict[str, Callable[[_dt.datetime], int]] = {
        "y": lambda d: d.year,
        "Y": lambda d: d.year,
        "M": lambda d: d.month,
        "d": lambda d: d.day,
        "H": lambda d: d.hour,
        "m": lambda d: d.minute,
        "s": lambda d: d.second,
    }
    get = getters.get(letter)
    if get is None:
        raise ConfigException(
            f"Invalid value {fmt} for configuration {k.PATH_FORMAT_CONFIG}: pattern letter {letter!r} is not "
            "supported (use y/Y, M, d, H, m, s and quoted literals)"
        )
    if letter in "yY" and width == 2:
        return lambda d: f"{d.year % 100:02d}"
    return lambda d: f"{get(d):0{width}d}"


class TimeBasedPartitioner(Partitioner):
    """``path.format`` of the record time floored to ``partition.duration.ms`` in ``timezone``."""

    def __init__(self, path_format: str, duration_ms: int, timezone: str, extractor: str, timestamp_field: str) -> None:
        if not path_format.strip():
            raise ConfigException(f"Path format cannot be empty ({k.PATH_FORMAT_CONFIG}).")
        if duration_ms <= 0:
            raise ConfigException(f"Partition duration needs to be a positive ({k.PARTITION_DURATION_MS_CONFIG}).")
        if not timezone.strip():
            raise ConfigException(
                f"Timezone cannot be empty when using a time-based partitioner ({k.TIMEZONE_CONFIG})."
            )
        try:
            self.tz: _dt.tzinfo = zoneinfo.ZoneInfo(timezone.strip())
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as e:
            raise ConfigException(
                f"Invalid value {timezone} for configuration {k.TIMEZONE_CONFIG}: unknown time zone"
            ) from e
        self.pieces = compile_path_format(path_format)
        self.duration_ms = duration_ms
        self.extractor = extractor
        self.timestamp_field = timestamp_field

    def record_time(self, record: SinkRecord) -> int | None:
        if self.extractor == "Wallclock":
            return int(time.time() * 1000)
        if self.extractor == "Record":
            if record.timestamp is None:
                raise DataException(
                    "Unable to determine timestamp using timestamp.extractor Record: no record timestamp"
                )
            return int(record.timestamp)
        return _to_epoch_ms(_field_value(record.value, self.timestamp_field), self.timestamp_field)

    def encode_partition(self, record: SinkRecord) -> str:
        ts = self.record_time(record)
        assert ts is not None
        return self.encode_time(ts)

    def encode_time(self, ts_ms: int) -> str:
        """Confluent's ``TimeBasedPartitioner.getPartition``: floor in local time, then format."""
        local = _dt.datetime.fromtimestamp(ts_ms / 1000, _dt.UTC).astimezone(self.tz)
        offset = local.utcoffset()
        offset_ms = int(offset.total_seconds() * 1000) if offset is not None else 0
        adjusted = ts_ms + offset_ms
        floored = adjusted - adjusted % self.duration_ms - offset_ms
        start = _dt.datetime.fromtimestamp(floored / 1000, _dt.UTC).astimezone(self.tz)
        return "".join(p(start) for p in self.pieces)


def _to_epoch_ms(v: Any, name: str) -> int:
    if isinstance(v, bool):
        raise DataException(f"Timestamp field {name!r} is a boolean")
    if isinstance(v, int):
        return v
    if isinstance(v, _dt.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=_dt.UTC)
        return int(v.timestamp() * 1000)
    if isinstance(v, _dt.date):
        return int(_dt.datetime(v.year, v.month, v.day, tzinfo=_dt.UTC).timestamp() * 1000)
    if isinstance(v, str):
        try:
            parsed = _dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError as e:
            raise DataException(f"Timestamp field {name!r} is not an ISO-8601 timestamp: {v!r}") from e
        return _to_epoch_ms(parsed, name)
    raise DataException(f"Timestamp field {name!r} has unsupported type {type(v).__name__}")


def create_partitioner(cfg: k.HdfsSinkConfig) -> Partitioner:
    kind = cfg.partitioner_kind
    if kind == "Default":
        return DefaultPartitioner()
    if kind == "Field":
        return FieldPartitioner(cfg.get_list(k.PARTITION_FIELD_NAME_CONFIG), cfg.get_str(k.DIRECTORY_DELIM_CONFIG))
    extractor = k.TIMESTAMP_EXTRACTORS[cfg.get_str(k.TIMESTAMP_EXTRACTOR_CONFIG)]
    field = cfg.get_str(k.TIMESTAMP_FIELD_CONFIG)
    tz = cfg.get_str(k.TIMEZONE_CONFIG)
    if kind == "Hourly":
        return TimeBasedPartitioner("'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", 3_600_000, tz, extractor, field)
    if kind == "Daily":
        return TimeBasedPartitioner("'year'=YYYY/'month'=MM/'day'=dd", 86_400_000, tz, extractor, field)
    return TimeBasedPartitioner(
        cfg.get_str(k.PATH_FORMAT_CONFIG), cfg.get_int(k.PARTITION_DURATION_MS_CONFIG), tz, extractor, field
    )
