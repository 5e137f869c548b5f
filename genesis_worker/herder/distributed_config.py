"""The distributed-mode worker settings the herder uses (Java ``DistributedConfig``), parsed from the
worker properties with Java's defaults and error messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from genesis_worker.api.errors import ConfigException
from genesis_worker.group.protocol import ConnectProtocolCompatibility
from genesis_worker.herder.session_keys import DEFAULT_ALGORITHM, supported_algorithm


def _int(props: Mapping[str, str], key: str, default: int, minimum: int | None = None) -> int:
    raw = props.get(key)
    if raw is None or str(raw).strip() == "":
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ConfigException(f"Invalid value {raw} for configuration {key}: Not a number of type INT") from None
    if minimum is not None and value < minimum:
        raise ConfigException(f"Invalid value {value} for configuration {key}: Value must be at least {minimum}")
    return value


def _required(props: Mapping[str, str], key: str) -> str:
    value = str(props.get(key) or "").strip()
    if not value:
        raise ConfigException(f'Missing required configuration "{key}" which has no default value.')
    return value


def _list(props: Mapping[str, str], key: str, default: list[str]) -> list[str]:
    raw = props.get(key)
    if raw is None:
        return list(default)
    return [p.strip() for p in str(raw).split(",") if p.strip()]


@dataclass
class DistributedConfig:
    group_id: str
    config_topic: str
    offset_topic: str
    status_topic: str
    protocol: ConnectProtocolCompatibility = ConnectProtocolCompatibility.SESSIONED
    scheduled_rebalance_max_delay_ms: int = 300_000
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 3_000
    rebalance_timeout_ms: int = 60_000
    worker_sync_timeout_ms: int = 3_000
    worker_unsync_backoff_ms: int = 300_000
    key_generation_algorithm: str = DEFAULT_ALGORITHM
    key_size: int | None = None
    key_ttl_ms: int = 3_600_000
    signature_algorithm: str = DEFAULT_ALGORITHM
    verification_algorithms: list[str] = field(default_factory=lambda: [DEFAULT_ALGORITHM])
    bootstrap_servers: str = "localhost:9092"
    client_id: str = ""
    retry_backoff_ms: int = 100
    task_shutdown_graceful_timeout_ms: int = 5_000
    topic_tracking_enable: bool = True

    @classmethod
    def from_props(cls, props: Mapping[str, str]) -> DistributedConfig:
        mode = str(props.get("connect.protocol") or "sessioned")
        try:
            protocol = ConnectProtocolCompatibility.from_mode(mode)
        except ValueError:
            raise ConfigException(
                f"Invalid value {mode} for configuration connect.protocol: String must be one of: "
                "eager, compatible, sessioned"
            ) from None
        cfg = cls(
            group_id=_required(props, "group.id"),
            config_topic=_required(props, "config.storage.topic"),
            offset_topic=_required(props, "offset.storage.topic"),
            status_topic=_required(props, "status.storage.topic"),
            protocol=protocol,
            scheduled_rebalance_max_delay_ms=_int(props, "scheduled.rebalance.max.delay.ms", 300_000, 0),
            session_timeout_ms=_int(props, "session.timeout.ms", 10_000),
            heartbeat_interval_ms=_int(props, "heartbeat.interval.ms", 3_000),
            rebalance_timeout_ms=_int(props, "rebalance.timeout.ms", 60_000),
            worker_sync_timeout_ms=_int(props, "worker.sync.timeout.ms", 3_000),
            worker_unsync_backoff_ms=_int(props, "worker.unsync.backoff.ms", 300_000),
            key_generation_algorithm=str(props.get("inter.worker.key.generation.algorithm") or DEFAULT_ALGORITHM),
            key_size=_int(props, "inter.worker.key.size", 0) or None,
            key_ttl_ms=_int(props, "inter.worker.key.ttl.ms", 3_600_000, 0),
            signature_algorithm=str(props.get("inter.worker.signature.algorithm") or DEFAULT_ALGORITHM),
            verification_algorithms=_list(props, "inter.worker.verification.algorithms", [DEFAULT_ALGORITHM]),
            bootstrap_servers=str(props.get("bootstrap.servers") or "localhost:9092"),
            client_id=str(props.get("client.id") or ""),
            retry_backoff_ms=_int(props, "retry.backoff.ms", 100, 0),
            task_shutdown_graceful_timeout_ms=_int(props, "task.shutdown.graceful.timeout.ms", 5_000, 0),
            topic_tracking_enable=str(props.get("topic.tracking.enable", "true")).strip().lower() != "false",
        )
        eos = str(props.get("exactly.once.source.support") or "disabled").strip().lower()
        if eos not in ("disabled", "preparing", "enabled"):
            raise ConfigException(
                f"Invalid value {eos} for configuration exactly.once.source.support: String must be one of "
                "(case insensitive): DISABLED, ENABLED, PREPARING"
            )
        if eos != "disabled":
            raise ConfigException(
                f"exactly.once.source.support={eos} is not supported by genesis-worker: its source tasks are "
                "at-least-once and the leader does not write the config topic transactionally; set it to "
                "'disabled' (the default)"
            )
        for key, alg in (
            ("inter.worker.key.generation.algorithm", cfg.key_generation_algorithm),
            ("inter.worker.signature.algorithm", cfg.signature_algorithm),
        ):
            if not supported_algorithm(alg):
                raise ConfigException(f"Invalid value {alg} for configuration {key}: Algorithm {alg} not available")
        if cfg.signature_algorithm not in cfg.verification_algorithms:
            raise ConfigException(
                f"Invalid value {cfg.signature_algorithm} for configuration inter.worker.signature.algorithm: "
                "Signature algorithm must be present in inter.worker.verification.algorithms list"
            )
        return cfg
