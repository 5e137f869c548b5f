"""``topic.<t>.<ks>.<table>.mapping``: which record field fills which column, DataStax's grammar.

``col1=key, col2=value.user.id, "Mixed Col"=value.name, col3=header.source, col4=now(),
__ttl=value.ttl, __timestamp=value.written_at``

* ``key`` / ``value``: the whole key or value; ``key.<path>`` / ``value.<path>``: a (nested, dotted)
  field of a Struct or map key/value; ``header.<name>``: the last header of that name;
* ``now()``: a new time-based UUID per record (for ``timeuuid`` columns);
* the pseudo-columns ``__ttl`` and ``__timestamp`` set the write's TTL / timestamp from a field
  (scaled by ``ttlTimeUnit`` / ``timestampTimeUnit``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from genesis_worker.api import DataException, SinkRecord, Struct

TTL_COLUMN = "__ttl"
TIMESTAMP_COLUMN = "__timestamp"
_IDENT = re.compile(r'\s*(?:"((?:[^"]|"")+)"|([A-Za-z0-9_]+))\s*')
_SOURCE = re.compile(r"\s*(now\(\)|(?:key|value|header)(?:\.[^,\s]+)?)\s*")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class FieldSource:
    """Where a column's value comes from: ``root`` is key/value/header/now, ``path`` the field names."""

    root: str
    path: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        if self.root == "now":
            return "now()"
        return ".".join((self.root, *self.path))

    def extract(self, record: SinkRecord) -> Any:
        """The field's value (None for a null), or MISSING when the record has no such field."""
        if self.root == "now":
            return uuid.uuid1()
        if self.root == "header":
            header = record.headers.last_with_name(self.path[0]) if record.headers is not None else None
            return MISSING if header is None else header.value
        current = record.key if self.root == "key" else record.value
        for name in self.path:
            if current is None:  # a field of a null key/value (a tombstone) is null
                return None
            if isinstance(current, Struct):
                if current.schema.field(name) is None:
                    return MISSING
                current = current.get(name)
            elif isinstance(current, dict):
                if name not in current:
                    return MISSING
                current = current[name]
            else:
                return MISSING
        return current


@dataclass(frozen=True)
class ColumnMapping:
    """The parsed mapping: regular columns (in order), and the optional TTL / timestamp sources."""

    columns: tuple[tuple[str, FieldSource], ...]
    ttl: FieldSource | None = None
    timestamp: FieldSource | None = None

    @property
    def column_names(self) -> list[str]:
        return [c for c, _ in self.columns]


def parse_mapping(text: str) -> ColumnMapping:
    """Parse ``col=source, ...``; ValueError with the position of the first problem."""
    columns: list[tuple[str, FieldSource]] = []
    ttl = timestamp = None
    pos = 0
    n = len(text)
    if not text.strip():
        raise ValueError("the mapping is empty")
    while pos < n:
        m = _IDENT.match(text, pos)
        if m is None:
            raise ValueError(f"expected a column name at position {pos}")
        column = m.group(1).replace('""', '"') if m.group(1) is not None else m.group(2)
        pos = m.end()
        if pos >= n or text[pos] != "=":
            raise ValueError(f"expected '=' after column {column!r} at position {pos}")
        s = _SOURCE.match(text, pos + 1)
        if s is None:
            raise ValueError(
                f"expected key, value, key.<field>, value.<field>, header.<name> or now() for column {column!r} "
                f"at position {pos + 1}"
            )
        source = _parse_source(s.group(1))
        pos = s.end()
        if pos < n:
            if text[pos] != ",":
                raise ValueError(f"expected ',' at position {pos}")
            pos += 1
            if not text[pos:].strip():
                raise ValueError("trailing ','")
        if column == TTL_COLUMN:
            ttl = source
        elif column == TIMESTAMP_COLUMN:
            timestamp = source
        else:
            if any(c == column for c, _ in columns):
                raise ValueError(f"column {column!r} is mapped twice")
            columns.append((column, source))
    if not columns:
        raise ValueError("no column is mapped")
    return ColumnMapping(tuple(columns), ttl, timestamp)


def _parse_source(text: str) -> FieldSource:
    if text == "now()":
        return FieldSource("now")
    root, _, rest = text.partition(".")
    path = tuple(rest.split(".")) if rest else ()
    if any(not p for p in path):
        raise ValueError(f"empty field name in {text!r}")
    if root == "header" and len(path) != 1:
        raise ValueError(f"header sources name exactly one header: {text!r}")
    return FieldSource(root, path)


def extract_row(mapping: ColumnMapping, record: SinkRecord) -> dict[str, Any]:
    """Column -> value for one record; DataException when a mapped field is missing from the record."""
    row: dict[str, Any] = {}
    for column, source in mapping.columns:
        v = source.extract(record)
        if v is MISSING:
            raise DataException(
                f"Required field '{source.text}' (mapped to column {column}) was missing from record (or may refer "
                f"to an invalid function). Please remove it from the mapping."
            )
        row[column] = v
    return row


def extract_special(source: FieldSource | None, record: SinkRecord, what: str) -> Any:
    if source is None:
        return None
    v = source.extract(record)
    if v is MISSING:
        raise DataException(f"Required field '{source.text}' (mapped to {what}) was missing from record")
    return v
