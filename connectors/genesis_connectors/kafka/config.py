"""Configuration of the ad-log sink connectors: one :class:`ConfigDef` per connector, built from shared
groups (target, filter, injection, sampling) plus each connector's own keys. These definitions are
the single source of the REST validation answers and of the README tables."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from genesis_connectors.kafka.expr import Expression, ExpressionError, compile_condition
from genesis_worker.api.config import AbstractConfig, ConfigDef, ConfigType, Importance, Width
from genesis_worker.api.errors import ConfigException
from genesis_worker.api.validators import LambdaValidator, NonEmptyString, Range, ValidString

JAVA_NAMESPACE = "com.genesis.connect.kafka"
"""The Java-style package the connectors answer to (``com.genesis.connect.kafka.KafkaSinkConnector``)."""

TARGET_BOOTSTRAP = "target.bootstrap.servers"
TARGET_TOPIC = "target.topic"
TARGET_PRODUCER_PREFIX = "target.producer."
FILTER_CONDITION = "filter.condition"
INJECT_TS_FIELD = "inject.timestamp.field"
INJECT_TS_FORMAT = "inject.timestamp.format"
INJECT_TS_SOURCE = "inject.timestamp.source"
INJECT_KEY_FIELD = "inject.key.field"
INJECT_STATIC = "inject.static.fields"
INJECT_TOPIC_FIELD = "inject.topic.field"
INJECT_OFFSET_FIELD = "inject.offset.field"
SAMPLE_PERCENT = "sample.percent"
SAMPLE_MODE = "sample.mode"
SAMPLE_HASH_FIELD = "sample.hash.field"
ON_MISS = "on.miss"

TOPIC_PLACEHOLDER = "${topic}"
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
WORKER_BOOTSTRAP_KEYS = ("bootstrap.servers", "worker.bootstrap.servers")

_G_TARGET = "Target"
_G_FILTER = "Filter"
_G_INJECT = "Injection"
_G_SAMPLE = "Sampling"


def _validate_condition(name: str, value: Any) -> None:
    if value is None or str(value).strip() == "":
        return
    try:
        compile_condition(str(value))
    except ExpressionError as e:
        raise ConfigException(f"Invalid value {value} for configuration {name}: {e}", name, value) from None


def parse_static_fields(items: list[str]) -> dict[str, Any]:
    """``name=value`` pairs. A value that is a JSON literal (number, true, false, null, a quoted
    string, an object or array) is used as that JSON value; anything else is a plain string."""
    out: dict[str, Any] = {}
    for item in items:
        if not item.strip():
            continue
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"expected name=value but got '{item}'")
        raw = raw.strip()
        try:
            out[name] = orjson.loads(raw) if raw else ""
        except orjson.JSONDecodeError:
            out[name] = raw
    return out


def _validate_static(name: str, value: Any) -> None:
    try:
        parse_static_fields(list(value or []))
    except ValueError as e:
        raise ConfigException(f"Invalid value {','.join(value)} for configuration {name}: {e}", name, value) from None


_TOPIC_PATTERN_RE = re.compile(r"\$\{([^}]*)\}")


def _validate_target_topic(name: str, value: Any) -> None:
    NonEmptyString()(name, value)
    for m in _TOPIC_PATTERN_RE.finditer(str(value)):
        if m.group(0) != TOPIC_PLACEHOLDER:
            raise ConfigException(
                f"Invalid value {value} for configuration {name}: unknown placeholder {m.group(0)} "
                f"(only {TOPIC_PLACEHOLDER} is supported)",
                name,
                value,
            )


ON_MISS_VALUES = ("pass", "drop", "null", "fail")
ON_MISS_DOC = (
    "What to do with a record whose join key is missing or has no match: 'pass' writes it unchanged, "
    "'drop' skips it, 'null' writes it with the target field(s) set to null, 'fail' reports it to the "
    "errant record reporter (DLQ / errors.tolerance) or, without one, fails the task."
)


def base_config_def() -> ConfigDef:
    """Keys shared by the three connectors: target, filter, injection, sampling."""
    d = ConfigDef()
    d.define(
        TARGET_TOPIC,
        ConfigType.STRING,
        validator=LambdaValidator(_validate_target_topic, "non-empty string, may contain ${topic}"),
        importance=Importance.HIGH,
        documentation="Topic to write to. '${topic}' is replaced by the record's topic, e.g. '${topic}.filtered'.",
        group=_G_TARGET,
        order_in_group=1,
        width=Width.MEDIUM,
        display_name="Target topic",
    )
    d.define(
        TARGET_BOOTSTRAP,
        ConfigType.STRING,
        "",
        importance=Importance.HIGH,
        documentation="Bootstrap servers of the target cluster. Empty: the worker's bootstrap.servers when the "
        "runtime passes it to the task (task config key bootstrap.servers), else required. Producer settings can be overridden with 'target.producer.<librdkafka property>' "
        "(defaults: acks=all, enable.idempotence=true, linger.ms=5, partitioner=murmur2_random).",
        group=_G_TARGET,
        order_in_group=2,
        width=Width.LONG,
        display_name="Target bootstrap servers",
    )
    d.define(
        FILTER_CONDITION,
        ConfigType.STRING,
        "",
        LambdaValidator(_validate_condition, "a filter expression"),
        Importance.MEDIUM,
        'Only records for which this condition is true are written. Fields: value.a.b, value["x"], '
        "value.list[0], key, topic, partition, offset, timestamp, header.name. Operators: == != < <= > >=, "
        'in [..], not in [..], =~ "regex" (or matches), exists(field), and/or/not, parentheses. Missing '
        "fields are null; only ==/!=/in treat null as a value, other comparisons with null are false. "
        "Empty: keep every record.",
        _G_FILTER,
        1,
        Width.LONG,
        "Filter condition",
    )
    d.define(
        INJECT_TS_FIELD,
        ConfigType.STRING,
        "",
        importance=Importance.LOW,
        documentation="Value field to set to a timestamp (empty: none).",
        group=_G_INJECT,
        order_in_group=1,
        display_name="Timestamp field",
    )
    d.define(
        INJECT_TS_FORMAT,
        ConfigType.STRING,
        "epoch_millis",
        ValidString.in_("epoch_millis", "iso8601"),
        Importance.LOW,
        "epoch_millis (a number) or iso8601 (UTC text such as 2024-05-01T12:00:00.123Z).",
        _G_INJECT,
        2,
        display_name="Timestamp format",
    )
    d.define(
        INJECT_TS_SOURCE,
        ConfigType.STRING,
        "record",
        ValidString.in_("record", "wallclock"),
        Importance.LOW,
        "record: the Kafka record's timestamp (null if it has none); wallclock: the time of processing.",
        _G_INJECT,
        3,
        display_name="Timestamp source",
    )
    d.define(
        INJECT_KEY_FIELD,
        ConfigType.STRING,
        "",
        importance=Importance.LOW,
        documentation="Set the message key from this value field (dots for nested fields). Strings are "
        "written as UTF-8, other values as JSON. If the field is missing or null the original key is kept.",
        group=_G_INJECT,
        order_in_group=4,
        display_name="Key from field",
    )
    d.define(
        INJECT_STATIC,
        ConfigType.LIST,
        "",
        LambdaValidator(_validate_static, "list of name=value"),
        Importance.LOW,
        'Fields added to every value, as name=value,name2=value2. JSON literals (42, true, null, "text") '
        "keep their type; anything else is a string.",
        _G_INJECT,
        5,
        display_name="Static fields",
    )
    d.define(
        INJECT_TOPIC_FIELD,
        ConfigType.STRING,
        "",
        importance=Importance.LOW,
        documentation="Value field to set to the source topic (empty: none).",
        group=_G_INJECT,
        order_in_group=6,
        display_name="Topic field",
    )
    d.define(
        INJECT_OFFSET_FIELD,
        ConfigType.STRING,
        "",
        importance=Importance.LOW,
        documentation="Value field to set to the source offset (empty: none).",
        group=_G_INJECT,
        order_in_group=7,
        display_name="Offset field",
    )
    d.define(
        SAMPLE_PERCENT,
        ConfigType.DOUBLE,
        100.0,
        Range.between(0, 100),
        Importance.MEDIUM,
        "Percentage of records kept (0-100, fractional allowed). Applied before the filter is evaluated "
        "when hashing the key.",
        _G_SAMPLE,
        1,
        display_name="Sample percent",
    )
    d.define(
        SAMPLE_MODE,
        ConfigType.STRING,
        "random",
        ValidString.in_("random", "hash"),
        Importance.MEDIUM,
        "random: each record independently; hash: a fixed hash (fmix32 of CRC-32) of the sample key, so the same "
        "key (user) is always in or always out, in every task and after restarts.",
        _G_SAMPLE,
        2,
        display_name="Sample mode",
    )
    d.define(
        SAMPLE_HASH_FIELD,
        ConfigType.STRING,
        "",
        importance=Importance.LOW,
        documentation="For sample.mode=hash: value field to hash (dots for nested fields). Empty: the "
        "record key. Records with a null or missing key/field are kept whenever percent > 0.",
        group=_G_SAMPLE,
        order_in_group=3,
        display_name="Sample hash field",
    )
    return d


@dataclass(frozen=True)
class BaseSettings:
    """Parsed shared settings."""

    target_topic: str
    target_bootstrap: str
    producer_overrides: dict[str, Any]
    condition: Expression | None
    ts_field: str
    ts_format: str
    ts_source: str
    key_field: tuple[str, ...]
    static_fields: dict[str, Any]
    topic_field: str
    offset_field: str
    sample_percent: float
    sample_mode: str
    sample_field: tuple[str, ...]
    connector_name: str
    task_id: str

    @classmethod
    def from_config(cls, cfg: AbstractConfig, props: Mapping[str, str]) -> BaseSettings:
        cond_text = cfg.get_str(FILTER_CONDITION)
        key_field = cfg.get_str(INJECT_KEY_FIELD)
        sample_field = cfg.get_str(SAMPLE_HASH_FIELD)
        return cls(
            target_topic=cfg.get_str(TARGET_TOPIC),
            target_bootstrap=resolve_bootstrap(cfg.get_str(TARGET_BOOTSTRAP), props, TARGET_BOOTSTRAP),
            producer_overrides=cfg.originals_with_prefix(TARGET_PRODUCER_PREFIX),
            condition=compile_condition(cond_text) if cond_text.strip() else None,
            ts_field=cfg.get_str(INJECT_TS_FIELD),
            ts_format=cfg.get_str(INJECT_TS_FORMAT),
            ts_source=cfg.get_str(INJECT_TS_SOURCE),
            key_field=tuple(key_field.split(".")) if key_field else (),
            static_fields=parse_static_fields(cfg.get_list(INJECT_STATIC)),
            topic_field=cfg.get_str(INJECT_TOPIC_FIELD),
            offset_field=cfg.get_str(INJECT_OFFSET_FIELD),
            sample_percent=cfg.get_float(SAMPLE_PERCENT),
            sample_mode=cfg.get_str(SAMPLE_MODE),
            sample_field=tuple(sample_field.split(".")) if sample_field else (),
            connector_name=props.get("name", "") or "",
            task_id=props.get("task.id", "") or "",
        )


def resolve_bootstrap(explicit: str, props: Mapping[str, str], key: str) -> str:
    """``explicit`` if set, else the worker's bootstrap servers when the runtime passed them to the task,
    else a ConfigException naming ``key``."""
    if explicit.strip():
        return explicit.strip()
    for k in WORKER_BOOTSTRAP_KEYS:
        v = props.get(k)
        if v and v.strip():
            return v.strip()
    raise ConfigException(
        f'Missing required configuration "{key}": it has no default and the worker\'s bootstrap.servers '
        "was not passed to the task",
        key,
    )


def iso8601_millis(ms: int) -> str:
    """UTC ISO-8601 text with milliseconds, e.g. ``2024-05-01T12:00:00.123Z``."""
    dt = _EPOCH + _dt.timedelta(seconds=ms // 1000)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
