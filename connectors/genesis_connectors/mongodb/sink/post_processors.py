"""``post.processor.chain``: changes applied to each document before its write model is built.

``DocumentIdAdder`` always runs first (added when the chain does not start with it), as in Java.
"""

from __future__ import annotations

import json
import re
from typing import Any

from genesis_connectors.mongodb.sink import config as k
from genesis_connectors.mongodb.sink.config import TopicSettings
from genesis_connectors.mongodb.sink.documents import SinkDocument
from genesis_connectors.mongodb.sink.id_strategies import IdStrategy
from genesis_connectors.mongodb.sink.projection import AllowList, BlockList, Projector, parse_fields
from genesis_connectors.mongodb.sink.strategies import resolve
from genesis_worker.api import ConfigException, DataException

_PKG = "com.mongodb.kafka.connect.sink.processor."


class PostProcessor:
    """Base class: ``process`` may change ``doc.key_doc`` / ``doc.value_doc`` in place."""

    def __init__(self, config: TopicSettings, id_strategy: IdStrategy) -> None:
        self.config = config
        self.id_strategy = id_strategy

    def process(self, doc: SinkDocument) -> None:
        raise NotImplementedError


class DocumentIdAdder(PostProcessor):
    """Sets ``_id`` from the id strategy (unless the value has one and overwrite.existing is false)."""

    def __init__(self, config: TopicSettings, id_strategy: IdStrategy) -> None:
        super().__init__(config, id_strategy)
        self.overwrite = bool(config.get(k.DOCUMENT_ID_STRATEGY_OVERWRITE_EXISTING_CONFIG))

    def process(self, doc: SinkDocument) -> None:
        vd = doc.value_doc
        if vd is not None and (self.overwrite or "_id" not in vd):
            vd["_id"] = self.id_strategy.generate_id(doc)


class KafkaMetaAdder(PostProcessor):
    """Adds ``topic-partition-offset`` and the record timestamp under its timestamp type's name."""

    def process(self, doc: SinkDocument) -> None:
        from bson import Int64

        vd = doc.value_doc
        if vd is None:
            return
        r = doc.record
        vd["topic-partition-offset"] = f"{r.topic}-{r.kafka_partition}-{r.kafka_offset}"
        if r.timestamp is not None and r.timestamp_type is not None:
            vd[_JAVA_TIMESTAMP_TYPE.get(r.timestamp_type.value, r.timestamp_type.value)] = Int64(r.timestamp)


_JAVA_TIMESTAMP_TYPE = {
    "NoTimestampType": "NO_TIMESTAMP_TYPE",
    "CreateTime": "CREATE_TIME",
    "LogAppendTime": "LOG_APPEND_TIME",
}


class _Projector(PostProcessor):
    kinds: tuple[str, ...]
    type_key: str
    list_key: str
    on_key: bool
    allow: bool

    def __init__(self, config: TopicSettings, id_strategy: IdStrategy) -> None:
        super().__init__(config, id_strategy)
        fields = parse_fields(str(config.get(self.list_key)))
        self.enabled = str(config.get(self.type_key)).strip().lower() in self.kinds
        self.projector: Projector = AllowList(fields) if self.allow else BlockList(fields)

    def process(self, doc: SinkDocument) -> None:
        if not self.enabled:
            return
        d = doc.key_doc if self.on_key else doc.value_doc
        if d is not None:
            self.projector.apply(d)


def _projector(name: str, on_key: bool, allow: bool) -> type[_Projector]:
    return type(
        name,
        (_Projector,),
        {
            "kinds": ("allowlist", "whitelist") if allow else ("blocklist", "blacklist"),
            "type_key": k.KEY_PROJECTION_TYPE_CONFIG if on_key else k.VALUE_PROJECTION_TYPE_CONFIG,
            "list_key": k.KEY_PROJECTION_LIST_CONFIG if on_key else k.VALUE_PROJECTION_LIST_CONFIG,
            "on_key": on_key,
            "allow": allow,
            "__doc__": f"{'Allow' if allow else 'Block'}-list projection of the record {'key' if on_key else 'value'}.",
        },
    )


