"""Herder logic shared by the standalone and distributed herders (Java ``AbstractHerder``):
connector config validation into ``ConfigInfos``, plugin config keys, and the KIP-875 offset reads and writes.

Example::

    infos = validate_connector_config(registry, worker_config, {"connector.class": "FileStreamSink", ...})
    infos["error_count"]
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiokafka.errors import KafkaError as AIOKafkaError
from confluent_kafka import ConsumerGroupTopicPartitions, KafkaError, KafkaException
from confluent_kafka import TopicPartition as KTopicPartition
from confluent_kafka.admin import AdminClient

from genesis_worker.api.config import ConfigKey, ConfigValue
from genesis_worker.api.connector import Connector, SinkConnector
from genesis_worker.api.errors import ConfigException, ConnectException, NotFoundException
from genesis_worker.config.kafka_clients import translate
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.group.offset_delete import delete_group_offsets
from genesis_worker.herder.errors import BadRequestException
from genesis_worker.herder.member_client import aiokafka_client_config
from genesis_worker.herder.policy import ConnectorConfigPolicy
from genesis_worker.model.entities import ConnectorOffset, ConnectorOffsets, JsonObj
from genesis_worker.plugins.registry import PluginDesc, PluginRegistry
from genesis_worker.plugins.versions import InvalidVersionSpecification, unmet_requirement
from genesis_worker.runtime.config_infos import generate_result, merge_config_infos, prefixed_result
from genesis_worker.runtime.connector_config_def import (
    ADMIN_OVERRIDES_PREFIX,
    CONNECTOR_CLASS_CONFIG,
    CONNECTOR_VERSION_CONFIG,
    CONSUMER_OVERRIDES_PREFIX,
    DLQ_TOPIC_NAME_CONFIG,
    HEADER_CONVERTER_CLASS_CONFIG,
    HEADER_CONVERTER_VERSION_CONFIG,
    KEY_CONVERTER_CLASS_CONFIG,
    KEY_CONVERTER_VERSION_CONFIG,
    OFFSETS_TOPIC_CONFIG,
    PRODUCER_OVERRIDES_PREFIX,
    VALUE_CONVERTER_CLASS_CONFIG,
    VALUE_CONVERTER_VERSION_CONFIG,
    connector_config_def,
    sink_connector_config_def,
    source_connector_config_def,
)
from genesis_worker.runtime.connector_config_enrich import enrich, validate_sink_topics
from genesis_worker.storage.base import OffsetBackingStore
from genesis_worker.storage.offset_keys import parse_offset_key, parse_offset_value

__all__ = [
    "connector_type",
    "validate_connector_config",
]

_PRINCIPAL_ALLOWED = frozenset({"sasl.jaas.config", "sasl.mechanism", "security.protocol"})


def connector_type(registry: PluginRegistry, config: Mapping[str, Any] | None) -> str:
    """``source`` | ``sink`` | ``unknown`` for a connector config."""
    if not config or not config.get(CONNECTOR_CLASS_CONFIG):
        return "unknown"
    desc = registry.find(str(config[CONNECTOR_CLASS_CONFIG]))
    if desc is None or desc.kind not in ("sink", "source"):
        return "unknown"
    return desc.kind


def plugin_version(registry: PluginRegistry, config: Mapping[str, Any] | None) -> str | None:
    """The version of a connector config's plugin, shown in statuses (KIP-891, Connect 4.x)."""
    if not config:
        return None
    desc = registry.find(str(config.get(CONNECTOR_CLASS_CONFIG) or ""))
    return desc.version if desc is not None else None


def _converter_part(
    registry: PluginRegistry,
    conn_type: str,
    props: Mapping[str, Any],
    values: dict[str, ConfigValue],
    key: str,
    kinds: tuple[str, ...],
) -> JsonObj | None:
    name = props.get(key)
    cv = values.get(key)
    if not name or cv is None or cv.errors:
        return None
    desc = registry.find(str(name))
    if desc is None or desc.kind not in kinds:
        cv.add_error(f"Invalid value {name} for configuration {key}: Class {name} could not be found.")
        return None
    try:
        definition = desc.cls().config()
    except Exception as e:
        cv.add_error(f"Invalid value {name} for configuration {key}: {e}")
        return None
    prefix = key + "."
    stripped = {k[len(prefix) :]: v for k, v in props.items() if k.startswith(prefix)}
    stripped["converter.type"] = key.split(".", 1)[0]
    return prefixed_result(conn_type, prefix, definition.config_keys, definition.validate(stripped))


