"""Configuration of the Couchbase sink: the keys of Couchbase's ``com.couchbase.connect.kafka.CouchbaseSinkConnector``
(4.x) this connector implements, plus ``couchbase.document.operation`` (insert / replace as well as upsert)."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from typing import Any

from genesis_worker.api import AbstractConfig, ConfigDef, ConfigException, ConfigType, Importance, Range, Width
from genesis_worker.api.config import Password
from genesis_worker.api.validators import LambdaValidator, ValidString

SEED_NODES_CONFIG = "couchbase.seed.nodes"
BUCKET_CONFIG = "couchbase.bucket"
USERNAME_CONFIG = "couchbase.username"
PASSWORD_CONFIG = "couchbase.password"
ENABLE_TLS_CONFIG = "couchbase.enable.tls"
TRUST_CERTIFICATE_PATH_CONFIG = "couchbase.trust.certificate.path"
BOOTSTRAP_TIMEOUT_CONFIG = "couchbase.bootstrap.timeout"
DEFAULT_COLLECTION_CONFIG = "couchbase.default.collection"
TOPIC_TO_COLLECTION_CONFIG = "couchbase.topic.to.collection"
DOCUMENT_ID_CONFIG = "couchbase.document.id"
REMOVE_DOCUMENT_ID_CONFIG = "couchbase.remove.document.id"
DOCUMENT_MODE_CONFIG = "couchbase.document.mode"
DOCUMENT_OPERATION_CONFIG = "couchbase.document.operation"
SUBDOCUMENT_PATH_CONFIG = "couchbase.subdocument.path"
SUBDOCUMENT_OPERATION_CONFIG = "couchbase.subdocument.operation"
SUBDOCUMENT_CREATE_PATH_CONFIG = "couchbase.subdocument.create.path"
CREATE_DOCUMENT_CONFIG = "couchbase.create.document"
DOCUMENT_EXPIRATION_CONFIG = "couchbase.document.expiration"
DURABILITY_CONFIG = "couchbase.durability"
PERSIST_TO_CONFIG = "couchbase.persist.to"
REPLICATE_TO_CONFIG = "couchbase.replicate.to"
RETRY_BACKOFF_CONFIG = "couchbase.retry.backoff.ms"
MAX_CONCURRENCY_CONFIG = "couchbase.max.concurrent.writes"
ERRORS_TOLERANCE_CONFIG = "errors.tolerance"
TOPICS_CONFIG = "topics"
TOPICS_REGEX_CONFIG = "topics.regex"

DOCUMENT_MODES = ("DOCUMENT", "SUBDOCUMENT")
DOCUMENT_OPERATIONS = ("UPSERT", "INSERT", "REPLACE")
SUBDOCUMENT_OPERATIONS = ("UPSERT", "ARRAY_PREPEND", "ARRAY_APPEND")
DURABILITY_LEVELS = ("NONE", "MAJORITY", "MAJORITY_AND_PERSIST_TO_ACTIVE", "PERSIST_TO_MAJORITY")
PERSIST_TO = ("NONE", "ONE", "TWO", "THREE")
REPLICATE_TO = ("NONE", "ONE", "TWO", "THREE")

_DURATION = re.compile(r"^\s*(\d+)\s*(ms|s|m|h|d)?\s*$")
_NAME = r"[A-Za-z0-9_%-][A-Za-z0-9_%-]*"
_SCOPE_COLLECTION = re.compile(rf"^({_NAME})\.({_NAME})$")


def parse_duration(name: str, value: str) -> _dt.timedelta:
    """``30m``, ``2h``, ``10s``, ``500ms``, ``1d``; a bare number is milliseconds (as Couchbase's config)."""
    m = _DURATION.match(value or "")
    if m is None:
        raise ConfigException(
            f"Invalid value {value} for configuration {name}: expected an integer followed by a time unit "
            "(ms = milliseconds, s = seconds, m = minutes, h = hours, d = days)"
        )
    n, unit = int(m.group(1)), m.group(2) or "ms"
    return _dt.timedelta(milliseconds=n * {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}[unit])


def parse_scope_collection(name: str, value: str) -> tuple[str, str]:
    m = _SCOPE_COLLECTION.match(value.strip())
    if m is None:
        raise ConfigException(
            f"Invalid value {value} for configuration {name}: expected a collection name qualified by a scope "
            "name (scope.collection)"
        )
    return m.group(1), m.group(2)


def parse_topic_map(name: str, entries: list[str]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for e in entries:
        topic, sep, coll = e.partition("=")
        if not sep or not topic.strip():
            raise ConfigException(f"Invalid value {e} for configuration {name}: expected topic=scope.collection")
        out[topic.strip()] = parse_scope_collection(name, coll)
    return out


def _non_empty(name: str, value: Any) -> None:
    if not [v for v in value or [] if str(v).strip()]:
        raise ConfigException(f"Invalid value [] for configuration {name}: Empty list")


def _duration(name: str, value: Any) -> None:
    parse_duration(name, str(value))


def _collection(name: str, value: Any) -> None:
    parse_scope_collection(name, str(value))


def _topic_map(name: str, value: Any) -> None:
    parse_topic_map(name, list(value or []))


_G_CONN = "Connection"
_G_SINK = "Sink Behavior"
_G_DUR = "Durability"

CONFIG_DEF = (
    ConfigDef()
    .define(
        SEED_NODES_CONFIG,
        ConfigType.LIST,
        validator=LambdaValidator(_non_empty, "non-empty list"),
        importance=Importance.HIGH,
        documentation="Addresses of Couchbase Server nodes, delimited by commas (a port after a colon is the KV port).",
        group=_G_CONN,
        order_in_group=1,
        width=Width.LONG,
        display_name="Seed nodes",
    )
    .define(
        BUCKET_CONFIG,
        ConfigType.STRING,
        importance=Importance.HIGH,
        documentation="Name of the Couchbase bucket to write to.",
        group=_G_CONN,
        order_in_group=2,
        width=Width.MEDIUM,
        display_name="Bucket",
    )
    .define(
        USERNAME_CONFIG,
        ConfigType.STRING,
        importance=Importance.HIGH,
        documentation="Name of the Couchbase user to authenticate as.",
        group=_G_CONN,
        order_in_group=3,
        width=Width.SHORT,
        display_name="Username",
    )
    .define(
        PASSWORD_CONFIG,
        ConfigType.PASSWORD,
        importance=Importance.HIGH,
        documentation="Password of the Couchbase user.",
        group=_G_CONN,
        order_in_group=4,
        width=Width.SHORT,
        display_name="Password",
    )
    .define(
        ENABLE_TLS_CONFIG,
        ConfigType.BOOLEAN,
        False,
        None,
        Importance.MEDIUM,
        "Use secure connections (couchbases://).",
        _G_CONN,
        5,
        Width.SHORT,
        "Enable TLS",
    )
    .define(
        TRUST_CERTIFICATE_PATH_CONFIG,
        ConfigType.STRING,
        "",
        None,
        Importance.LOW,
        "Path to a PEM file with the certificate(s) to trust when TLS is enabled; empty: the system trust store.",
        _G_CONN,
        6,
        Width.LONG,
        "Trust certificate path",
    )
    .define(
        BOOTSTRAP_TIMEOUT_CONFIG,
        ConfigType.STRING,
        "30s",
        LambdaValidator(_duration, "duration"),
        Importance.LOW,
        "How long to wait for the cluster and bucket to be ready when connecting (e.g. 30s).",
        _G_CONN,
        7,
        Width.SHORT,
        "Bootstrap timeout",
    )
    .define(
        DEFAULT_COLLECTION_CONFIG,
        ConfigType.STRING,
        "_default._default",
        LambdaValidator(_collection, "scope.collection"),
        Importance.MEDIUM,
        "Qualified name (scope.collection) of the destination collection for messages from topics that don't "
        "have a couchbase.topic.to.collection entry.",
        _G_SINK,
        1,
        Width.MEDIUM,
        "Default collection",
    )
    .define(
        TOPIC_TO_COLLECTION_CONFIG,
        ConfigType.LIST,
        "",
        LambdaValidator(_topic_map, "topic=scope.collection,..."),
        Importance.MEDIUM,
        "A map from Kafka topic to Couchbase collection: topic1=scope-a.invoices,topic2=scope-a.widgets.",
        _G_SINK,
        2,
        Width.LONG,
        "Topic to collection",
    )
    .define(
        DOCUMENT_ID_CONFIG,
        ConfigType.STRING,
        "",
        None,
        Importance.MEDIUM,
        "Format of the Couchbase document ID (overriding the message key). May refer to document fields via "
        "placeholders like ${/path/to/field} (JSON pointers); e.g. ${/type}::${/id}. Empty: the message key, "
        "or <topic>/<partition>/<offset> when the key is null.",
        _G_SINK,
        3,
        Width.LONG,
        "Document ID format",
    )
    .define(
        REMOVE_DOCUMENT_ID_CONFIG,
        ConfigType.BOOLEAN,
        False,
        None,
        Importance.LOW,
        "Whether to remove the fields referenced by couchbase.document.id from the document before storing it.",
        _G_SINK,
        4,
        Width.SHORT,
        "Remove document ID fields",
    )
    .define(
        DOCUMENT_MODE_CONFIG,
        ConfigType.STRING,
        "DOCUMENT",
        ValidString.in_(*DOCUMENT_MODES),
        Importance.MEDIUM,
        "DOCUMENT: write the whole document (couchbase.document.operation); SUBDOCUMENT: write the message at "
        "couchbase.subdocument.path inside the document. (N1QL mode is not supported.)",
        _G_SINK,
        5,
        Width.SHORT,
        "Document mode",
    )
    .define(
        DOCUMENT_OPERATION_CONFIG,
        ConfigType.STRING,
        "UPSERT",
        ValidString.in_(*DOCUMENT_OPERATIONS),
        Importance.MEDIUM,
        "DOCUMENT mode: UPSERT (create or overwrite, the Couchbase connector's behaviour), INSERT (only new "
        "documents; an existing one is an error for that record) or REPLACE (only existing documents; a missing "
        "one is an error for that record). A genesis-worker extension.",
        _G_SINK,
        6,
        Width.SHORT,
        "Document operation",
    )
    .define(
        SUBDOCUMENT_PATH_CONFIG,
        ConfigType.STRING,
        "",
        None,
        Importance.MEDIUM,
        "SUBDOCUMENT mode: the sub-document path to write, or a JSON pointer like ${/field} to the message "
        "property holding the path.",
        _G_SINK,
        7,
        Width.MEDIUM,
        "Sub-document path",
    )
    .define(
        SUBDOCUMENT_OPERATION_CONFIG,
        ConfigType.STRING,
        "UPSERT",
        ValidString.in_(*SUBDOCUMENT_OPERATIONS),
        Importance.LOW,
        "SUBDOCUMENT mode: UPSERT the path, or ARRAY_PREPEND / ARRAY_APPEND the message to the array there.",
        _G_SINK,
        8,
        Width.SHORT,
        "Sub-document operation",
    )
    .define(
        SUBDOCUMENT_CREATE_PATH_CONFIG,
        ConfigType.BOOLEAN,
        True,
        None,
        Importance.LOW,
        "SUBDOCUMENT mode: add the parent paths if they are missing in the document.",
        _G_SINK,
        9,
        Width.SHORT,
        "Create sub-document path",
    )
    .define(
        CREATE_DOCUMENT_CONFIG,
        ConfigType.BOOLEAN,
        True,
        None,
        Importance.LOW,
        "SUBDOCUMENT mode: create the document if it does not exist.",
        _G_SINK,
        10,
        Width.SHORT,
        "Create document",
    )
    .define(
        DOCUMENT_EXPIRATION_CONFIG,
        ConfigType.STRING,
        "0",
        LambdaValidator(_duration, "duration"),
        Importance.LOW,
        "Document expiration time: an integer followed by a time unit (s = seconds, m = minutes, h = hours, "
        "d = days), e.g. 30m. 0: documents do not expire.",
        _G_SINK,
        11,
        Width.SHORT,
        "Document expiration",
    )
    .define(
        MAX_CONCURRENCY_CONFIG,
        ConfigType.INT,
        16,
        Range.between(1, 256),
        Importance.LOW,
        "Documents written at once (writes to the same document ID stay in record order).",
        _G_SINK,
        12,
        Width.SHORT,
        "Max concurrent writes",
    )
    .define(
        RETRY_BACKOFF_CONFIG,
        ConfigType.LONG,
        1000,
        Range.at_least(0),
        Importance.LOW,
        "After Couchbase timed out or was unavailable, wait this long before the framework redelivers the "
        "batch (RetriableException); nothing is committed meanwhile.",
        _G_SINK,
        13,
        Width.SHORT,
        "Retry backoff (ms)",
    )
    .define(
        DURABILITY_CONFIG,
        ConfigType.STRING,
        "NONE",
        ValidString.in_(*DURABILITY_LEVELS),
        Importance.MEDIUM,
        "Enhanced durability (Couchbase Server 6.5+): NONE (a write succeeds once in the active node's memory), "
        "MAJORITY, MAJORITY_AND_PERSIST_TO_ACTIVE or PERSIST_TO_MAJORITY. If not NONE, couchbase.persist.to and "
        "couchbase.replicate.to must be NONE.",
        _G_DUR,
        1,
        Width.MEDIUM,
        "Durability",
    )
    .define(
        PERSIST_TO_CONFIG,
        ConfigType.STRING,
        "NONE",
        ValidString.in_(*PERSIST_TO),
        Importance.LOW,
        "Legacy (pre-6.5) durability: the number of nodes a write must be persisted to.",
        _G_DUR,
        2,
        Width.SHORT,
        "Persist to",
    )
    .define(
        REPLICATE_TO_CONFIG,
        ConfigType.STRING,
        "NONE",
        ValidString.in_(*REPLICATE_TO),
        Importance.LOW,
        "Legacy (pre-6.5) durability: the number of replicas a write must reach.",
        _G_DUR,
        3,
        Width.SHORT,
        "Replicate to",
    )
)


class CouchbaseSinkConfig(AbstractConfig):
    """Parsed and cross-checked Couchbase sink configuration."""

    def __init__(self, props: Mapping[str, Any]) -> None:
        mode = str(props.get(DOCUMENT_MODE_CONFIG, "DOCUMENT")).strip().upper()
        if mode == "N1QL":
            raise ConfigException(
                f"Invalid value N1QL for configuration {DOCUMENT_MODE_CONFIG}: N1QL mode is not supported by this "
                "connector; use DOCUMENT or SUBDOCUMENT"
            )
        super().__init__(CONFIG_DEF, props)
        self.seed_nodes = [n.strip() for n in self.get_list(SEED_NODES_CONFIG) if n.strip()]
        self.bucket = self.get_str(BUCKET_CONFIG)
        self.username = self.get_str(USERNAME_CONFIG)
        password = self.get(PASSWORD_CONFIG)
        self.password = password.value if isinstance(password, Password) else str(password or "")
        self.tls = self.get_bool(ENABLE_TLS_CONFIG)
        self.trust_certificate = self.get_str(TRUST_CERTIFICATE_PATH_CONFIG)
        self.bootstrap_timeout = parse_duration(BOOTSTRAP_TIMEOUT_CONFIG, self.get_str(BOOTSTRAP_TIMEOUT_CONFIG))
        self.default_collection = parse_scope_collection(
            DEFAULT_COLLECTION_CONFIG, self.get_str(DEFAULT_COLLECTION_CONFIG)
        )
        self.topic_to_collection = parse_topic_map(
            TOPIC_TO_COLLECTION_CONFIG, self.get_list(TOPIC_TO_COLLECTION_CONFIG)
        )
        self.document_id = self.get_str(DOCUMENT_ID_CONFIG)
        self.remove_document_id = self.get_bool(REMOVE_DOCUMENT_ID_CONFIG)
        self.mode = self.get_str(DOCUMENT_MODE_CONFIG)
        self.operation = self.get_str(DOCUMENT_OPERATION_CONFIG)
        self.subdocument_path = self.get_str(SUBDOCUMENT_PATH_CONFIG)
        self.subdocument_operation = self.get_str(SUBDOCUMENT_OPERATION_CONFIG)
        self.create_path = self.get_bool(SUBDOCUMENT_CREATE_PATH_CONFIG)
        self.create_document = self.get_bool(CREATE_DOCUMENT_CONFIG)
        self.expiration = parse_duration(DOCUMENT_EXPIRATION_CONFIG, self.get_str(DOCUMENT_EXPIRATION_CONFIG))
        self.durability = self.get_str(DURABILITY_CONFIG)
        self.persist_to = self.get_str(PERSIST_TO_CONFIG)
        self.replicate_to = self.get_str(REPLICATE_TO_CONFIG)
        if self.durability != "NONE" and (self.persist_to != "NONE" or self.replicate_to != "NONE"):
            raise ConfigException(
                f"Invalid durability: when {DURABILITY_CONFIG} is not NONE, {PERSIST_TO_CONFIG} and "
                f"{REPLICATE_TO_CONFIG} must be NONE"
            )
        if self.mode == "SUBDOCUMENT" and not self.subdocument_path.strip():
            raise ConfigException(
                f'Missing required configuration "{SUBDOCUMENT_PATH_CONFIG}" for {DOCUMENT_MODE_CONFIG}=SUBDOCUMENT'
            )
        self.max_concurrency = self.get_int(MAX_CONCURRENCY_CONFIG)
        self.retry_backoff_ms = self.get_int(RETRY_BACKOFF_CONFIG)
        self.tolerate_all = str(props.get(ERRORS_TOLERANCE_CONFIG, "none")).strip().lower() == "all"

    def collection_of(self, topic: str) -> tuple[str, str]:
        return self.topic_to_collection.get(topic, self.default_collection)
