"""Apache Kafka's transforms and predicates, described without importing them (see
:mod:`genesis_worker.api.catalog`); ``tests/unit/runtime/test_plugin_catalog.py`` checks this list against the
classes."""

from genesis_worker.api.catalog import PluginEntry

_JAVA = "org.apache.kafka.connect.transforms."

PLUGINS: tuple[PluginEntry, ...] = (
    PluginEntry("genesis_transforms.cast", "CastKey", "transformation", (_JAVA + "Cast$Key",)),
    PluginEntry("genesis_transforms.cast", "CastValue", "transformation", (_JAVA + "Cast$Value",)),
    PluginEntry("genesis_transforms.headers", "DropHeaders", "transformation", (_JAVA + "DropHeaders",)),
    PluginEntry("genesis_transforms.extract_field", "ExtractFieldKey", "transformation", (_JAVA + "ExtractField$Key",)),
    PluginEntry(
        "genesis_transforms.extract_field", "ExtractFieldValue", "transformation", (_JAVA + "ExtractField$Value",)
    ),
    PluginEntry("genesis_transforms.filter", "Filter", "transformation", (_JAVA + "Filter",)),
    PluginEntry("genesis_transforms.flatten", "FlattenKey", "transformation", (_JAVA + "Flatten$Key",)),
    PluginEntry("genesis_transforms.flatten", "FlattenValue", "transformation", (_JAVA + "Flatten$Value",)),
    PluginEntry("genesis_transforms.headers", "HeaderFromKey", "transformation", (_JAVA + "HeaderFrom$Key",)),
    PluginEntry("genesis_transforms.headers", "HeaderFromValue", "transformation", (_JAVA + "HeaderFrom$Value",)),
    PluginEntry("genesis_transforms.hoist_field", "HoistFieldKey", "transformation", (_JAVA + "HoistField$Key",)),
    PluginEntry("genesis_transforms.hoist_field", "HoistFieldValue", "transformation", (_JAVA + "HoistField$Value",)),
    PluginEntry("genesis_transforms.insert_field", "InsertFieldKey", "transformation", (_JAVA + "InsertField$Key",)),
    PluginEntry(
        "genesis_transforms.insert_field", "InsertFieldValue", "transformation", (_JAVA + "InsertField$Value",)
    ),
    PluginEntry("genesis_transforms.headers", "InsertHeader", "transformation", (_JAVA + "InsertHeader",)),
    PluginEntry("genesis_transforms.mask_field", "MaskFieldKey", "transformation", (_JAVA + "MaskField$Key",)),
    PluginEntry("genesis_transforms.mask_field", "MaskFieldValue", "transformation", (_JAVA + "MaskField$Value",)),
    PluginEntry("genesis_transforms.router", "RegexRouter", "transformation", (_JAVA + "RegexRouter",)),
    PluginEntry("genesis_transforms.replace_field", "ReplaceFieldKey", "transformation", (_JAVA + "ReplaceField$Key",)),
    PluginEntry(
        "genesis_transforms.replace_field", "ReplaceFieldValue", "transformation", (_JAVA + "ReplaceField$Value",)
    ),
    PluginEntry(
        "genesis_transforms.set_schema_metadata",
        "SetSchemaMetadataKey",
        "transformation",
        (_JAVA + "SetSchemaMetadata$Key",),
    ),
    PluginEntry(
        "genesis_transforms.set_schema_metadata",
        "SetSchemaMetadataValue",
        "transformation",
        (_JAVA + "SetSchemaMetadata$Value",),
    ),
    PluginEntry(
        "genesis_transforms.timestamp_converter",
        "TimestampConverterKey",
        "transformation",
        (_JAVA + "TimestampConverter$Key",),
    ),
    PluginEntry(
        "genesis_transforms.timestamp_converter",
        "TimestampConverterValue",
        "transformation",
        (_JAVA + "TimestampConverter$Value",),
    ),
    PluginEntry("genesis_transforms.router", "TimestampRouter", "transformation", (_JAVA + "TimestampRouter",)),
    PluginEntry("genesis_transforms.value_to_key", "ValueToKey", "transformation", (_JAVA + "ValueToKey",)),
    PluginEntry("genesis_transforms.predicates", "HasHeaderKey", "predicate", (_JAVA + "predicates.HasHeaderKey",)),
    PluginEntry(
        "genesis_transforms.predicates", "RecordIsTombstone", "predicate", (_JAVA + "predicates.RecordIsTombstone",)
    ),
    PluginEntry(
        "genesis_transforms.predicates", "TopicNameMatches", "predicate", (_JAVA + "predicates.TopicNameMatches",)
    ),
)
