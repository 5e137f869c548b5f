"""``writemodel.strategy``: the PyMongo write operation built for each document (one of each per record)."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from pymongo import DeleteOne, InsertOne, ReplaceOne, UpdateOne

from genesis_connectors.mongodb.sink import config as k
from genesis_connectors.mongodb.sink.config import TopicSettings
from genesis_connectors.mongodb.sink.documents import SinkDocument
from genesis_connectors.mongodb.sink.id_strategies import (
    FullKeyStrategy,
    IdStrategy,
    PartialKeyStrategy,
    PartialValueStrategy,
    ProvidedInKeyStrategy,
)
from genesis_connectors.mongodb.sink.strategies import resolve
from genesis_worker.api import ConfigException, DataException

WriteModel = InsertOne[Any] | ReplaceOne[Any] | UpdateOne | DeleteOne
_PKG = "com.mongodb.kafka.connect.sink.writemodel.strategy."
_NO_VALUE = "Could not build the WriteModel,the value document was missing unexpectedly"
_NO_ID = "Could not build the WriteModel,the `_id` field was missing unexpectedly"


class WriteModelStrategy:
    """Base class: ``create`` returns the write operation of one document."""

    def __init__(self, config: TopicSettings, id_strategy: IdStrategy) -> None:
        self.config = config
        self.id_strategy = id_strategy

    def create(self, doc: SinkDocument) -> WriteModel:
        raise NotImplementedError


def _value(doc: SinkDocument) -> dict[str, Any]:
    vd = doc.value_doc
    if vd is None:
        raise DataException(_NO_VALUE)
    return vd


def _id_of(vd: dict[str, Any]) -> Any:
    if "_id" not in vd:
        raise DataException(_NO_ID)
    return vd["_id"]


def flatten_keys(doc: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}`` (business keys from partial id strategies)."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten_keys(value, path + "."))
        else:
            out[path] = value
    return out


def _business_key(id_strategy: IdStrategy, vd: dict[str, Any]) -> dict[str, Any]:
    key = vd.pop("_id", None)
    if not isinstance(key, dict):
        raise DataException(
            "Could not build the WriteModel,the value document does not contain an _id field of type BsonDocument "
            "which holds the business key fields.\n\n If you are including an existing `_id` value in the business "
            "key then ensure `document.id.strategy.overwrite.existing=true`."
        )
    if isinstance(id_strategy, PartialKeyStrategy | PartialValueStrategy):
        key = flatten_keys(key)
    return key


class ReplaceOneDefaultStrategy(WriteModelStrategy):
    def create(self, doc: SinkDocument) -> WriteModel:
        vd = _value(doc)
        return ReplaceOne({"_id": _id_of(vd)}, vd, upsert=True)


class DefaultWriteModelStrategy(ReplaceOneDefaultStrategy):
    """ReplaceOne with upsert (Java switches to InsertOne for time-series collections, unsupported here)."""


class ReplaceOneBusinessKeyStrategy(WriteModelStrategy):
    def create(self, doc: SinkDocument) -> WriteModel:
        vd = _value(doc)
        return ReplaceOne(_business_key(self.id_strategy, vd), vd, upsert=True)


class UpdateOneDefaultStrategy(WriteModelStrategy):
    def create(self, doc: SinkDocument) -> WriteModel:
        vd = _value(doc)
        id_value = _id_of(vd)
        fields = {f: v for f, v in vd.items() if f != "_id"}
        return UpdateOne({"_id": id_value}, {"$set": fields}, upsert=True)


def _now() -> _dt.datetime:
    now = _dt.datetime.now(_dt.UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class UpdateOneTimestampsStrategy(WriteModelStrategy):
    """$set the value plus ``_modifiedTS``; ``_insertedTS`` only on insert."""

    def create(self, doc: SinkDocument) -> WriteModel:
        vd = _value(doc)
        id_value = _id_of(vd)
        now = _now()
        fields = dict(vd)
        fields["_modifiedTS"] = now
        return UpdateOne({"_id": id_value}, {"$set": fields, "$setOnInsert": {"_insertedTS": now}}, upsert=True)


class UpdateOneBusinessKeyTimestampStrategy(WriteModelStrategy):
    def create(self, doc: SinkDocument) -> WriteModel:
        vd = _value(doc)
        key = _business_key(self.id_strategy, vd)
        now = _now()
        fields = dict(vd)
        fields["_modifiedTS"] = now
        return UpdateOne(key, {"$set": fields, "$setOnInsert": {"_insertedTS": now}}, upsert=True)


class InsertOneDefaultStrategy(WriteModelStrategy):
    def create(self, doc: SinkDocument) -> WriteModel:
        return InsertOne(_value(doc))


class DeleteOneDefaultStrategy(WriteModelStrategy):
    """Delete by the ``_id`` the id strategy derives from the record key (tombstones)."""

    def create(self, doc: SinkDocument) -> WriteModel:
        if doc.key_doc is None:
            raise DataException("Could not build the WriteModel,the key document was missing unexpectedly")
        return DeleteOne({"_id": self.id_strategy.generate_id(doc)})


class DeleteOneBusinessKeyStrategy(WriteModelStrategy):
    def create(self, doc: SinkDocument) -> WriteModel:
        vd = _value(doc)
        return DeleteOne(_business_key(self.id_strategy, vd))


WRITE_MODEL_STRATEGIES: dict[str, type[WriteModelStrategy]] = {
    _PKG + cls.__name__: cls
    for cls in (
        DefaultWriteModelStrategy,
        ReplaceOneDefaultStrategy,
        ReplaceOneBusinessKeyStrategy,
        UpdateOneDefaultStrategy,
        UpdateOneTimestampsStrategy,
        UpdateOneBusinessKeyTimestampStrategy,
        InsertOneDefaultStrategy,
        DeleteOneDefaultStrategy,
        DeleteOneBusinessKeyStrategy,
    )
}


def create_write_model_strategy(config: TopicSettings, id_strategy: IdStrategy) -> WriteModelStrategy:
    name = str(config.get(k.WRITEMODEL_STRATEGY_CONFIG)).strip()
    return resolve(k.WRITEMODEL_STRATEGY_CONFIG, name, WRITE_MODEL_STRATEGIES, WriteModelStrategy)(config, id_strategy)


def create_delete_strategy(config: TopicSettings, id_strategy: IdStrategy) -> WriteModelStrategy | None:
    """The DeleteOne strategy for tombstones when ``delete.on.null.values=true`` (key-based id strategies only)."""
    if not config.get(k.DELETE_ON_NULL_VALUES_CONFIG):
        return None
    if not id_strategy.uses_key:
        raise ConfigException(
            f"Invalid value true for configuration {k.DELETE_ON_NULL_VALUES_CONFIG}: DeleteOneDefaultStrategy can "
            f"only be applied when the configured IdStrategy is an instance of: {FullKeyStrategy.__name__} or "
            f"{PartialKeyStrategy.__name__} or {ProvidedInKeyStrategy.__name__}",
            k.DELETE_ON_NULL_VALUES_CONFIG,
            True,
        )
    return DeleteOneDefaultStrategy(config, id_strategy)