def _override_part(conn_type: str, props: Mapping[str, Any], prefix: str, role: str, policy: str) -> JsonObj:
    values: list[ConfigValue] = []
    policy_name = policy.strip()
    for k, v in props.items():
        if not k.startswith(prefix):
            continue
        client_key = k[len(prefix) :]
        cv = ConfigValue(client_key, v)
        allowed = policy_name.lower() in (
            "all",
            "org.apache.kafka.connect.connector.policy.allconnectorclientconfigoverridepolicy",
        )
        if policy_name.lower() in ("principal",) or policy_name.endswith(
            "PrincipalConnectorClientConfigOverridePolicy"
        ):
            allowed = client_key in _PRINCIPAL_ALLOWED
        if not allowed:
            cv.add_error(
                f"The '{policy_name}' policy does not allow '{client_key}' to be overridden in the connector "
                "configuration."
            )
        elif v is not None and client_key != "group.id":
            try:
                translate({client_key: v}, role)  # type: ignore[arg-type]
            except ConfigException as e:
                cv.add_error(str(e))
        values.append(cv)
    return prefixed_result(conn_type, prefix, {}, values)


def source_uses_offsets_topic_clients(worker_config: WorkerConfig | None, props: Mapping[str, Any]) -> bool:
    """Java ``DistributedHerder.connectorUsesSeparateOffsetsTopicClients``: a distributed worker's source connector
    reads and writes an offsets topic with clients of its own (so its consumer and admin overrides are validated)
    when it names ``offsets.storage.topic`` or the worker enables exactly-once source support."""
    if worker_config is None or worker_config.mode != "distributed":
        return False
    eos = str(worker_config.originals.get("exactly.once.source.support") or "").strip().lower() == "enabled"
    return eos or bool(str(props.get(OFFSETS_TOPIC_CONFIG) or "").strip())


