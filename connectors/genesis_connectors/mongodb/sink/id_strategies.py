"""``document.id.strategy``: how the ``_id`` of each written document is chosen."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from bson import Binary, ObjectId
from bson.binary import UuidRepresentation

from genesis_connectors.mongodb.sink import config as k
from genesis_connectors.mongodb.sink.config import TopicSettings
from genesis_connectors.mongodb.sink.documents import SinkDocument
from genesis_connectors.mongodb.sink.projection import AllowList, BlockList, make_projector
from genesis_connectors.mongodb.sink.strategies import resolve
from genesis_worker.api import DataException

_PKG = "com.mongodb.kafka.connect.sink.processor.id.strategy."


class IdStrategy:
    """Base class: ``generate_id(document)`` returns the ``_id`` value."""

    uses_key: ClassVar[bool] = False  # may be used to build DeleteOne filters from the key

    def __init__(self, config: TopicSettings) -> None:
        self.config = config

    def generate_id(self, doc: SinkDocument) -> Any:
        raise NotImplementedError


class BsonOidStrategy(IdStrategy):
    def generate_id(self, doc: SinkDocument) -> Any:
        return ObjectId()


class UuidStrategy(IdStrategy):
    def __init__(self, config: TopicSettings) -> None:
        super().__init__(config)
        self.binary = str(config.get(k.DOCUMENT_ID_STRATEGY_UUID_FORMAT_CONFIG)).lower() == "binary"

    def generate_id(self, doc: SinkDocument) -> Any:
        u = uuid.uuid4()
        return Binary.from_uuid(u, UuidRepresentation.STANDARD) if self.binary else str(u)


class _Provided(IdStrategy):
    in_key: ClassVar[bool]

    def generate_id(self, doc: SinkDocument) -> Any:
        d = doc.key_doc if self.in_key else doc.value_doc
        if d is None or "_id" not in d:
            raise DataException(
                "Provided id strategy is used but the document structure either contained no _id field or it was null"
            )
        value = d["_id"]
        if value is None:
            raise DataException(
                "Provided id strategy used but the document structure contained an _id of type BsonNull"
            )
        return value


class ProvidedInKeyStrategy(_Provided):
    in_key = True
    uses_key = True


class ProvidedInValueStrategy(_Provided):
    in_key = False


class FullKeyStrategy(IdStrategy):
    uses_key = True

    def generate_id(self, doc: SinkDocument) -> Any:
        key = doc.key_doc
        return dict(key) if key is not None else {}


class _Partial(IdStrategy):
    type_key: ClassVar[str]
    list_key: ClassVar[str]

    def __init__(self, config: TopicSettings) -> None:
        super().__init__(config)
        self.projector = make_projector(str(config.get(self.type_key)), str(config.get(self.list_key)))

    def _project(self, d: dict[str, Any] | None) -> dict[str, Any]:
        if d is None:
            return {}
        clone = _deep_copy(d)
        if self.projector is not None:
            self.projector.apply(clone)
        return clone


class PartialKeyStrategy(_Partial):
    type_key = k.PARTIAL_KEY_PROJECTION_TYPE_CONFIG
    list_key = k.PARTIAL_KEY_PROJECTION_LIST_CONFIG
    uses_key = True

    def generate_id(self, doc: SinkDocument) -> Any:
        return self._project(doc.key_doc)


class PartialValueStrategy(_Partial):
    type_key = k.PARTIAL_VALUE_PROJECTION_TYPE_CONFIG
    list_key = k.PARTIAL_VALUE_PROJECTION_LIST_CONFIG

    def generate_id(self, doc: SinkDocument) -> Any:
        return self._project(doc.value_doc)


class KafkaMetaDataStrategy(IdStrategy):
    def generate_id(self, doc: SinkDocument) -> Any:
        r = doc.record
        return f"{r.topic}#{r.kafka_partition}#{r.kafka_offset}"


def _deep_copy(v: Any) -> Any:
    if isinstance(v, dict):
        return {k2: _deep_copy(x) for k2, x in v.items()}
    if isinstance(v, list):
        return [_deep_copy(x) for x in v]
    return v


ID_STRATEGIES: dict[str, type[IdStrategy]] = {
    _PKG + cls.__name__: cls
    for cls in (
        BsonOidStrategy,
        UuidStrategy,
        ProvidedInKeyStrategy,
        ProvidedInValueStrategy,
        FullKeyStrategy,
        PartialKeyStrategy,
        PartialValueStrategy,
        KafkaMetaDataStrategy,
    )
}


def create_id_strategy(config: TopicSettings) -> IdStrategy:
    name = str(config.get(k.DOCUMENT_ID_STRATEGY_CONFIG)).strip() or k.DEFAULT_ID_STRATEGY
    cls = resolve(k.DOCUMENT_ID_STRATEGY_CONFIG, name, ID_STRATEGIES, IdStrategy)
    return cls(config)


__all__ = ["ID_STRATEGIES", "AllowList", "BlockList", "IdStrategy", "create_id_strategy"]
