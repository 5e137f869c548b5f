"""AdLogJoinKafkaSinkConnector: enrich ad logs with ad metadata from a compacted topic, write to Kafka.

Each task materialises ``lookup.topic`` in memory (:class:`~genesis_connectors.kafka.lookup_table.LookupTable`:
read to the end before the task starts processing, then updates and tombstones followed in the
background). A record's ``lookup.key.field`` value, as text (numbers in decimal), is matched against the
lookup records' keys (UTF-8). On a hit the ``lookup.fields`` of the lookup value (all fields when empty)
are copied into the record — at the top level, or under ``lookup.target.field`` as one object; on a
miss ``on.miss`` applies (``null`` sets the copied fields, or the target field, to null).

Example::

    connector.class=com.genesis.connect.kafka.AdLogJoinKafkaSinkConnector
    topics=clicks
    target.topic=clicks.enriched
    lookup.topic=ads-metadata
    lookup.key.field=ad_id
    lookup.fields=campaign_id,creative_id,advertiser
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from genesis_connectors.kafka import config as C
from genesis_connectors.kafka.fragments import Fragment
from genesis_connectors.kafka.lookup_table import LookupTable, LookupTableError
from genesis_connectors.kafka.sink import AdLogSinkTask, Item, _AdLogSinkConnector, join_keys
from genesis_worker.api import (
    ConfigDef,
    ConfigType,
    ConnectException,
    DataException,
    Importance,
    Range,
    SinkTask,
    ValidString,
)
from genesis_worker.api.config import NO_DEFAULT_VALUE
from genesis_worker.api.lineage import Endpoint, Lineage
from genesis_worker.api.validators import NonEmptyString

LOOKUP_TOPIC = "lookup.topic"
LOOKUP_BOOTSTRAP = "lookup.bootstrap.servers"
LOOKUP_CONSUMER_PREFIX = "lookup.consumer."
LOOKUP_KEY_FIELD = "lookup.key.field"
LOOKUP_FIELDS = "lookup.fields"
LOOKUP_TARGET_FIELD = "lookup.target.field"
LOOKUP_MAX_ENTRIES = "lookup.max.entries"
LOOKUP_LOAD_TIMEOUT = "lookup.load.timeout.ms"

_G = "Ad-log join"


def adlog_join_config_def() -> ConfigDef:
    d = C.base_config_def()
    n = 0

    def define(name: str, type_: ConfigType, default: Any, validator: Any, imp: Importance, doc: str) -> None:
        nonlocal n
        n += 1
        d.define(name, type_, default, validator, imp, doc, _G, n, display_name=name)

    define(
        LOOKUP_TOPIC,
        ConfigType.STRING,
        NO_DEFAULT_VALUE,
        NonEmptyString(),
        Importance.HIGH,
        "Compacted topic of ad metadata, keyed by ad id (UTF-8 key), JSON object values; null values "
        "(tombstones) delete an entry.",
    )
    define(
        LOOKUP_BOOTSTRAP,
        ConfigType.STRING,
        "",
        None,
        Importance.MEDIUM,
        "Bootstrap servers of the lookup topic's cluster. Empty: as target.bootstrap.servers. Consumer "
        "settings can be overridden with 'lookup.consumer.<librdkafka property>'.",
    )
    define(
        LOOKUP_KEY_FIELD,
        ConfigType.STRING,
        NO_DEFAULT_VALUE,
        NonEmptyString(),
        Importance.HIGH,
        "Field of the ad log (dots for nested fields) whose value, as text, is looked up, e.g. ad_id.",
    )
    define(
        LOOKUP_FIELDS,
        ConfigType.LIST,
        "",
        None,
        Importance.MEDIUM,
        "Fields of the lookup value copied into the record (empty: all of them). Only these are kept in memory.",
    )
    define(
        LOOKUP_TARGET_FIELD,
        ConfigType.STRING,
        "",
        None,
        Importance.MEDIUM,
        "Empty: the fields are copied to the top level of the record (overwriting fields of the same "
        "name); else they are written as one object under this field.",
    )
    define(C.ON_MISS, ConfigType.STRING, "pass", ValidString.in_(*C.ON_MISS_VALUES), Importance.MEDIUM, C.ON_MISS_DOC)
    define(
        LOOKUP_MAX_ENTRIES,
        ConfigType.INT,
        1_000_000,
        Range.at_least(1),
        Importance.MEDIUM,
        "Most keys held in memory. Going past it fails the task with a clear error (entries are never "
        "evicted, which would turn hits into silent misses).",
    )
    define(
        LOOKUP_LOAD_TIMEOUT,
        ConfigType.LONG,
        300_000,
        Range.at_least(1),
        Importance.LOW,
        "How long the task may take to read the lookup topic to its end at start, in ms.",
    )
    return d


class AdLogJoinKafkaSinkConnector(_AdLogSinkConnector):
    """Enriches ad logs with ad metadata from a compacted topic, then writes them to a Kafka topic."""

    java_class_names = (f"{C.JAVA_NAMESPACE}.AdLogJoinKafkaSinkConnector",)
    CONFIG_DEF = adlog_join_config_def()

    def lineage(self, config: Mapping[str, str]) -> Lineage:
        lineage = super().lineage(config)
        lookup = (config.get(LOOKUP_TOPIC) or "").strip()
        if lookup:
            cluster = (config.get(LOOKUP_BOOTSTRAP) or "").strip() or None
            lineage.inputs.append(Endpoint("kafka", lookup, cluster=cluster))
        return lineage

    def task_class(self) -> type[SinkTask]:
        return AdLogJoinKafkaSinkTask


class AdLogJoinKafkaSinkTask(AdLogSinkTask):
    """The task of :class:`AdLogJoinKafkaSinkConnector`."""

    table: LookupTable

    def config_def(self) -> ConfigDef:
        return AdLogJoinKafkaSinkConnector.CONFIG_DEF

    async def start_enrichment(self, props: dict[str, str]) -> None:
        cfg = self.cfg
        s = self.settings
        self.key_field = tuple(cfg.get_str(LOOKUP_KEY_FIELD).split("."))
        self.on_miss = cfg.get_str(C.ON_MISS)
        fields = cfg.get_list(LOOKUP_FIELDS)
        target = cfg.get_str(LOOKUP_TARGET_FIELD)
        if target:
            self._null: Fragment | None = Fragment.of({target: None})
        else:
            self._null = Fragment.of(dict.fromkeys(fields)) if fields else None
        bootstrap = cfg.get_str(LOOKUP_BOOTSTRAP).strip() or s.target_bootstrap
        client_id = f"connector-lookup-{s.connector_name or 'adlog'}" + (f"-{s.task_id}" if s.task_id else "")
        self.table = self.make_table(
            bootstrap, cfg.get_str(LOOKUP_TOPIC), fields, target, cfg.get_int(LOOKUP_MAX_ENTRIES),
            cfg.originals_with_prefix(LOOKUP_CONSUMER_PREFIX), client_id,
        )  # fmt: skip
        timeout_s = cfg.get_int(LOOKUP_LOAD_TIMEOUT) / 1000.0
        try:
            await asyncio.to_thread(self.table.start, timeout_s)
        except LookupTableError as e:
            await asyncio.to_thread(self.table.close)
            raise ConnectException(str(e)) from e

    def make_table(
        self,
        bootstrap: str,
        topic: str,
        fields: list[str],
        target: str,
        max_entries: int,
        overrides: dict[str, Any],
        client_id: str,
    ) -> LookupTable:
        return LookupTable(bootstrap, topic, fields, target, max_entries, overrides, client_id)

    async def stop_enrichment(self) -> None:
        table = getattr(self, "table", None)
        if table is not None:
            await asyncio.to_thread(table.close)

    async def enrich(self, items: list[Item]) -> list[Item]:
        table = self.table
        if table.error is not None:
            raise ConnectException(str(table.error)) from table.error
        get = table.get
        out: list[Item] = []
        for item, k in zip(items, join_keys(items, self.key_field), strict=True):
            frag = get(k) if k is not None else None
            if frag is not None:
                if frag.names:
                    item.frags.append(frag)
                out.append(item)
                continue
            mode = self.on_miss
            if mode == "pass":
                out.append(item)
            elif mode == "null":
                if self._null is not None:
                    item.frags.append(self._null)
                out.append(item)
            elif mode == "drop":
                self.counts["dropped"] += 1
            else:
                await self.report(item.record, DataException(f"No entry in {table.topic} for key {k!r}"))
        return out

    def metrics(self) -> dict[str, Any]:
        m = super().metrics()
        table = getattr(self, "table", None)
        if table is not None:
            m.update(table.metrics())
        return m