def validate_connector_config(
    registry: PluginRegistry,
    worker_config: WorkerConfig | None,
    props: Mapping[str, Any],
    policies: Sequence[ConnectorConfigPolicy] = (),
) -> JsonObj:
    """``AbstractHerder.validateConnectorConfig``: the full ConfigInfos of a connector config, with the
    keys and values of ``policies`` after the connector's own.

    Raises BadRequestException if ``connector.class`` is missing and ConnectException if the class
    cannot be found (REST 400 / 500, as Java)."""
    if worker_config is not None:
        props = worker_config.transform_connector_config(props)  # as Java: validate the resolved values
    conn_type = props.get(CONNECTOR_CLASS_CONFIG)
    if conn_type is None:
        raise BadRequestException("Connector config contains no connector type")  # 4.4's text (3.x added the map)
    desc = registry.resolve(str(conn_type), ("sink", "source"))
    connector: Connector = desc.cls()  # type: ignore[assignment]
    is_sink = isinstance(connector, SinkConnector)
    version_error = _connector_version_error(desc, props)
    if version_error is not None:
        # as Java: no connector of that version to ask, so only the generic connector keys are validated
        base = connector_config_def()
    else:
        base = sink_connector_config_def() if is_sink else source_connector_config_def()
    enriched = enrich(registry, base, props, require_full_config=False)
    values: dict[str, ConfigValue] = {cv.name: cv for cv in enriched.validate(props)}
    if is_sink and version_error is None:
        validate_sink_topics(props, values)
    for k, v in props.items():
        if v is None:
            cv = values.get(k)
            if cv is None:
                cv = values[k] = ConfigValue(k)
            cv.add_error("Null value can not be supplied as the configuration value.")
    config_keys: dict[str, ConfigKey] = dict(enriched.config_keys)
    _plugin_versions(registry, worker_config, desc, props, config_keys, values, version_error)
    groups = list(enriched.groups)
    config_values = list(values.values())
    if version_error is not None:
        return generate_result(str(conn_type), config_keys, config_values, groups)
    try:
        own_def = connector.config()
        own_values = connector.validate(props)
    except ConnectException:
        raise
    except Exception as e:
        raise ConnectException(f"Connector {conn_type} failed to validate its configuration: {e}") from e
    for own_key in own_def.config_keys.values():
        config_keys[own_key.name] = own_key
        if own_key.group is not None and own_key.group not in groups:
            groups.append(own_key.group)
    config_values.extend(own_values)
    _apply_policies(policies, props, config_keys, config_values, groups)
    converter_parts = [
        _converter_part(registry, str(conn_type), props, values, "key.converter", ("converter",)),
        _converter_part(registry, str(conn_type), props, values, "value.converter", ("converter",)),
        _converter_part(registry, str(conn_type), props, values, "header.converter", ("header_converter", "converter")),
    ]
    result = generate_result(str(conn_type), config_keys, config_values, groups)
    policy = str(worker_config.get("connector.client.config.override.policy")) if worker_config else "All"
    override_parts: list[JsonObj | None] = []
    if is_sink:
        override_parts.append(_override_part(str(conn_type), props, CONSUMER_OVERRIDES_PREFIX, "consumer", policy))
        if str(props.get(DLQ_TOPIC_NAME_CONFIG) or "").strip():
            override_parts.append(_override_part(str(conn_type), props, PRODUCER_OVERRIDES_PREFIX, "producer", policy))
            override_parts.append(_override_part(str(conn_type), props, ADMIN_OVERRIDES_PREFIX, "admin", policy))
    else:
        override_parts.append(_override_part(str(conn_type), props, PRODUCER_OVERRIDES_PREFIX, "producer", policy))
        offsets_clients = source_uses_offsets_topic_clients(worker_config, props)
        if offsets_clients:
            override_parts.append(_override_part(str(conn_type), props, CONSUMER_OVERRIDES_PREFIX, "consumer", policy))
        if offsets_clients or any(str(k).startswith("topic.creation.") for k in props):
            override_parts.append(_override_part(str(conn_type), props, ADMIN_OVERRIDES_PREFIX, "admin", policy))
    return merge_config_infos(str(conn_type), result, *override_parts, *converter_parts)


_CONVERTER_KEYS = (
    (KEY_CONVERTER_CLASS_CONFIG, KEY_CONVERTER_VERSION_CONFIG, ("converter",)),
    (VALUE_CONVERTER_CLASS_CONFIG, VALUE_CONVERTER_VERSION_CONFIG, ("converter",)),
    (HEADER_CONVERTER_CLASS_CONFIG, HEADER_CONVERTER_VERSION_CONFIG, ("header_converter", "converter")),
)


def _connector_version_error(desc: PluginDesc, props: Mapping[str, Any]) -> str | None:
    """KIP-891: why the installed connector does not meet ``connector.plugin.version`` (None if it does); a
    malformed requirement raises BadRequestException with Maven's message."""
    spec = props.get(CONNECTOR_VERSION_CONFIG)
    try:
        return unmet_requirement(None if spec is None else str(spec), desc.class_name, desc.version)
    except InvalidVersionSpecification as e:
        raise BadRequestException(str(e)) from e


