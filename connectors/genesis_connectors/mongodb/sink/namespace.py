"""``namespace.mapper``: the database and collection each record is written to."""

from __future__ import annotations

from typing import Any, NamedTuple

from genesis_connectors.mongodb.sink import config as k
from genesis_connectors.mongodb.sink.config import TopicSettings
from genesis_connectors.mongodb.sink.documents import SinkDocument
from genesis_connectors.mongodb.sink.strategies import resolve
from genesis_worker.api import ConfigException, DataException

_PKG = "com.mongodb.kafka.connect.sink.namespace.mapping."


class Namespace(NamedTuple):
    database: str
    collection: str

    def __str__(self) -> str:
        return f"{self.database}.{self.collection}"


class NamespaceMapper:
    """Base class: ``namespace(doc)`` returns where the record goes."""

    def __init__(self, config: TopicSettings) -> None:
        self.config = config
        self.default = Namespace(str(config.get(k.DATABASE_CONFIG)), config.default_collection)

    def namespace(self, doc: SinkDocument) -> Namespace:
        raise NotImplementedError


class DefaultNamespaceMapper(NamespaceMapper):
    """``database`` and ``collection`` (or the topic name when ``collection`` is empty)."""

    def namespace(self, doc: SinkDocument) -> Namespace:
        return self.default


class FieldPathNamespaceMapper(NamespaceMapper):
    """Database and/or collection read from a (dotted) field of the key or value document."""

    def __init__(self, config: TopicSettings) -> None:
        super().__init__(config)
        kd, kc = str(config.get(k.KEY_DATABASE_FIELD_CONFIG)), str(config.get(k.KEY_COLLECTION_FIELD_CONFIG))
        vd, vc = str(config.get(k.VALUE_DATABASE_FIELD_CONFIG)), str(config.get(k.VALUE_COLLECTION_FIELD_CONFIG))
        if kd and vd:
            raise ConfigException(
                f"Invalid value {vd} for configuration {k.VALUE_DATABASE_FIELD_CONFIG}: only one of "
                f"{k.KEY_DATABASE_FIELD_CONFIG} or {k.VALUE_DATABASE_FIELD_CONFIG} can be set."
            )
        if kc and vc:
            raise ConfigException(
                f"Invalid value {vc} for configuration {k.VALUE_COLLECTION_FIELD_CONFIG}: only one of "
                f"{k.KEY_COLLECTION_FIELD_CONFIG} or {k.VALUE_COLLECTION_FIELD_CONFIG} can be set."
            )
        if not (kd or kc or vd or vc):
            raise ConfigException(
                f"Invalid value {_PKG}FieldPathNamespaceMapper for configuration {k.NAMESPACE_MAPPER_CONFIG}: "
                "Missing configuration for the FieldPathNamespaceMapper. Please configure the database and / or "
                "collection field path."
            )
        self.db_field = (True, kd) if kd else (False, vd)
        self.coll_field = (True, kc) if kc else (False, vc)
        self.error_if_invalid = bool(config.get(k.NAMESPACE_ERROR_IF_INVALID_CONFIG))

    def namespace(self, doc: SinkDocument) -> Namespace:
        db = self._lookup(doc, *self.db_field) or self.default.database
        coll = self._lookup(doc, *self.coll_field) or self.default.collection
        return Namespace(db, coll)

    def _lookup(self, doc: SinkDocument, in_key: bool, path: str) -> str | None:
        if not path:
            return None
        d: Any = doc.key_doc if in_key else doc.value_doc
        for part in path.split("."):
            d = d.get(part) if isinstance(d, dict) else None
        if isinstance(d, str) and d:
            return d
        if self.error_if_invalid:
            where = "key" if in_key else "value"
            if d is None:
                raise DataException(f"Missing document path '{path}': {where} document")
            raise DataException(f"Invalid type for {type(d).__name__} field path '{path}', expected a String")
        return None


NAMESPACE_MAPPERS: dict[str, type[NamespaceMapper]] = {
    _PKG + "DefaultNamespaceMapper": DefaultNamespaceMapper,
    _PKG + "FieldPathNamespaceMapper": FieldPathNamespaceMapper,
}


def create_namespace_mapper(config: TopicSettings) -> NamespaceMapper:
    name = str(config.get(k.NAMESPACE_MAPPER_CONFIG)).strip()
    return resolve(k.NAMESPACE_MAPPER_CONFIG, name, NAMESPACE_MAPPERS, NamespaceMapper)(config)
