"""Configuration of the HDFS sink: the keys of Confluent's ``io.confluent.connect.hdfs.HdfsSinkConnector``
this connector implements (plus three ``webhdfs.*`` keys, because it talks to the NameNode over WebHDFS
instead of Hadoop RPC)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from genesis_worker.api import AbstractConfig, ConfigDef, ConfigException, ConfigType, Importance, Range, Width
from genesis_worker.api.validators import LambdaValidator, ValidString

HDFS_URL_CONFIG = "hdfs.url"
STORE_URL_CONFIG = "store.url"
TOPICS_DIR_CONFIG = "topics.dir"
LOGS_DIR_CONFIG = "logs.dir"
FLUSH_SIZE_CONFIG = "flush.size"
ROTATE_INTERVAL_MS_CONFIG = "rotate.interval.ms"
ROTATE_SCHEDULE_INTERVAL_MS_CONFIG = "rotate.schedule.interval.ms"
RETRY_BACKOFF_CONFIG = "retry.backoff.ms"
FORMAT_CLASS_CONFIG = "format.class"
ZERO_PAD_WIDTH_CONFIG = "filename.offset.zero.pad.width"
BEHAVIOR_ON_NULL_VALUES_CONFIG = "behavior.on.null.values"
PARTITIONER_CLASS_CONFIG = "partitioner.class"
PARTITION_FIELD_NAME_CONFIG = "partition.field.name"
PARTITION_DURATION_MS_CONFIG = "partition.duration.ms"
PATH_FORMAT_CONFIG = "path.format"
LOCALE_CONFIG = "locale"
TIMEZONE_CONFIG = "timezone"
TIMESTAMP_EXTRACTOR_CONFIG = "timestamp.extractor"
TIMESTAMP_FIELD_CONFIG = "timestamp.field"
DIRECTORY_DELIM_CONFIG = "directory.delim"
WEBHDFS_USER_CONFIG = "webhdfs.user"
WEBHDFS_PORT_CONFIG = "webhdfs.port"
WEBHDFS_TIMEOUT_MS_CONFIG = "webhdfs.timeout.ms"
ERRORS_TOLERANCE_CONFIG = "errors.tolerance"
TOPICS_CONFIG = "topics"
TOPICS_REGEX_CONFIG = "topics.regex"

JSON_FORMAT = "io.confluent.connect.hdfs.json.JsonFormat"
AVRO_FORMAT = "io.confluent.connect.hdfs.avro.AvroFormat"
PARQUET_FORMAT = "io.confluent.connect.hdfs.parquet.ParquetFormat"
FORMATS = (JSON_FORMAT, AVRO_FORMAT, PARQUET_FORMAT)

_P = "io.confluent.connect.storage.partitioner."
_OLD_P = "io.confluent.connect.hdfs.partitioner."
DEFAULT_PARTITIONER = _P + "DefaultPartitioner"
FIELD_PARTITIONER = _P + "FieldPartitioner"
TIME_BASED_PARTITIONER = _P + "TimeBasedPartitioner"
HOURLY_PARTITIONER = _P + "HourlyPartitioner"
DAILY_PARTITIONER = _P + "DailyPartitioner"
PARTITIONERS = {
    name: kind
    for kind in ("Default", "Field", "TimeBased", "Hourly", "Daily")
    for name in (_P + kind + "Partitioner", _OLD_P + kind + "Partitioner")
}
"""Accepted ``partitioner.class`` values (the storage-common names and the old ``hdfs.partitioner`` ones)."""

_X = "io.confluent.connect.storage.partitioner.TimeBasedPartitioner$"
TIMESTAMP_EXTRACTORS = {
    "Wallclock": "Wallclock",
    "Record": "Record",
    "RecordField": "RecordField",
    _X + "WallclockTimestampExtractor": "Wallclock",
    _X + "RecordTimestampExtractor": "Record",
    _X + "RecordFieldTimestampExtractor": "RecordField",
}

_G_HDFS = "HDFS"
_G_CONNECTOR = "Connector"
_G_PARTITIONER = "Partitioner"


def _one_of(valid: Mapping[str, str] | tuple[str, ...], what: str) -> LambdaValidator:
    names = tuple(valid)

    def check(name: str, value: Any) -> None:
        if value not in names:
            raise ConfigException(
                f"Invalid value {value} for configuration {name}: {what} must be one of: " + ", ".join(names)
            )

    return LambdaValidator(check, "[" + ", ".join(names) + "]")


def _url(name: str, value: Any) -> None:
    if value is None or str(value).strip() == "":
        return
    scheme = urlsplit(str(value).strip()).scheme.lower()
    if scheme not in ("hdfs", "webhdfs", "swebhdfs", "http", "https"):
        raise ConfigException(
            f"Invalid value {value} for configuration {name}: "
            "the URL must start with hdfs://, webhdfs://, swebhdfs://, http:// or https://"
        )


CONFIG_DEF = (
    ConfigDef()
    .define(
        HDFS_URL_CONFIG,
        ConfigType.STRING,
        "",
        LambdaValidator(_url, "hdfs://, webhdfs://, swebhdfs://, http:// or https:// URL"),
        Importance.HIGH,
        "The HDFS connection URL, e.g. hdfs://namenode:8020 (the NameNode's HTTP server is then reached on "
        "webhdfs.port), or the WebHDFS address itself: webhdfs://namenode:9870, http://namenode:9870, "
        "swebhdfs:// or https:// for TLS. A path after the authority is a prefix for topics.dir. One of "
        "hdfs.url and store.url is required.",
        _G_HDFS,
        1,
        Width.MEDIUM,
        "HDFS URL",
    )
    .define(
        STORE_URL_CONFIG,
        ConfigType.STRING,
        "",
        LambdaValidator(_url, "hdfs://, webhdfs://, swebhdfs://, http:// or https:// URL"),
        Importance.HIGH,
        "The newer name of hdfs.url (Confluent's storage-common key); used when hdfs.url is empty.",
        _G_HDFS,
        2,
        Width.MEDIUM,
        "Store URL",
    )
    .define(
        WEBHDFS_PORT_CONFIG,
        ConfigType.INT,
        9870,
        Range.between(1, 65535),
        Importance.MEDIUM,
        "The NameNode's HTTP (WebHDFS) port used when hdfs.url is an hdfs:// URL, whose own port is the RPC "
        "port this connector does not use.",
        _G_HDFS,
        3,
        Width.SHORT,
        "WebHDFS port",
    )
    .define(
        WEBHDFS_USER_CONFIG,
        ConfigType.STRING,
        "",
        None,
        Importance.MEDIUM,
        "The user files are written as (WebHDFS user.name, simple authentication). Empty: the "
        "HADOOP_USER_NAME environment variable, else the worker's OS user.",
        _G_HDFS,
        4,
        Width.SHORT,
        "WebHDFS user",
    )
    .define(
        WEBHDFS_TIMEOUT_MS_CONFIG,
        ConfigType.INT,
        30000,
        Range.at_least(100),
        Importance.LOW,
        "Connect and read timeout of each WebHDFS request, in milliseconds.",
        _G_HDFS,
        5,
        Width.SHORT,
        "WebHDFS timeout (ms)",
    )
    .define(
        TOPICS_DIR_CONFIG,
        ConfigType.STRING,
        "topics",
        None,
        Importance.HIGH,
        "Top level directory to store the data ingested from Kafka: files go to "
        "<topics.dir>/<topic>/<encoded partition>/<topic>+<kafka partition>+<start offset>+<end offset>.<ext>.",
        _G_CONNECTOR,
        1,
        Width.SHORT,
        "Topics directory",
    )
    .define(
        LOGS_DIR_CONFIG,
        ConfigType.STRING,
        "logs",
        None,
        Importance.LOW,
        "Accepted for compatibility; this connector keeps no write-ahead log (a file is committed by one "
        "rename, see the README), so nothing is written here.",
        _G_CONNECTOR,
        2,
        Width.SHORT,
        "Logs directory",
    )
    .define(
        FORMAT_CLASS_CONFIG,
        ConfigType.STRING,
        AVRO_FORMAT,
        _one_of(FORMATS, "format.class"),
        Importance.HIGH,
        "The format of the files written: JsonFormat (one JSON value per line, .json), AvroFormat (an Avro "
        "object container file, .avro) or ParquetFormat (.parquet, snappy; needs pyarrow). Avro and Parquet "
        "need records with a value schema.",
        _G_CONNECTOR,
        3,
        Width.NONE,
        "Format class",
    )
    .define(
        FLUSH_SIZE_CONFIG,
        ConfigType.INT,
        validator=Range.at_least(1),
        importance=Importance.HIGH,
        documentation="Number of records written to a file before it is committed (closed and renamed to its "
        "final name). Offsets are committed to Kafka only for records in committed files.",
        group=_G_CONNECTOR,
        order_in_group=4,
        width=Width.SHORT,
        display_name="Flush size",
    )
    .define(
        ROTATE_INTERVAL_MS_CONFIG,
        ConfigType.LONG,
        -1,
        None,
        Importance.HIGH,
        "Commit a file once the timestamps (of the partitioner's timestamp extractor; the record timestamp "
        "for other partitioners) of its records span this many milliseconds, checked when a record arrives. "
        "-1 disables.",
        _G_CONNECTOR,
        5,
        Width.SHORT,
        "Rotate interval (ms)",
    )
    .define(
        ROTATE_SCHEDULE_INTERVAL_MS_CONFIG,
        ConfigType.LONG,
        -1,
        None,
        Importance.MEDIUM,
        "Commit open files this many milliseconds (wall clock) after their first record, also when no more "
        "records arrive. -1 disables.",
        _G_CONNECTOR,
        6,
        Width.SHORT,
        "Rotate schedule interval (ms)",
    )
    .define(
        RETRY_BACKOFF_CONFIG,
        ConfigType.LONG,
        5000,
        Range.at_least(0),
        Importance.LOW,
        "How long to wait before retrying after HDFS could not be reached or refused a write; the buffered "
        "records are kept and nothing is committed meanwhile.",
        _G_CONNECTOR,
        7,
        Width.SHORT,
        "Retry backoff (ms)",
    )
    .define(
        ZERO_PAD_WIDTH_CONFIG,
        ConfigType.INT,
        10,
        Range.at_least(0),
        Importance.LOW,
        "Width to zero-pad offsets in file names to (so that names sort by offset).",
        _G_CONNECTOR,
        8,
        Width.SHORT,
        "Filename offset zero pad width",
    )
    .define(
        BEHAVIOR_ON_NULL_VALUES_CONFIG,
        ConfigType.STRING,
        "fail",
        ValidString.in_("fail", "ignore"),
        Importance.LOW,
        "What to do with a record whose value is null (a tombstone): fail (an error for this record, which "
        "errors.tolerance=all sends to the dead letter queue) or ignore (skip it).",
        _G_CONNECTOR,
        9,
        Width.SHORT,
        "Behavior for null-valued records",
    )
    .define(
        PARTITIONER_CLASS_CONFIG,
        ConfigType.STRING,
        DEFAULT_PARTITIONER,
        _one_of(PARTITIONERS, "partitioner.class"),
        Importance.HIGH,
        "How records are spread over directories: DefaultPartitioner (partition=<kafka partition>), "
        "FieldPartitioner (<field>=<value> for each partition.field.name), TimeBasedPartitioner (path.format "
        "of the record's time floored to partition.duration.ms), HourlyPartitioner, DailyPartitioner.",
        _G_PARTITIONER,
        1,
        Width.LONG,
        "Partitioner class",
    )
    .define(
        PARTITION_FIELD_NAME_CONFIG,
        ConfigType.LIST,
        "",
        None,
        Importance.MEDIUM,
        "FieldPartitioner: the value fields whose values name the directories, in order.",
        _G_PARTITIONER,
        2,
        Width.NONE,
        "Partition field name",
    )
    .define(
        PARTITION_DURATION_MS_CONFIG,
        ConfigType.LONG,
        -1,
        None,
        Importance.MEDIUM,
        "TimeBasedPartitioner: the duration of one directory, in milliseconds (required, > 0).",
        _G_PARTITIONER,
        3,
        Width.NONE,
        "Partition duration (ms)",
    )
    .define(
        PATH_FORMAT_CONFIG,
        ConfigType.STRING,
        "",
        None,
        Importance.MEDIUM,
        "TimeBasedPartitioner: the directory pattern, Joda-Time style, e.g. "
        "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH. Supported letters: y/Y (year), M (month, MM = 2 digits), "
        "d (day of month), H (hour of day), m (minute), s (second); text in single quotes is literal.",
        _G_PARTITIONER,
        4,
        Width.NONE,
        "Path format",
    )
    .define(
        LOCALE_CONFIG,
        ConfigType.STRING,
        "",
        None,
        Importance.LOW,
        "TimeBasedPartitioner: the locale of the path format (only numeric fields are supported, so the locale "
        "does not change the output).",
        _G_PARTITIONER,
        5,
        Width.NONE,
        "Locale",
    )
    .define(
        TIMEZONE_CONFIG,
        ConfigType.STRING,
        "",
        None,
        Importance.MEDIUM,
        "TimeBasedPartitioner: the IANA time zone of the path format, e.g. UTC or America/Los_Angeles "
        "(required for time-based partitioners).",
        _G_PARTITIONER,
        6,
        Width.NONE,
        "Timezone",
    )
    .define(
        TIMESTAMP_EXTRACTOR_CONFIG,
        ConfigType.STRING,
        "Wallclock",
        _one_of(TIMESTAMP_EXTRACTORS, "timestamp.extractor"),
        Importance.MEDIUM,
        "TimeBasedPartitioner: where a record's time comes from: Wallclock (now), Record (the Kafka record "
        "timestamp) or RecordField (the value field timestamp.field: epoch milliseconds, an ISO-8601 text or a "
        "Timestamp/Date).",
        _G_PARTITIONER,
        7,
        Width.NONE,
        "Timestamp extractor",
    )
    .define(
        TIMESTAMP_FIELD_CONFIG,
        ConfigType.STRING,
        "timestamp",
        None,
        Importance.MEDIUM,
        "RecordField timestamp extractor: the value field (dotted path for nested fields) holding the time.",
        _G_PARTITIONER,
        8,
        Width.NONE,
        "Record field for timestamp",
    )
    .define(
        DIRECTORY_DELIM_CONFIG,
        ConfigType.STRING,
        "/",
        None,
        Importance.LOW,
        "The delimiter between the parts of an encoded partition (FieldPartitioner).",
        _G_PARTITIONER,
        9,
        Width.SHORT,
        "Directory delimiter",
    )
)


class HdfsSinkConfig(AbstractConfig):
    """Parsed and cross-checked HDFS sink configuration."""

    def __init__(self, props: Mapping[str, Any]) -> None:
        super().__init__(CONFIG_DEF, props)
        url = self.get_str(HDFS_URL_CONFIG).strip() or self.get_str(STORE_URL_CONFIG).strip()
        if not url:
            raise ConfigException(f'Missing required configuration "{HDFS_URL_CONFIG}" which has no default value.')
        self.webhdfs_url, self.base_path = webhdfs_address(url, self.get_int(WEBHDFS_PORT_CONFIG))
        self.topics_dir = join_path(self.base_path, self.get_str(TOPICS_DIR_CONFIG))
        self.user = self.get_str(WEBHDFS_USER_CONFIG).strip() or os.environ.get("HADOOP_USER_NAME", "") or _os_user()
        self.format_class = self.get_str(FORMAT_CLASS_CONFIG)
        self.partitioner_kind = PARTITIONERS[self.get_str(PARTITIONER_CLASS_CONFIG)]
        self.flush_size = self.get_int(FLUSH_SIZE_CONFIG)
        self.rotate_interval_ms = self.get_int(ROTATE_INTERVAL_MS_CONFIG)
        self.rotate_schedule_interval_ms = self.get_int(ROTATE_SCHEDULE_INTERVAL_MS_CONFIG)
        self.retry_backoff_ms = self.get_int(RETRY_BACKOFF_CONFIG)
        self.zero_pad_width = self.get_int(ZERO_PAD_WIDTH_CONFIG)
        self.ignore_null_values = self.get_str(BEHAVIOR_ON_NULL_VALUES_CONFIG) == "ignore"
        self.timeout_s = self.get_int(WEBHDFS_TIMEOUT_MS_CONFIG) / 1000
        self.tolerate_all = str(props.get(ERRORS_TOLERANCE_CONFIG, "none")).strip().lower() == "all"


def webhdfs_address(url: str, webhdfs_port: int) -> tuple[str, str]:
    """The WebHDFS base URL (``http(s)://host:port``) and the path prefix of a configured HDFS URL."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = parts.hostname
    if not host:
        raise ConfigException(f"Invalid value {url} for configuration {HDFS_URL_CONFIG}: no host")
    if scheme == "hdfs":
        port: int | None = webhdfs_port
    else:
        port = parts.port
    http = "https" if scheme in ("https", "swebhdfs") else "http"
    if port is None:
        port = 9871 if http == "https" else 9870
    prefix = parts.path.rstrip("/")
    if parts.path.startswith("/webhdfs/v1"):
        prefix = prefix[len("/webhdfs/v1") :]
    return f"{http}://{host}:{port}", prefix


def join_path(*parts: str) -> str:
    """An absolute HDFS path from pieces (``join_path("", "topics")`` -> ``/topics``)."""
    segs = [s for p in parts for s in p.split("/") if s]
    return "/" + "/".join(segs)


def _os_user() -> str:
    try:
        import getpass

        return getpass.getuser()
    except Exception:
        return "root"
