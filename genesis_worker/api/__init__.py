"""The connector SDK: what a connector, transform or converter author imports.

Example::

    from genesis_worker.api import SinkConnector, SinkTask, SinkRecord, ConfigDef, ConfigType, Importance
"""

from genesis_worker.api.config import (
    NO_DEFAULT_VALUE,
    AbstractConfig,
    ConfigDef,
    ConfigKey,
    ConfigType,
    ConfigValue,
    Importance,
    Password,
    Width,
)
from genesis_worker.api.config_provider import ConfigData, ConfigProvider
from genesis_worker.api.connector import Connector, ConnectorContext, SinkConnector, SourceConnector
from genesis_worker.api.data import Field, Schema, SchemaAndValue, SchemaBuilder, Struct, Type
from genesis_worker.api.errors import (
    ConfigException,
    ConnectException,
    DataException,
    NotFoundException,
    RetriableException,
)
from genesis_worker.api.plugin import Plugin
from genesis_worker.api.records import (
    ConnectRecord,
    Header,
    Headers,
    RecordMetadata,
    SinkRecord,
    SourceRecord,
    TimestampType,
    TopicPartition,
)
from genesis_worker.api.task import (
    ErrantRecordReporter,
    OffsetStorageReader,
    SinkTask,
    SinkTaskContext,
    SourceTask,
    SourceTaskContext,
    Task,
)
from genesis_worker.api.transform import Converter, HeaderConverter, Predicate, Transformation
from genesis_worker.api.validators import Range, ValidList, ValidString

__all__ = [
    "NO_DEFAULT_VALUE",
    "AbstractConfig",
    "ConfigData",
    "ConfigDef",
    "ConfigException",
    "ConfigKey",
    "ConfigProvider",
    "ConfigType",
    "ConfigValue",
    "ConnectException",
    "ConnectRecord",
    "Connector",
    "ConnectorContext",
    "Converter",
    "DataException",
    "ErrantRecordReporter",
    "Field",
    "Header",
    "HeaderConverter",
    "Headers",
    "Importance",
    "NotFoundException",
    "OffsetStorageReader",
    "Password",
    "Plugin",
    "Predicate",
    "Range",
    "RecordMetadata",
    "RetriableException",
    "Schema",
    "SchemaAndValue",
    "SchemaBuilder",
    "SinkConnector",
    "SinkRecord",
    "SinkTask",
    "SinkTaskContext",
    "SourceConnector",
    "SourceRecord",
    "SourceTask",
    "SourceTaskContext",
    "Struct",
    "Task",
    "TimestampType",
    "TopicPartition",
    "Transformation",
    "Type",
    "ValidList",
    "ValidString",
    "Width",
]