BlockListKeyProjector = _projector("BlockListKeyProjector", True, False)
BlockListValueProjector = _projector("BlockListValueProjector", False, False)
AllowListKeyProjector = _projector("AllowListKeyProjector", True, True)
AllowListValueProjector = _projector("AllowListValueProjector", False, True)


class _Renamer(PostProcessor):
    """Renames fields of key and value (paths are ``key.<path>`` / ``value.<path>``)."""

    def process(self, doc: SinkDocument) -> None:
        for prefix, d in (("key", doc.key_doc), ("value", doc.value_doc)):
            if d is not None:
                self._rename(prefix, d)

    def _rename(self, path: str, d: dict[str, Any]) -> None:
        for name in list(d):
            full = f"{path}.{name}"
            value = d.pop(name)
            if isinstance(value, dict):
                self._rename(full, value)
            new = self.renamed(path, name, full)
            if new in d:
                raise DataException(f"Cannot rename field {full} to {new}: the field already exists")
            d[new] = value

    def renamed(self, path: str, name: str, full: str) -> str:
        raise NotImplementedError


class RenameByMapping(_Renamer):
    def __init__(self, config: TopicSettings, id_strategy: IdStrategy) -> None:
        super().__init__(config, id_strategy)
        raw = json.loads(str(config.get(k.FIELD_RENAMER_MAPPING_CONFIG)) or "[]")
        try:
            self.mapping = {str(m["oldName"]): str(m["newName"]) for m in raw}
        except (KeyError, TypeError):
            raise ConfigException(
                f"Invalid value {config.get(k.FIELD_RENAMER_MAPPING_CONFIG)} for configuration "
                f"{k.FIELD_RENAMER_MAPPING_CONFIG}: expected objects with oldName and newName"
            ) from None

    def renamed(self, path: str, name: str, full: str) -> str:
        return self.mapping.get(full, name)


class RenameByRegExp(_Renamer):
    def __init__(self, config: TopicSettings, id_strategy: IdStrategy) -> None:
        super().__init__(config, id_strategy)
        raw = json.loads(str(config.get(k.FIELD_RENAMER_REGEXP_CONFIG)) or "[]")
        try:
            self.rules = [(re.compile(r["regexp"]), re.compile(r["pattern"]), str(r["replace"])) for r in raw]
        except (KeyError, TypeError, re.error) as e:
            raise ConfigException(
                f"Invalid value {config.get(k.FIELD_RENAMER_REGEXP_CONFIG)} for configuration "
                f"{k.FIELD_RENAMER_REGEXP_CONFIG}: {e}"
            ) from None

    def renamed(self, path: str, name: str, full: str) -> str:
        for regexp, pattern, replace in self.rules:
            if regexp.fullmatch(full):
                name = pattern.sub(replace, name)
        return name


POST_PROCESSORS: dict[str, type[PostProcessor]] = {
    _PKG + "DocumentIdAdder": DocumentIdAdder,
    _PKG + "KafkaMetaAdder": KafkaMetaAdder,
    _PKG + "BlockListKeyProjector": BlockListKeyProjector,
    _PKG + "BlockListValueProjector": BlockListValueProjector,
    _PKG + "AllowListKeyProjector": AllowListKeyProjector,
    _PKG + "AllowListValueProjector": AllowListValueProjector,
    # deprecated names, same behaviour
    _PKG + "BlacklistKeyProjector": BlockListKeyProjector,
    _PKG + "BlacklistValueProjector": BlockListValueProjector,
    _PKG + "WhitelistKeyProjector": AllowListKeyProjector,
    _PKG + "WhitelistValueProjector": AllowListValueProjector,
    _PKG + "field.renaming.RenameByMapping": RenameByMapping,
    _PKG + "field.renaming.RenameByRegExp": RenameByRegExp,
}


def create_post_processors(config: TopicSettings, id_strategy: IdStrategy) -> list[PostProcessor]:
    names = [n for n in config.get(k.POST_PROCESSOR_CHAIN_CONFIG) if n]
    classes = [resolve(k.POST_PROCESSOR_CHAIN_CONFIG, n, POST_PROCESSORS, PostProcessor) for n in names]
    if not classes or classes[0] is not DocumentIdAdder:
        classes = [DocumentIdAdder, *[c for c in classes if c is not DocumentIdAdder]]
    return [cls(config, id_strategy) for cls in classes]
