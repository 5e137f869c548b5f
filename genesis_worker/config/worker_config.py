"""Worker configuration: Connect's ``WorkerConfig`` / ``StandaloneConfig`` / ``DistributedConfig`` keys.

Names and defaults are Java's (``connect-rest-api.md`` §8). A worker is configured from a
``.properties`` file plus ``CONNECT_*`` environment overrides::

    cfg = WorkerConfig.from_file("worker.properties", mode="standalone")
    cfg.get_str("bootstrap.servers"); cfg.worker_id; cfg.client_config("consumer", "my-conn", overrides)
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from urllib.parse import urlsplit

from genesis_worker.api.config import NO_DEFAULT_VALUE, AbstractConfig, ConfigDef, ConfigType, Importance
from genesis_worker.api.errors import ConfigException
from genesis_worker.api.validators import CaseInsensitiveValidString, Range, ValidString
from genesis_worker.config.genesis_keys import genesis_config_def
from genesis_worker.config.kafka_clients import ClientConfig, Role, translate
from genesis_worker.config.properties import apply_env_overrides, load_properties_file
from genesis_worker.config.providers import (
    CONFIG_PROVIDERS,
    ConfigTransformer,
    ConfigTransformerResult,
    instantiate_providers,
    resolve_own_variables,
)

Mode = Literal["standalone", "distributed"]

SIMPLE_HEADER_CONVERTER = "org.apache.kafka.connect.storage.SimpleHeaderConverter"

# Un-prefixed worker settings that the worker's own clients (and connector admin clients) inherit.
_CLIENT_SECURITY_PREFIXES = ("security.protocol", "sasl.", "ssl.")


def _common(d: ConfigDef) -> ConfigDef:
    H, M, L = Importance.HIGH, Importance.MEDIUM, Importance.LOW
    return (
        d.define(
            "bootstrap.servers",
            ConfigType.LIST,
            "localhost:9092",
            None,
            H,
            "A list of host/port pairs used to establish the initial connection to the Kafka cluster.",
        )
        .define(
            "client.dns.lookup",
            ConfigType.STRING,
            "use_all_dns_ips",
            ValidString.in_("use_all_dns_ips", "resolve_canonical_bootstrap_servers_only"),
            M,
            "Controls how the client uses DNS lookups.",
        )
        .define(
            "key.converter",
            ConfigType.CLASS,
            NO_DEFAULT_VALUE,
            None,
            H,
            "Converter class used to convert between Kafka Connect format and the serialized form that is "
            "written to Kafka. This controls the format of the keys in messages written to or read from Kafka.",
        )
        .define(
            "value.converter",
            ConfigType.CLASS,
            NO_DEFAULT_VALUE,
            None,
            H,
            "Converter class used to convert between Kafka Connect format and the serialized form that is "
            "written to Kafka. This controls the format of the values in messages written to or read from Kafka.",
        )
        .define(
            "header.converter",
            ConfigType.CLASS,
            SIMPLE_HEADER_CONVERTER,
            None,
            L,
            "HeaderConverter class used to convert between Kafka Connect format and the serialized form that "
            "is written to Kafka.",
        )
        .define(
            "task.shutdown.graceful.timeout.ms",
            ConfigType.LONG,
            5000,
            None,
            L,
            "Amount of time to wait for tasks to shutdown gracefully.",
        )
        .define(
            "offset.flush.interval.ms",
            ConfigType.LONG,
            60000,
            None,
            L,
            "Interval at which to try committing offsets for tasks.",
        )
        .define(
            "offset.flush.timeout.ms",
            ConfigType.LONG,
            5000,
            None,
            L,
            "Maximum number of milliseconds to wait for records to flush and partition offset data to be "
            "committed to offset storage before cancelling the process and restoring the offset data to be "
            "committed in a future attempt.",
        )
        .define(
            "listeners",
            ConfigType.LIST,
            "http://:8083",
            None,
            L,
            "List of comma-separated URIs the REST API will listen on.",
        )
        .define("rest.advertised.host.name", ConfigType.STRING, None, None, L, "Hostname to give out to other workers.")
        .define("rest.advertised.port", ConfigType.INT, None, None, L, "Port to give out to other workers.")
        .define(
            "rest.advertised.listener",
            ConfigType.STRING,
            None,
            None,
            L,
            "Sets the advertised listener (HTTP or HTTPS) which will be given to other workers to use.",
        )
        .define(
            "admin.listeners",
            ConfigType.LIST,
            None,
            None,
            L,
            "List of comma-separated URIs the Admin REST API will listen on.",
        )
        .define(
            "access.control.allow.origin",
            ConfigType.STRING,
            "",
            None,
            L,
            "Value to set the Access-Control-Allow-Origin header to for REST API requests.",
        )
        .define(
            "access.control.allow.methods",
            ConfigType.STRING,
            "",
            None,
            L,
            "Sets the methods supported for cross origin requests.",
        )
        .define(
            "response.http.headers.config", ConfigType.STRING, "", None, L, "Rules for REST API HTTP response headers"
        )
        .define(
            "rest.extension.classes",
            ConfigType.LIST,
            "",
            None,
            L,
            "Comma-separated names of ConnectRestExtension classes.",
        )
        .define(
            "plugin.path",
            ConfigType.LIST,
            None,
            None,
            L,
            "List of paths separated by commas (,) that contain plugins (connectors, converters, transformations).",
        )
        .define(
            "plugin.discovery",
            ConfigType.STRING,
            "hybrid_warn",
            CaseInsensitiveValidString.in_("only_scan", "hybrid_warn", "hybrid_fail", "service_load"),
            L,
            "Method to use to discover plugins present in the classpath and plugin.path configuration.",
        )
        .define("config.providers", ConfigType.LIST, "", None, L, "Comma-separated names of ConfigProvider classes.")
        .define(
            "connector.client.config.override.policy",
            ConfigType.STRING,
            "All",
            None,
            M,
            "Class name or alias of implementation of ConnectorClientConfigOverridePolicy. Defines what client "
            "configurations can be overridden by the connector. The default implementation is 'All', meaning "
            "connector configurations can override all client properties. The other possible policies in the "
            "framework include 'None' to disallow connectors from overriding client properties, and 'Principal' "
            "to allow connectors to override only client principals.",
        )
        .define(
            "topic.tracking.enable",
            ConfigType.BOOLEAN,
            True,
            None,
            L,
            "Enable tracking the set of active topics per connector during runtime.",
        )
        .define(
            "topic.tracking.allow.reset",
            ConfigType.BOOLEAN,
            True,
            None,
            L,
            "If set to true, it allows user requests to reset the set of active topics per connector.",
        )
        .define(
            "topic.creation.enable",
            ConfigType.BOOLEAN,
            True,
            None,
            L,
            "Whether to allow automatic creation of topics used by source connectors.",
        )
        .define(
            "metrics.recording.level", ConfigType.STRING, "INFO", None, L, "The highest recording level for metrics."
        )
        .define("client.id", ConfigType.STRING, "", None, L, "An id string to pass to the server when making requests.")
        .merge(genesis_config_def())
    )


def standalone_config_def() -> ConfigDef:
    return _common(ConfigDef()).define(
        "offset.storage.file.filename",
        ConfigType.STRING,
        NO_DEFAULT_VALUE,
        None,
        Importance.HIGH,
        "File to store source connector offsets",
    )


def distributed_config_def() -> ConfigDef:
    H, M, L = Importance.HIGH, Importance.MEDIUM, Importance.LOW
    d = _common(ConfigDef())
    d.define(
        "group.id",
        ConfigType.STRING,
        NO_DEFAULT_VALUE,
        None,
        H,
        "A unique string that identifies the Connect cluster group this worker belongs to.",
    )
    for kind, partitions in (("config", None), ("offset", 25), ("status", 5)):
        d.define(
            f"{kind}.storage.topic",
            ConfigType.STRING,
            NO_DEFAULT_VALUE,
            None,
            H,
            f"The name of the Kafka topic where {kind} data are stored",
        )
        d.define(
            f"{kind}.storage.replication.factor",
            ConfigType.SHORT,
            3,
            None,
            L,
            f"Replication factor used when creating the {kind} storage topic",
        )
        if partitions is not None:
            d.define(
                f"{kind}.storage.partitions",
                ConfigType.INT,
                partitions,
                None,
                L,
                f"The number of partitions used when creating the {kind} storage topic",
            )
    (
        d.define(
            "connect.protocol",
            ConfigType.STRING,
            "sessioned",
            CaseInsensitiveValidString.in_("eager", "compatible", "sessioned"),
            L,
            "Compatibility mode for Kafka Connect Protocol",
        )
        .define(
            "scheduled.rebalance.max.delay.ms",
            ConfigType.INT,
            300000,
            Range.between(0, 2**31 - 1),
            L,
            "The maximum delay that is scheduled in order to wait for the return of one or more departed workers before rebalancing and reassigning their connectors and tasks to the group.",
        )
        .define("session.timeout.ms", ConfigType.INT, 10000, None, H, "The timeout used to detect worker failures.")
        .define(
            "heartbeat.interval.ms",
            ConfigType.INT,
            3000,
            None,
            H,
            "The expected time between heartbeats to the group coordinator.",
        )
        .define(
            "rebalance.timeout.ms",
            ConfigType.INT,
            60000,
            None,
            H,
            "The maximum allowed time for each worker to join the group once a rebalance has begun.",
        )
        .define(
            "worker.sync.timeout.ms",
            ConfigType.INT,
            3000,
            None,
            M,
            "When the worker is out of sync with other workers and needs to resynchronize configurations, wait up to this amount of time before giving up, leaving the group, and waiting a backoff period before rejoining.",
        )
        .define(
            "worker.unsync.backoff.ms",
            ConfigType.INT,
            300000,
            None,
            M,
            "When the worker is out of sync with other workers and fails to catch up within worker.sync.timeout.ms, leave the Connect cluster for this long before rejoining.",
        )
        .define(
            "inter.worker.key.generation.algorithm",
            ConfigType.STRING,
            "HmacSHA256",
            None,
            L,
            "The algorithm to use for generating internal request keys.",
        )
        .define(
            "inter.worker.key.size",
            ConfigType.INT,
            None,
            None,
            L,
            "The size of the key to use for signing internal requests, in bits.",
        )
        .define(
            "inter.worker.key.ttl.ms",
            ConfigType.INT,
            3600000,
            Range.between(0, 2**31 - 1),
            L,
            "The TTL of generated session keys used for internal request validation (in milliseconds)",
        )
        .define(
            "inter.worker.signature.algorithm",
            ConfigType.STRING,
            "HmacSHA256",
            None,
            L,
            "The algorithm used to sign internal requests.",
        )
        .define(
            "inter.worker.verification.algorithms",
            ConfigType.LIST,
            "HmacSHA256",
            None,
            L,
            "A list of permitted algorithms for verifying internal requests.",
        )
        .define(
            "metadata.max.age.ms",
            ConfigType.LONG,
            300000,
            Range.at_least(0),
            L,
            "The period of time in milliseconds after which we force a refresh of metadata.",
        )
        .define(
            "request.timeout.ms",
            ConfigType.INT,
            40000,
            Range.at_least(0),
            M,
            "The configuration controls the maximum amount of time the client will wait for the response of a request.",
        )
        .define(
            "exactly.once.source.support",
            ConfigType.STRING,
            "disabled",
            CaseInsensitiveValidString.in_("disabled", "preparing", "enabled"),
            H,
            "Whether to enable exactly-once support for source connectors in the cluster by using "
            "transactions to write source records and their source offsets.",
        )
    )
    return d


_WILDCARD_HOSTS = ("", "0.0.0.0", "::")


def local_host_address() -> str:
    """This machine's address, as advertised when no host is configured."""
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "localhost"


