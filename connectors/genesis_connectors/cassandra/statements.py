"""CQL text and write planning, without the driver: INSERT/DELETE statements of a table mapping, the values
bound to them for one record, and the grouping of writes into unlogged batches (same table, same
partition key, at most ``maxNumberOfRecordsInBatch``), as the DataStax connector does."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from genesis_connectors.cassandra.codec import to_cql
from genesis_connectors.cassandra.config import TableConfig
from genesis_connectors.cassandra.mapping import extract_row, extract_special
from genesis_worker.api import DataException, SinkRecord

_UNQUOTED = re.compile(r"^[a-z][a-z0-9_]*$")

UNSET: Any = object()
"""A bound value left unset (the column keeps its value; no tombstone is written): ``nullToUnset``."""


def quote(identifier: str) -> str:
    """A CQL identifier, double-quoted unless it is a plain lower-case name."""
    if _UNQUOTED.match(identifier):
        return identifier
    return '"' + identifier.replace('"', '""') + '"'


@dataclass(frozen=True)
class TableShape:
    """What the sink needs to know of a table: column types (CQL type names) and primary key."""

    keyspace: str
    table: str
    column_types: dict[str, str]
    partition_key: tuple[str, ...]
    clustering_key: tuple[str, ...] = ()

    @property
    def primary_key(self) -> tuple[str, ...]:
        return self.partition_key + self.clustering_key


def check_mapping(cfg: TableConfig, shape: TableShape) -> None:
    """DataStax's start-up checks: mapped columns exist, and every primary key column is mapped."""
    mapped = cfg.mapping.column_names
    unknown = [c for c in mapped if c not in shape.column_types]
    if unknown:
        raise DataException(
            f"Invalid mapping for table {cfg.name}: column(s) {', '.join(unknown)} do not exist in the table"
        )
    missing = [c for c in shape.primary_key if c not in mapped]
    if missing:
        raise DataException(
            f"Invalid mapping for table {cfg.name}: primary key column(s) {', '.join(missing)} must be mapped"
        )


def insert_cql(cfg: TableConfig, shape: TableShape) -> str:
    cols = cfg.mapping.column_names
    cql = (
        f"INSERT INTO {quote(shape.keyspace)}.{quote(shape.table)} ({', '.join(quote(c) for c in cols)}) "
        f"VALUES ({', '.join('?' for _ in cols)})"
    )
    using = []
    if cfg.mapping.ttl is not None or cfg.ttl >= 0:
        using.append("TTL ?")
    if cfg.mapping.timestamp is not None:
        using.append("TIMESTAMP ?")
    if using:
        cql += " USING " + " AND ".join(using)
    return cql


def delete_cql(cfg: TableConfig, shape: TableShape) -> str:
    where = " AND ".join(f"{quote(c)} = ?" for c in shape.primary_key)
    cql = f"DELETE FROM {quote(shape.keyspace)}.{quote(shape.table)}"
    if cfg.mapping.timestamp is not None:
        cql += " USING TIMESTAMP ?"
    return cql + f" WHERE {where}"


@dataclass
class Write:
    """One record's statement: ``kind`` is insert/delete, ``values`` the bound values in marker order
    (:func:`insert_cql` / :func:`delete_cql`)."""

    record: SinkRecord
    table: TableConfig
    kind: str
    values: list[Any]
    routing: tuple[Any, ...]  # partition key values
    primary: tuple[Any, ...] = ()  # primary key values


def plan_write(cfg: TableConfig, shape: TableShape, record: SinkRecord) -> Write:
    """The statement for one record; DataException for a record that cannot be written.

    A record whose mapped non-key columns are all null (a tombstone value) is a DELETE by primary key
    when ``deletesEnabled`` (and the table has columns besides the key), as in the DataStax connector."""
    row = extract_row(cfg.mapping, record)
    key_cols = set(shape.primary_key)
    for c in shape.primary_key:
        if row.get(c) is None:
            raise DataException(f"Primary key column {c} cannot be mapped to null")
    regular = [c for c in row if c not in key_cols]
    timestamp = extract_special(cfg.mapping.timestamp, record, "__timestamp")
    values: list[Any] = []
    if cfg.deletes_enabled and regular and all(row[c] is None for c in regular):
        if cfg.mapping.timestamp is not None:
            if timestamp is None:
                raise DataException("__timestamp cannot be null for a delete")
            values.append(_scaled(timestamp, cfg.timestamp_unit, 1e-6, "__timestamp"))
        values.extend(to_cql(shape.column_types[c], row[c], c) for c in shape.primary_key)
        return Write(record, cfg, "delete", values, _routing(shape, row), _primary(shape, row))
    for c, v in row.items():
        if v is None:
            values.append(UNSET if cfg.null_to_unset else None)
        else:
            values.append(to_cql(shape.column_types[c], v, c))
    if cfg.mapping.ttl is not None:
        ttl = extract_special(cfg.mapping.ttl, record, "__ttl")
        values.append(UNSET if ttl is None else max(0, _scaled(ttl, cfg.ttl_unit, 1.0, "__ttl")))
    elif cfg.ttl >= 0:
        values.append(cfg.ttl)
    if cfg.mapping.timestamp is not None:
        values.append(UNSET if timestamp is None else _scaled(timestamp, cfg.timestamp_unit, 1e-6, "__timestamp"))
    return Write(record, cfg, "insert", values, _routing(shape, row), _primary(shape, row))


def _scaled(v: Any, unit_s: float, target_s: float, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise DataException(f"{what} must be a number, got {type(v).__name__}")
    try:
        n = float(v)
    except ValueError as e:
        raise DataException(f"{what} must be a number, got {v!r}") from e
    return round(n * unit_s / target_s)


def _routing(shape: TableShape, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(_hashable(row[c]) for c in shape.partition_key)


def _primary(shape: TableShape, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(_hashable(row[c]) for c in shape.primary_key)


def _hashable(v: Any) -> Any:
    if isinstance(v, dict):
        return tuple(sorted((k, _hashable(x)) for k, x in v.items()))
    if isinstance(v, (list, set)):
        return tuple(_hashable(x) for x in v)
    try:
        hash(v)
    except TypeError:
        return repr(v)
    return v


@dataclass
class BatchPlan:
    """Writes sent together: one statement, or an unlogged batch of one table and partition key."""

    writes: list[Write] = field(default_factory=list)
    primaries: set[tuple[Any, ...]] = field(default_factory=set)


def group_batches(writes: Iterable[Write], max_batch: int) -> list[BatchPlan]:
    """Group writes by (table, consistency, partition key) in record order, split at ``max_batch``.

    A batch has one consistency level and one write timestamp, so a second write to the same row
    (primary key) starts a new batch: with one timestamp Cassandra would not keep the later record, and
    plans are sent in order with increasing client timestamps, so the later record wins."""
    groups: dict[tuple[Any, ...], BatchPlan] = {}
    out: list[BatchPlan] = []
    for w in writes:
        key = (w.table.keyspace, w.table.table, w.table.consistency_level, w.routing)
        plan = groups.get(key)
        if plan is None or len(plan.writes) >= max_batch or w.primary in plan.primaries:
            plan = groups[key] = BatchPlan()
            out.append(plan)
        plan.writes.append(w)
        plan.primaries.add(w.primary)
    return out


def records_of(plans: Sequence[BatchPlan]) -> list[SinkRecord]:
    return [w.record for p in plans for w in p.writes]