def _plugin_versions(
    registry: PluginRegistry,
    worker_config: WorkerConfig | None,
    desc: PluginDesc,
    props: Mapping[str, Any],
    config_keys: dict[str, ConfigKey],
    values: dict[str, ConfigValue],
    version_error: str | None,
) -> None:
    """KIP-891 as Connect 4.4 validates it: the versions in use are the defaults and the only recommended
    values; a connector version requirement the installed plugin does not meet is an error on
    ``connector.class`` and ``connector.plugin.version`` (and hides the converter versions). Converter
    classes show the worker's default when unset, with every installed converter recommended."""
    if version_error is not None:
        for key in (CONNECTOR_CLASS_CONFIG, CONNECTOR_VERSION_CONFIG):
            values.setdefault(key, ConfigValue(key, props.get(key))).add_error(version_error)
    _show_version(config_keys, values, CONNECTOR_VERSION_CONFIG, props.get(CONNECTOR_VERSION_CONFIG), desc.version)
    for class_key, version_key, kinds in _CONVERTER_KEYS:
        name = props.get(class_key) or (worker_config.originals.get(class_key) if worker_config else None)
        if class_key == HEADER_CONVERTER_CLASS_CONFIG and not name:
            name = "org.apache.kafka.connect.storage.SimpleHeaderConverter"
        conv = registry.find(str(name)) if name else None
        cv = values.get(class_key)
        if cv is not None and not cv.errors:
            cv.value = conv.class_name if conv is not None else name
            cv.recommended_values = sorted({d.class_name for d in registry.plugins(kinds)})  # type: ignore[arg-type]
        vcv = values.get(version_key)
        if vcv is None:
            continue
        if version_error is not None or conv is None:
            vcv.visible, vcv.recommended_values = False, []
        else:
            _show_version(config_keys, values, version_key, props.get(version_key), conv.version)


def _show_version(
    config_keys: dict[str, ConfigKey], values: dict[str, ConfigValue], key: str, given: Any, installed: str
) -> None:
    if key in config_keys:
        config_keys[key] = dataclasses.replace(config_keys[key], default=installed)
    cv = values.get(key)
    if cv is not None:
        cv.value = given if given is not None else installed
        cv.recommended_values = [installed]


def _apply_policies(
    policies: Sequence[ConnectorConfigPolicy],
    props: Mapping[str, Any],
    config_keys: dict[str, ConfigKey],
    config_values: list[ConfigValue],
    groups: list[str],
) -> None:
    """Each policy's keys, validated like the connector's own; a key the connector defines stays the
    connector's."""
    for policy in policies:
        added = policy.validate(props)
        if added is None:
            continue
        definition, values = added
        config_values.extend(v for v in values if v.name not in config_keys)
        for key in definition.config_keys.values():
            config_keys.setdefault(key.name, key)
            if key.group is not None and key.group not in groups:
                groups.append(key.group)


def plugin_config(registry: PluginRegistry, plugin: str) -> list[JsonObj]:
    """``GET /connector-plugins/{plugin}/config``: the plugin's own ConfigKeyInfos; for connectors followed by
    the framework's sink or source connector keys the plugin does not redefine (as Connect 4.x lists them)."""
    desc = registry.find(plugin)
    if desc is None:
        raise NotFoundException(f"Unknown plugin {plugin}.")
    own = desc.cls().config()
    infos = own.to_infos()
    if desc.kind in ("sink", "source"):
        framework = sink_connector_config_def() if desc.kind == "sink" else source_connector_config_def()
        framework_keys = dict(framework.config_keys)
        framework_keys[CONNECTOR_VERSION_CONFIG] = dataclasses.replace(
            framework_keys[CONNECTOR_VERSION_CONFIG], default=desc.version
        )
        infos += [k.to_info() for k in framework_keys.values() if not k.internal and k.name not in own]
    return infos


_COORDINATOR_NOT_READY = frozenset(
    {KafkaError.COORDINATOR_LOAD_IN_PROGRESS, KafkaError.COORDINATOR_NOT_AVAILABLE, KafkaError.NOT_COORDINATOR}
)