def advertised_url(
    listeners: Sequence[tuple[str, str, int]], *, protocol: str | None, host: str | None, port: int | None
) -> str:
    """Connect's ``RestServer.advertisedUrl``: ``rest.advertised.listener`` (else http if a listener is
    http, else https), ``rest.advertised.host.name`` (else the listener's host unless a wildcard, else this
    machine's address) and ``rest.advertised.port`` (else the listener's port). ``listeners`` are
    (protocol, host, port), the port the one actually bound when known."""
    if protocol is None:
        protocol = "http" if not listeners or any(p == "http" for p, _, _ in listeners) else "https"
    match = next((lst for lst in listeners if lst[0] == protocol), listeners[0] if listeners else None)
    if not host:
        host = match[1] if match is not None and match[1] not in _WILDCARD_HOSTS else local_host_address()
    if port is None:
        port = match[2] if match is not None else 8083
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{protocol}://{host}:{port}/"


def worker_id_of(url: str) -> str:
    """``host:port`` of an advertised URL: the ``worker_id`` in statuses and REST answers."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}"


class WorkerConfig(AbstractConfig):
    """Parsed worker properties. ``originals`` keeps every key (client prefixes included)."""

    def __init__(self, props: Mapping[str, Any], mode: Mode = "standalone") -> None:
        self.mode: Mode = mode
        definition = standalone_config_def() if mode == "standalone" else distributed_config_def()
        super().__init__(definition, resolve_own_variables(props))
        self._transformer: ConfigTransformer | None = None

    def config_transformer(self) -> ConfigTransformer | None:
        """Resolves ``${provider:path:key}`` in connector configs with the worker's ``config.providers``
        (None when there are none). Built once, on first use."""
        if self._transformer is None and self.originals.get(CONFIG_PROVIDERS):
            self._transformer = ConfigTransformer(instantiate_providers(self.originals))
        return self._transformer

    def transform_connector_config(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """``props`` with its placeholders resolved (unchanged when the worker has no providers)."""
        return self.resolve_connector_config(props).data

    def resolve_connector_config(self, props: Mapping[str, Any]) -> ConfigTransformerResult:
        """``props`` resolved, with the TTLs the providers gave (KIP-421)."""
        transformer = self.config_transformer()
        return transformer.transform(props) if transformer is not None else ConfigTransformerResult(dict(props))

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], mode: Mode = "standalone", environ: Mapping[str, str] | None = None
    ) -> WorkerConfig:
        return cls(apply_env_overrides(load_properties_file(path), environ), mode)

    # --- REST identity ---------------------------------------------------------------------------------

    def _listeners(self) -> list[tuple[str, str, int]]:
        """``listeners`` as (protocol, host, configured port)."""
        out = []
        for listener in self.get_list("listeners") or ["http://:8083"]:
            parts = urlsplit(listener)
            scheme = (parts.scheme or "http").lower()
            if scheme not in ("http", "https"):
                raise ConfigException(
                    f"Invalid value {listener} for configuration listeners: Invalid listener protocol"
                )
            out.append((scheme, parts.hostname or "", parts.port if parts.port is not None else 8083))
        return out

    def advertised_url(self, bound: Sequence[tuple[str, str, int]] | None = None) -> str:
        """The REST URL other workers reach this one at (``<protocol>://<host>:<port>/``): see
        :func:`advertised_url`. ``bound`` are the (protocol, host, port) the REST server actually bound
        (a listener on port 0 learns its port then); by default the configured listeners."""
        protocol = self.get("rest.advertised.listener")
        port = self.get("rest.advertised.port")
        return advertised_url(
            self._listeners() if bound is None else bound,
            protocol=str(protocol).lower() if protocol else None,
            host=str(self.get("rest.advertised.host.name") or "") or None,
            port=int(port) if port is not None else None,
        )

    @property
    def rest_url(self) -> str:
        return self.advertised_url()

    @property
    def worker_id(self) -> str:
        """``<advertised host>:<advertised port>``, the ``worker_id`` of statuses."""
        return worker_id_of(self.rest_url)

    # --- runtime ------------------------------------------------------------------------------------

    @property
    def offset_flush_interval_ms(self) -> int:
        return self.get_int("offset.flush.interval.ms")

    @property
    def offset_flush_timeout_ms(self) -> int:
        return self.get_int("offset.flush.timeout.ms")

    @property
    def task_shutdown_graceful_timeout_ms(self) -> int:
        return self.get_int("task.shutdown.graceful.timeout.ms")

    @property
    def topic_creation_enable(self) -> bool:
        return self.get_bool("topic.creation.enable")

    def default_converter(self, role: str) -> tuple[str, dict[str, Any]]:
        """The worker's ``<role>.converter`` (key, value, header): its class and its own keys."""
        key = f"{role}.converter"
        return str(self.get(key)), self.originals_with_prefix(key + ".")

    # --- clients ------------------------------------------------------------------------------------

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(self.get_list("bootstrap.servers"))

    def security_props(self) -> dict[str, Any]:
        """Un-prefixed security settings (``security.protocol``, ``sasl.*``, ``ssl.*``)."""
        return {k: v for k, v in self.originals.items() if k.startswith(_CLIENT_SECURITY_PREFIXES)}

    def worker_client_props(self) -> dict[str, Any]:
        """Java properties for the worker's own clients (internal topics, group member, admin)."""
        props: dict[str, Any] = {"bootstrap.servers": self.bootstrap_servers}
        props.update(self.security_props())
        return props

    def connector_client_props(self, role: Role, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Java properties of a connector's ``role`` client before the runtime's own settings:
        ``bootstrap.servers`` + worker ``<role>.*`` + connector ``<role>.override.*``; admin clients also
        inherit the un-prefixed security settings."""
        props: dict[str, Any] = {"bootstrap.servers": self.bootstrap_servers}
        if role == "admin":
            props.update(self.security_props())
        props.update(self.originals_with_prefix(f"{role}."))
        if overrides:
            props.update(overrides)
        return props

    def translated(self, props: Mapping[str, Any], role: Role) -> ClientConfig:
        return translate(props, role)
