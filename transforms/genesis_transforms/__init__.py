"""Single message transforms and predicates: Apache Kafka 4.4's set, under the same class names and keys.

Each ``…$Key``/``…$Value`` Java class is a ``…Key``/``…Value`` Python class (``Cast$Value`` is
:class:`genesis_transforms.cast.CastValue`); the plugin registry finds them by their ``java_class_names``.
Schemaless records carry dicts, records with a schema carry :class:`~genesis_worker.api.data.Struct`.
"""

from genesis_transforms.cast import CastKey, CastValue
from genesis_transforms.extract_field import ExtractFieldKey, ExtractFieldValue
from genesis_transforms.filter import Filter
from genesis_transforms.flatten import FlattenKey, FlattenValue
from genesis_transforms.headers import DropHeaders, HeaderFromKey, HeaderFromValue, InsertHeader
from genesis_transforms.hoist_field import HoistFieldKey, HoistFieldValue
from genesis_transforms.insert_field import InsertFieldKey, InsertFieldValue
from genesis_transforms.mask_field import MaskFieldKey, MaskFieldValue
from genesis_transforms.predicates import HasHeaderKey, RecordIsTombstone, TopicNameMatches
from genesis_transforms.replace_field import ReplaceFieldKey, ReplaceFieldValue
from genesis_transforms.router import RegexRouter, TimestampRouter
from genesis_transforms.set_schema_metadata import SetSchemaMetadataKey, SetSchemaMetadataValue
from genesis_transforms.timestamp_converter import TimestampConverterKey, TimestampConverterValue
from genesis_transforms.value_to_key import ValueToKey

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