def list_group_offsets(admin: Any, group: str, timeout_s: float = 30.0) -> list[KTopicPartition]:
    """The consumer group's committed offsets, blocking (run it in an executor).

    librdkafka (2.16) crashes the whole process (SIGSEGV in rd_kafka_cgrp_op) when an AdminClient's
    OffsetFetch gets a coordinator error: it hands the retry to a consumer-group handle that an admin client
    does not have. That happens e.g. while ``__consumer_offsets`` is being created or loaded, so the group's
    coordinator is first waited for with DescribeGroups, whose coordinator errors are plain exceptions."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            admin.describe_consumer_groups([group])[group].result(timeout_s)
            break
        except KafkaException as e:
            err = e.args[0] if e.args else None
            if not isinstance(err, KafkaError) or err.code() not in _COORDINATOR_NOT_READY:
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    res = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])[group].result(timeout_s)
    return list(res.topic_partitions)


_ZOMBIE_HINT = (
    "either because its tasks haven't stopped completely yet or the connector was resumed before the request to "
    "alter its offsets could be successfully completed. If the connector is in a stopped state, this operation can "
    "be safely retried. If it doesn't eventually succeed, the Connect cluster may need to be restarted to get rid "
    "of the zombie sink tasks."
)


# A stopped sink's consumers leave the group as their tasks finish closing; the group must be empty for the
# brokers to accept the change, so a refusal is retried this long before it is reported (Java reports at once).
GROUP_EMPTY_WAIT_S = 10.0


async def until_group_empty(
    change: Callable[[], Awaitable[None]], refused: tuple[type[BaseException], ...], failure: str
) -> None:
    """Run ``change`` (an alter/delete of a stopped sink's group) until the broker stops refusing it with one
    of ``refused`` (the group still has members), at most :data:`GROUP_EMPTY_WAIT_S`; then raise
    ``ConnectException(failure)``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + GROUP_EMPTY_WAIT_S
    while True:
        try:
            await change()
            return
        except refused as e:
            if loop.time() >= deadline:
                raise ConnectException(failure) from e
            await asyncio.sleep(0.25)


async def alter_sink_group_offsets(
    admin_conf: Mapping[str, Any], connector: str, group: str, parsed: Mapping[tuple[str, int], int | None]
) -> None:
    """KIP-875 for sinks, shared by both herders: set the consumer group's offsets (AlterConsumerGroupOffsets,
    librdkafka) and delete those given as ``None`` (OffsetDelete, which librdkafka lacks: sent with aiokafka),
    as Java's ``alterSinkConnectorOffsets``. ``admin_conf`` is the connector's librdkafka admin config."""
    to_set = [KTopicPartition(t, p, o) for (t, p), o in parsed.items() if o is not None]
    to_reset = [(t, p) for (t, p), o in parsed.items() if o is None]
    if to_set:

        def alter() -> None:
            admin = AdminClient(dict(admin_conf))
            admin.alter_consumer_group_offsets([ConsumerGroupTopicPartitions(group, to_set)])[group].result(30)

        await until_group_empty(
            lambda: asyncio.get_running_loop().run_in_executor(None, alter),
            (KafkaException,),
            f"Failed to alter consumer group offsets for connector {connector} {_ZOMBIE_HINT}",
        )
    if to_reset:
        await until_group_empty(
            lambda: delete_group_offsets(
                str(admin_conf["bootstrap.servers"]),
                group,
                to_reset,
                client_id=str(admin_conf.get("client.id") or f"connector-adminclient-{connector}"),
                **aiokafka_client_config(admin_conf),
            ),
            (ConnectException, AIOKafkaError),
            f"Failed to delete consumer group offsets for connector {connector} {_ZOMBIE_HINT}",
        )


async def read_connector_offsets(
    name: str, *, sink_group: str | None, admin: Callable[[], Any], offset_store: OffsetBackingStore
) -> ConnectorOffsets:
    """``GET /connectors/{c}/offsets`` (KIP-875) for both herders: a sink's consumer group offsets
    (``sink_group`` set; ``admin`` builds the connector's admin client) or a source's stored offsets."""
    if sink_group is not None:

        def fetch() -> list[ConnectorOffset]:
            tps = list_group_offsets(admin(), sink_group)
            return [
                ConnectorOffset({"kafka_topic": tp.topic, "kafka_partition": tp.partition}, {"kafka_offset": tp.offset})
                for tp in tps
                if tp.offset >= 0
            ]

        try:
            return ConnectorOffsets(await asyncio.get_running_loop().run_in_executor(None, fetch))
        except Exception as e:
            raise ConnectException(f"Failed to retrieve consumer group offsets for sink connector {name}") from e
    try:
        keys = await offset_store.connector_partitions(name)
        stored = await offset_store.get(keys)
    except Exception as e:
        raise ConnectException(f"Failed to retrieve offsets for source connector {name}") from e
    out = []
    for k in keys:
        parsed = parse_offset_key(k)
        value = parse_offset_value(stored.get(k))
        if parsed is not None and value is not None:
            out.append(ConnectorOffset(parsed[1], value))
    return ConnectorOffsets(out)
