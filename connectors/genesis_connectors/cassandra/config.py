"""Configuration of the Cassandra sink: the keys of DataStax's ``com.datastax.oss.kafka.sink.CassandraSinkConnector``
this connector implements. Connection keys are fixed; every table a topic writes is configured with
``topic.<topic>.<keyspace>.<table>.<setting>`` keys (``mapping`` is required, the others have defaults)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from genesis_connectors.cassandra.mapping import ColumnMapping, parse_mapping
from genesis_worker.api import AbstractConfig, ConfigDef, ConfigException, ConfigType, Importance, Range, Width
from genesis_worker.api.config import Password
from genesis_worker.api.validators import ValidString

CONTACT_POINTS_CONFIG = "contactPoints"
PORT_CONFIG = "port"
LOCAL_DC_CONFIG = "loadBalancing.localDc"
AUTH_PROVIDER_CONFIG = "auth.provider"
AUTH_USERNAME_CONFIG = "auth.username"
AUTH_PASSWORD_CONFIG = "auth.password"
MAX_RECORDS_IN_BATCH_CONFIG = "maxNumberOfRecordsInBatch"
MAX_CONCURRENT_REQUESTS_CONFIG = "maxConcurrentRequests"
QUERY_EXECUTION_TIMEOUT_CONFIG = "queryExecutionTimeout"
CONNECTION_TIMEOUT_CONFIG = "connectionTimeout"
RETRY_BACKOFF_CONFIG = "retry.backoff.ms"
COMPRESSION_CONFIG = "compression"
ERRORS_TOLERANCE_CONFIG = "errors.tolerance"
TOPICS_CONFIG = "topics"

MAPPING = "mapping"
CONSISTENCY_LEVEL = "consistencyLevel"
TTL = "ttl"
TTL_TIME_UNIT = "ttlTimeUnit"
TIMESTAMP_TIME_UNIT = "timestampTimeUnit"
NULL_TO_UNSET = "nullToUnset"
DELETES_ENABLED = "deletesEnabled"
TABLE_SETTINGS = (MAPPING, CONSISTENCY_LEVEL, TTL, TTL_TIME_UNIT, TIMESTAMP_TIME_UNIT, NULL_TO_UNSET, DELETES_ENABLED)

TABLE_KEY = re.compile(r"^topic\.(?P<topic>.+)\.(?P<ks>[^.]+)\.(?P<table>[^.]+)\.(?P<setting>[A-Za-z]+)$")

CONSISTENCY_LEVELS = (
    "ANY",
    "ONE",
    "TWO",
    "THREE",
    "QUORUM",
    "ALL",
    "LOCAL_QUORUM",
    "EACH_QUORUM",
    "LOCAL_ONE",
)
TIME_UNITS = {
    "NANOSECONDS": 1e-9,
    "MICROSECONDS": 1e-6,
    "MILLISECONDS": 1e-3,
    "SECONDS": 1.0,
    "MINUTES": 60.0,
    "HOURS": 3600.0,
    "DAYS": 86400.0,
}

_G_CONN = "Connection"
_G_WRITE = "Write"

CONFIG_DEF = (
    ConfigDef()
    .define(
        CONTACT_POINTS_CONFIG,
        ConfigType.LIST,
        "",
        None,
        Importance.HIGH,
        "Initial DSE/Cassandra hosts to connect to (host or host:port, comma separated); the driver finds "
        "the rest of the cluster. Empty: 127.0.0.1.",
        _G_CONN,
        1,
        Width.LONG,
        "Contact points",
    )
    .define(
        PORT_CONFIG,
        ConfigType.INT,
        9042,
        Range.between(1, 65535),
        Importance.HIGH,
        "The CQL native transport port of the contact points.",
        _G_CONN,
        2,
        Width.SHORT,
        "Port",
    )
    .define(
        LOCAL_DC_CONFIG,
        ConfigType.STRING,
        "",
        None,
        Importance.HIGH,
        "The datacenter the driver routes requests to (DCAwareRoundRobinPolicy); required when contactPoints "
        "is set, as in the DataStax connector.",
        _G_CONN,
        3,
        Width.SHORT,
        "Local datacenter",
    )
    .define(
        AUTH_PROVIDER_CONFIG,
        ConfigType.STRING,
        "None",
        ValidString.in_("None", "PLAIN"),
        Importance.MEDIUM,
        "Authentication: None or PLAIN (username/password).",
        _G_CONN,
        4,
        Width.SHORT,
        "Auth provider",
    )
    .define(
        AUTH_USERNAME_CONFIG,
        ConfigType.STRING,
        "",
        None,
        Importance.MEDIUM,
        "Username for auth.provider=PLAIN.",
        _G_CONN,
        5,
        Width.SHORT,
        "Username",
    )
    .define(
        AUTH_PASSWORD_CONFIG,
        ConfigType.PASSWORD,
        "",
        None,
        Importance.MEDIUM,
        "Password for auth.provider=PLAIN.",
        _G_CONN,
        6,
        Width.SHORT,
        "Password",
    )
    .define(
        COMPRESSION_CONFIG,
        ConfigType.STRING,
        "None",
        ValidString.in_("None", "LZ4", "Snappy"),
        Importance.LOW,
        "Compression of the native protocol (what the driver supports of it; None is always safe).",
        _G_CONN,
        7,
        Width.SHORT,
        "Compression",
    )
    .define(
        CONNECTION_TIMEOUT_CONFIG,
        ConfigType.INT,
        5,
        Range.at_least(1),
        Importance.LOW,
        "Seconds to wait for a connection to a node.",
        _G_CONN,
        8,
        Width.SHORT,
        "Connection timeout (s)",
    )
    .define(
        QUERY_EXECUTION_TIMEOUT_CONFIG,
        ConfigType.INT,
        30,
        Range.at_least(1),
        Importance.MEDIUM,
        "Seconds to wait for one write (a statement or batch) before it counts as failed (and is retried).",
        _G_WRITE,
        1,
        Width.SHORT,
        "Query execution timeout (s)",
    )
    .define(
        MAX_RECORDS_IN_BATCH_CONFIG,
        ConfigType.INT,
        32,
        Range.at_least(1),
        Importance.MEDIUM,
        "Records of the same table and partition key are written in one unlogged batch of at most this many "
        "statements; 1 disables batching.",
        _G_WRITE,
        2,
        Width.SHORT,
        "Max records in batch",
    )
    .define(
        MAX_CONCURRENT_REQUESTS_CONFIG,
        ConfigType.INT,
        500,
        Range.at_least(1),
        Importance.MEDIUM,
        "Maximum number of writes (statements or batches) in flight at once.",
        _G_WRITE,
        3,
        Width.SHORT,
        "Max concurrent requests",
    )
    .define(
        RETRY_BACKOFF_CONFIG,
        ConfigType.LONG,
        2000,
        Range.at_least(0),
        Importance.LOW,
        "After Cassandra was unreachable or timed out, wait this long before the framework redelivers the "
        "batch (RetriableException); nothing is committed meanwhile.",
        _G_WRITE,
        4,
        Width.SHORT,
        "Retry backoff (ms)",
    )
)
"""Fixed keys. Per-table keys (``topic.<t>.<ks>.<table>.*``) are validated by :func:`table_configs`."""


@dataclass(frozen=True)
class TableConfig:
    """How one topic writes one table."""

    topic: str
    keyspace: str
    table: str
    mapping: ColumnMapping
    consistency_level: str = "LOCAL_ONE"
    ttl: int = -1
    ttl_unit: float = 1.0
    timestamp_unit: float = 1e-6
    null_to_unset: bool = True
    deletes_enabled: bool = True

    @property
    def name(self) -> str:
        return f"{self.keyspace}.{self.table}"


def _bool(key: str, v: str) -> bool:
    if v.strip().lower() in ("true", "false"):
        return v.strip().lower() == "true"
    raise ConfigException(f"Invalid value {v} for configuration {key}: Expected value to be either true or false", key)


def table_configs(props: Mapping[str, Any]) -> list[TableConfig]:
    """Every ``topic.<t>.<ks>.<table>.*`` group of a config; ConfigException for a bad one, and for a topic
    in ``topics`` that writes no table."""
    groups: dict[tuple[str, str, str], dict[str, str]] = {}
    for key, value in props.items():
        m = TABLE_KEY.match(key)
        if m is None or m.group("setting") not in TABLE_SETTINGS:
            continue
        groups.setdefault((m.group("topic"), m.group("ks"), m.group("table")), {})[m.group("setting")] = str(value)
    out: list[TableConfig] = []
    for (topic, ks, table), settings in sorted(groups.items()):
        prefix = f"topic.{topic}.{ks}.{table}."
        if MAPPING not in settings:
            raise ConfigException(f'Missing required configuration "{prefix}{MAPPING}" which has no default value.')
        cl = settings.get(CONSISTENCY_LEVEL, "LOCAL_ONE").strip().upper()
        if cl not in CONSISTENCY_LEVELS:
            raise ConfigException(
                f"Invalid value {cl} for configuration {prefix}{CONSISTENCY_LEVEL}: "
                "String must be one of: " + ", ".join(CONSISTENCY_LEVELS),
                prefix + CONSISTENCY_LEVEL,
            )
        units = {}
        for setting, default in ((TTL_TIME_UNIT, "SECONDS"), (TIMESTAMP_TIME_UNIT, "MICROSECONDS")):
            u = settings.get(setting, default).strip().upper()
            if u not in TIME_UNITS:
                raise ConfigException(
                    f"Invalid value {u} for configuration {prefix}{setting}: String must be one of: "
                    + ", ".join(TIME_UNITS)
                )
            units[setting] = TIME_UNITS[u]
        try:
            ttl = int(settings.get(TTL, "-1"))
        except ValueError as e:
            raise ConfigException(
                f"Invalid value {settings[TTL]} for configuration {prefix}{TTL}: Not a number", prefix + TTL
            ) from e
        try:
            mapping = parse_mapping(settings[MAPPING])
        except ValueError as e:
            raise ConfigException(
                f"Invalid value {settings[MAPPING]} for configuration {prefix}{MAPPING}: {e}", prefix + MAPPING
            ) from e
        out.append(
            TableConfig(
                topic,
                ks,
                table,
                mapping,
                cl,
                ttl,
                units[TTL_TIME_UNIT],
                units[TIMESTAMP_TIME_UNIT],
                _bool(prefix + NULL_TO_UNSET, settings.get(NULL_TO_UNSET, "true")),
                _bool(prefix + DELETES_ENABLED, settings.get(DELETES_ENABLED, "true")),
            )
        )
    topics = [t.strip() for t in str(props.get(TOPICS_CONFIG, "")).split(",") if t.strip()]
    configured = {t.topic for t in out}
    for t in topics:
        if t not in configured:
            raise ConfigException(
                f"Topic {t} is listed in topics but has no topic.{t}.<keyspace>.<table>.mapping setting",
                f"topic.{t}.<keyspace>.<table>.mapping",
            )
    return out


class CassandraSinkConfig(AbstractConfig):
    """Parsed Cassandra sink configuration: connection settings and the tables of every topic."""

    def __init__(self, props: Mapping[str, Any]) -> None:
        super().__init__(CONFIG_DEF, props)
        self.tables = table_configs(props)
        if not self.tables:
            raise ConfigException("At least one topic.<topic>.<keyspace>.<table>.mapping setting is required")
        self.contact_points = [p.strip() for p in self.get_list(CONTACT_POINTS_CONFIG) if p.strip()]
        self.local_dc = self.get_str(LOCAL_DC_CONFIG).strip()
        if self.contact_points and not self.local_dc:
            raise ConfigException(f"When contact points are provided, {LOCAL_DC_CONFIG} must also be specified")
        self.port = self.get_int(PORT_CONFIG)
        self.username = self.get_str(AUTH_USERNAME_CONFIG) if self.get_str(AUTH_PROVIDER_CONFIG) == "PLAIN" else ""
        password = self.get(AUTH_PASSWORD_CONFIG)
        self.password = password.value if isinstance(password, Password) else str(password or "")
        self.batch_size = self.get_int(MAX_RECORDS_IN_BATCH_CONFIG)
        self.max_concurrent = self.get_int(MAX_CONCURRENT_REQUESTS_CONFIG)
        self.query_timeout_s = float(self.get_int(QUERY_EXECUTION_TIMEOUT_CONFIG))
        self.connect_timeout_s = float(self.get_int(CONNECTION_TIMEOUT_CONFIG))
        self.retry_backoff_ms = self.get_int(RETRY_BACKOFF_CONFIG)
        self.compression = self.get_str(COMPRESSION_CONFIG)
        self.tolerate_all = str(props.get(ERRORS_TOLERANCE_CONFIG, "none")).strip().lower() == "all"

    def tables_of(self, topic: str) -> list[TableConfig]:
        return [t for t in self.tables if t.topic == topic]
