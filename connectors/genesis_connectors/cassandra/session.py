"""Every call into the DataStax Python driver (``cassandra-driver``) of the Cassandra sink, blocking (run
in an executor): connect, read a table's shape, prepare, and execute planned writes concurrently.

Errors are sorted for the task: :class:`Unreachable` (no host, timeouts, unavailable replicas, overload:
retry later) versus a per-write error (invalid request, unbindable value: the record's fault)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cassandra import (
    ConsistencyLevel,
    CoordinationFailure,
    OperationTimedOut,
    RequestValidationException,
    Unavailable,
    WriteTimeout,
)
from cassandra.auth import PlainTextAuthProvider
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile, NoHostAvailable, Session
from cassandra.concurrent import execute_concurrent
from cassandra.connection import ConnectionException
from cassandra.policies import (
    DCAwareRoundRobinPolicy,
    ExponentialReconnectionPolicy,
    RoundRobinPolicy,
    TokenAwarePolicy,
)
from cassandra.protocol import OverloadedErrorMessage
from cassandra.query import UNSET_VALUE, BatchStatement, BatchType, BoundStatement, PreparedStatement

from genesis_connectors.cassandra.config import CassandraSinkConfig, TableConfig
from genesis_connectors.cassandra.statements import UNSET, BatchPlan, TableShape, delete_cql, insert_cql

log = logging.getLogger(__name__)

_RETRIABLE = (
    NoHostAvailable,
    OperationTimedOut,
    Unavailable,
    WriteTimeout,
    CoordinationFailure,
    ConnectionException,
    OverloadedErrorMessage,
    OSError,
)


class Unreachable(Exception):
    """Cassandra could not be reached or could not take the write now; retry later."""


class NoSuchTable(Exception):
    """The configured keyspace/table does not exist."""


def is_retriable(error: BaseException) -> bool:
    return isinstance(error, _RETRIABLE)


def is_connection_lost(error: BaseException) -> bool:
    """No node could be reached: a fresh connection on the next attempt finds a restarted cluster
    sooner than the driver's reconnection backoff."""
    return isinstance(error, (NoHostAvailable, ConnectionException))


@dataclass
class Outcome:
    """The result of one planned write: None (written) or the error."""

    plan: BatchPlan
    error: BaseException | None


class CassandraSession:
    """A connected driver session with prepared statements per table."""

    def __init__(self, cfg: CassandraSinkConfig) -> None:
        self.cfg = cfg
        self.cluster: Cluster | None = None
        self.session: Session | None = None
        self._prepared: dict[tuple[str, str], PreparedStatement] = {}

    def connect(self) -> None:
        cfg = self.cfg
        points = cfg.contact_points or ["127.0.0.1"]
        hosts: list[Any] = []
        for p in points:
            host, _, port = p.rpartition(":") if p.count(":") == 1 else (p, "", "")
            hosts.append((host, int(port)) if port else p)
        policy = TokenAwarePolicy(DCAwareRoundRobinPolicy(cfg.local_dc) if cfg.local_dc else RoundRobinPolicy())
        auth = PlainTextAuthProvider(cfg.username, cfg.password) if cfg.username else None
        cluster = Cluster(
            hosts,
            port=cfg.port,
            execution_profiles={
                EXEC_PROFILE_DEFAULT: ExecutionProfile(
                    load_balancing_policy=policy, request_timeout=cfg.query_timeout_s
                )
            },
            auth_provider=auth,
            connect_timeout=cfg.connect_timeout_s,
            control_connection_timeout=cfg.connect_timeout_s,
            compression=cfg.compression.lower() if cfg.compression != "None" else False,
            reconnection_policy=ExponentialReconnectionPolicy(0.5, 10.0),
        )
        try:
            session = cluster.connect()
        except Exception as e:
            cluster.shutdown()
            raise Unreachable(f"Cannot connect to Cassandra at {', '.join(points)}:{cfg.port}: {e}") from e
        self.cluster, self.session = cluster, session

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.shutdown()
        self.cluster = self.session = None
        self._prepared.clear()

    def table_shape(self, keyspace: str, table: str) -> TableShape:
        assert self.cluster is not None
        ks = self.cluster.metadata.keyspaces.get(keyspace)
        meta = ks.tables.get(table) if ks is not None else None
        if meta is None:
            self.cluster.refresh_schema_metadata()
            ks = self.cluster.metadata.keyspaces.get(keyspace)
            meta = ks.tables.get(table) if ks is not None else None
        if meta is None:
            raise NoSuchTable(f"Table {keyspace}.{table} does not exist")
        return TableShape(
            keyspace,
            table,
            {name: col.cql_type for name, col in meta.columns.items()},
            tuple(c.name for c in meta.partition_key),
            tuple(c.name for c in meta.clustering_key),
        )

    def prepare(self, cfg: TableConfig, shape: TableShape) -> None:
        assert self.session is not None
        for kind, cql in (("insert", insert_cql(cfg, shape)), ("delete", delete_cql(cfg, shape))):
            key = (cfg.topic + "/" + cfg.name, kind)
            if key not in self._prepared:
                self._prepared[key] = self.session.prepare(cql)

    def bind(self, plan: BatchPlan) -> Any:
        """The driver statement of a plan; raises (TypeError/ValueError...) for an unbindable value."""
        statements = []
        for w in plan.writes:
            prepared = self._prepared[(w.table.topic + "/" + w.table.name, w.kind)]
            values = [UNSET_VALUE if v is UNSET else v for v in w.values]
            statements.append(prepared.bind(values))
        cl = getattr(ConsistencyLevel, plan.writes[0].table.consistency_level)
        if len(statements) == 1:
            stmt: BoundStatement | BatchStatement = statements[0]
        else:
            batch = BatchStatement(batch_type=BatchType.UNLOGGED)
            for s in statements:
                batch.add(s)
            stmt = batch
        stmt.consistency_level = cl
        return stmt

    def execute(self, plans: Sequence[BatchPlan]) -> list[Outcome]:
        """Run the plans concurrently (``maxConcurrentRequests``); one outcome per plan, in order. A batch
        rejected as invalid is retried statement by statement, so only the bad records fail."""
        assert self.session is not None
        outcomes: list[Outcome | None] = [None] * len(plans)
        to_run: list[tuple[int, Any]] = []
        for i, plan in enumerate(plans):
            try:
                to_run.append((i, self.bind(plan)))
            except Exception as e:
                outcomes[i] = Outcome(plan, e)
        if to_run:
            results = execute_concurrent(
                self.session,
                [(stmt, None) for _, stmt in to_run],
                concurrency=max(1, min(self.cfg.max_concurrent, len(to_run))),
                raise_on_first_error=False,
            )
            for (i, _), (ok, result) in zip(to_run, results, strict=True):
                outcomes[i] = Outcome(plans[i], None if ok else result)
        final: list[Outcome] = []
        for o in outcomes:
            assert o is not None
            if o.error is not None and len(o.plan.writes) > 1 and not is_retriable(o.error):
                final.extend(self.execute([BatchPlan([w]) for w in o.plan.writes]))
            else:
                final.append(o)
        return final


def is_data_error(error: BaseException) -> bool:
    """The record's fault: the server refused the statement, or a value could not be bound."""
    return isinstance(error, (RequestValidationException, TypeError, ValueError, OverflowError, KeyError))
