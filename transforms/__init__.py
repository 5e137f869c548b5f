"""Single message transforms and predicates: Apache Kafka 4.4's set, under the same class names and keys.

Each ``…$Key``/``…$Value`` Java class is a ``…Key``/``…Value`` Python class (``Cast$Value`` is
:class:`transforms.cast.CastValue`); the plugin registry finds them by their ``java_class_names``.
Schemaless records carry dicts, records with a schema carry :class:`~genesis_worker.api.data.Struct`.
"""

from transforms.cast import CastKey, CastValue
from transforms.extract_field import ExtractFieldKey, ExtractFieldValue
from transforms.filter import Filter
from transforms.flatten import FlattenKey, FlattenValue
from transforms.headers import DropHeaders, HeaderFromKey, HeaderFromValue, InsertHeader
from transforms.hoist_field import HoistFieldKey, HoistFieldValue
from transforms.insert_field import InsertFieldKey, InsertFieldValue
from transforms.mask_field import MaskFieldKey, MaskFieldValue
from transforms.predicates import HasHeaderKey, RecordIsTombstone, TopicNameMatches
from transforms.replace_field import ReplaceFieldKey, ReplaceFieldValue
from transforms.router import RegexRouter, TimestampRouter
from transforms.set_schema_metadata import SetSchemaMetadataKey, SetSchemaMetadataValue
from transforms.timestamp_converter import TimestampConverterKey, TimestampConverterValue
from transforms.value_to_key import ValueToKey

__all__ = [
    "CastKey",
    "CastValue",
    "DropHeaders",
    "ExtractFieldKey",
    "ExtractFieldValue",
    "Filter",
    "FlattenKey",
    "FlattenValue",
    "HasHeaderKey",
    "HeaderFromKey",
    "HeaderFromValue",
    "HoistFieldKey",
    "HoistFieldValue",
    "InsertFieldKey",
    "InsertFieldValue",
    "InsertHeader",
    "MaskFieldKey",
    "MaskFieldValue",
    "RecordIsTombstone",
    "RegexRouter",
    "ReplaceFieldKey",
    "ReplaceFieldValue",
    "SetSchemaMetadataKey",
    "SetSchemaMetadataValue",
    "TimestampConverterKey",
    "TimestampConverterValue",
    "TimestampRouter",
    "TopicNameMatches",
    "ValueToKey",
]
