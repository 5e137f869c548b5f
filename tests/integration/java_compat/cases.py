"""The table of cases run through both the real Java classes and ours.

A case is a dict in the harness format plus two optional test-only members: ``id`` (the test name) and
``compare`` (``"exact"`` by default; ``"error"`` = both must fail with the same exception class, for
messages that print Java-only details such as class names; ``"error_prefix"`` = same class and our
message starts with Java's).
"""

from __future__ import annotations

from typing import Any

T = "org.apache.kafka.connect.transforms."
P = T + "predicates."


def s(type_: str, optional: bool = False, **extra: Any) -> dict[str, Any]:
    return {"type": type_, "optional": optional, **extra}


def f(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "field": name}


def env(schema: dict[str, Any] | None, payload: Any) -> dict[str, Any]:
    return {"schema": schema, "payload": payload}


def rec(
    value: Any = None,
    key: Any = None,
    topic: str = "orders",
    partition: int | None = 3,
    timestamp: int | None = 1_730_000_123_456,
    offset: int | None = 42,
    headers: list[Any] | None = None,
) -> dict[str, Any]:
    r: dict[str, Any] = {"topic": topic, "partition": partition, "timestamp": timestamp, "value": value, "key": key}
    if offset is not None:
        r["offset"] = offset
    if headers:
        r["headers"] = headers
    return r


def tr(id_: str, cls: str, config: dict[str, Any], *records: dict[str, Any], compare: str = "exact") -> dict[str, Any]:
    return {
        "id": id_,
        "kind": "transform",
        "class": T + cls,
        "config": config,
        "records": list(records),
        "compare": compare,
    }


def pr(id_: str, cls: str, config: dict[str, Any], *records: dict[str, Any], compare: str = "exact") -> dict[str, Any]:
    return {
        "id": id_,
        "kind": "predicate",
        "class": P + cls,
        "config": config,
        "records": list(records),
        "compare": compare,
    }


TS = s("int64", name="org.apache.kafka.connect.data.Timestamp", version=1)
OPT_TS = s("int64", True, name="org.apache.kafka.connect.data.Timestamp", version=1)
DATE = s("int32", name="org.apache.kafka.connect.data.Date", version=1)
TIME = s("int32", name="org.apache.kafka.connect.data.Time", version=1)
DEC2 = s("bytes", name="org.apache.kafka.connect.data.Decimal", version=1, parameters={"scale": "2"})
ADDRESS = s("struct", True, fields=[f("city", s("string")), f("zip", s("string", True))], name="com.ex.Address")
USER = s(
    "struct",
    fields=[
        f("id", s("int32")),
        f("name", s("string", True)),
        f("score", s("double", True)),
        f("small", s("int16", True, default=7)),
        f("ts", OPT_TS),
        f("addr", ADDRESS),
        f("tags", s("array", True, items=s("string"))),
        f("flag", s("boolean", True)),
        f("price", {**DEC2, "optional": True}),
        f("when", {**DATE, "optional": True}),
    ],
    name="com.ex.User",
    version=3,
    doc="a user",
)
USER_VALUE = {
    "id": 7,
    "name": "ann",
    "score": 12.5,
    "small": None,
    "ts": 1_730_000_000_000,
    "addr": {"city": "Seoul", "zip": None},
    "tags": ["a", "b"],
    "flag": True,
    "price": 12.34,
    "when": 19_000,
}
USER_ENV = env(USER, USER_VALUE)
MAP_VALUE = env(
    None,
    {
        "id": 7,
        "name": "ann",
        "score": 12.5,
        "ts": 1_730_000_000_000,
        "s": "42",
        "nested": {"a": {"b": 1, "c": [1, 2]}, "d": None},
        "flag": True,
        "f": 2.75,
    },
)
KEY_STRUCT = s("struct", fields=[f("k", s("int64")), f("r", s("string", True))], name="com.ex.Key")
KEY_ENV = env(KEY_STRUCT, {"k": 99, "r": "eu"})


def _transform_cases() -> list[dict[str, Any]]:
    c: list[dict[str, Any]] = []
    # --- Cast
    c.append(
        tr(
            "cast-schemaless-fields",
            "Cast$Value",
            {"spec": "id:string,score:int32,s:int64,flag:int8,f:float32"},
            rec(MAP_VALUE),
            rec(None),
        )
    )
    c.append(
        tr(
            "cast-struct-fields",
            "Cast$Value",
            {"spec": "id:int64,score:string,small:float64,flag:string,name:boolean"},
            rec(USER_ENV),
        )
    )
    c.append(
        tr(
            "cast-struct-no-default-replace",
            "Cast$Value",
            {"spec": "small:int64", "replace.null.with.default": "false"},
            rec(USER_ENV),
        )
    )
    c.append(
        tr(
            "cast-whole-key",
            "Cast$Key",
            {"spec": "int32"},
            rec(key=env(s("int64"), 12345)),
            rec(key=env(None, 3_000_000_000)),
            rec(key=env(s("string"), "77")),
        )
    )
    c.append(
        tr(
            "cast-whole-to-string",
            "Cast$Value",
            {"spec": "string"},
            rec(env(s("double"), 1e10)),
            rec(env(s("float"), 0.5)),
            rec(env(s("boolean"), False)),
            rec(env(s("bytes"), "AAEC")),
            rec(env(None, 3.25)),
        )
    )
    c.append(tr("cast-timestamp-to-int64", "Cast$Value", {"spec": "ts:int64,when:int32,price:float64"}, rec(USER_ENV)))
    c.append(tr("cast-timestamp-field-to-string", "Cast$Value", {"spec": "ts:string,when:string"}, rec(USER_ENV)))
    c.append(tr("cast-string-out-of-range", "Cast$Value", {"spec": "int8"}, rec(env(s("string"), "300"))))
    c.append(tr("cast-struct-input", "Cast$Value", {"spec": "addr:string"}, rec(USER_ENV)))
    c.append(tr("cast-bad-type", "Cast$Value", {"spec": "a:float"}, rec(MAP_VALUE)))
    c.append(tr("cast-bytes-target", "Cast$Value", {"spec": "bytes"}, rec(MAP_VALUE)))
    c.append(tr("cast-two-whole", "Cast$Value", {"spec": "int8,a:int16"}, rec(MAP_VALUE)))
    c.append(tr("cast-empty-spec", "Cast$Value", {"spec": ""}, rec(MAP_VALUE)))
    c.append(tr("cast-bad-mapping", "Cast$Value", {"spec": "a:b:c"}, rec(MAP_VALUE)))
    c.append(
        tr(
            "cast-narrowing",
            "Cast$Value",
            {"spec": "a:int8,b:int16,c:int32,d:boolean,e:int64"},
            rec(env(None, {"a": 300, "b": 70000, "c": 5e9, "d": 0, "e": -2.9})),
        )
    )
    c.append(tr("cast-schemaless-not-map", "Cast$Value", {"spec": "a:int8"}, rec(env(None, "x")), compare="error"))
    # --- DropHeaders / InsertHeader / HeaderFrom
    hdrs = [["a", env(s("string"), "x")], ["b", env(s("int32"), 1)], ["a", env(None, "y")]]
    c.append(tr("drop-headers", "DropHeaders", {"headers": "a,c"}, rec(MAP_VALUE, headers=hdrs)))
    c.append(tr("drop-headers-empty", "DropHeaders", {"headers": ""}, rec(MAP_VALUE)))
    c.append(
        tr("insert-header-int", "InsertHeader", {"header": "h", "value.literal": "42"}, rec(MAP_VALUE, headers=hdrs))
    )
    c.append(tr("insert-header-text", "InsertHeader", {"header": "h", "value.literal": "hello world"}, rec(MAP_VALUE)))
    c.append(tr("insert-header-bool", "InsertHeader", {"header": "h", "value.literal": "true"}, rec(MAP_VALUE)))
    c.append(tr("insert-header-array", "InsertHeader", {"header": "h", "value.literal": "[1,2,3]"}, rec(MAP_VALUE)))
    c.append(tr("insert-header-missing", "InsertHeader", {"header": "h"}, rec(MAP_VALUE)))
    c.append(
        tr(
            "header-from-copy",
            "HeaderFrom$Value",
            {"fields": "id,name", "headers": "h_id,h_name", "operation": "copy"},
            rec(USER_ENV, headers=hdrs),
            rec(MAP_VALUE),
        )
    )
    c.append(
        tr(
            "header-from-move",
            "HeaderFrom$Value",
            {"fields": "id,small", "headers": "h_id,h_small", "operation": "move"},
            rec(USER_ENV),
            rec(MAP_VALUE),
        )
    )
    c.append(
        tr(
            "header-from-move-nodefault",
            "HeaderFrom$Value",
            {"fields": "small", "headers": "h_small", "operation": "move", "replace.null.with.default": "false"},
            rec(USER_ENV),
        )
    )
    c.append(
        tr(
            "header-from-key",
            "HeaderFrom$Key",
            {"fields": "k", "headers": "hk", "operation": "copy"},
            rec(MAP_VALUE, key=KEY_ENV),
        )
    )
    c.append(
        tr(
            "header-from-bad-count",
            "HeaderFrom$Value",
            {"fields": "a,b", "headers": "h", "operation": "copy"},
            rec(MAP_VALUE),
        )
    )
    c.append(
        tr(
            "header-from-bad-op",
            "HeaderFrom$Value",
            {"fields": "a", "headers": "h", "operation": "swap"},
            rec(MAP_VALUE),
        )
    )
    c.append(
        tr("header-from-tombstone", "HeaderFrom$Value", {"fields": "a", "headers": "h", "operation": "copy"}, rec(None))
    )
    # --- ExtractField
    c.append(tr("extract-schemaless", "ExtractField$Value", {"field": "name"}, rec(MAP_VALUE), rec(None)))
    c.append(tr("extract-struct", "ExtractField$Value", {"field": "addr"}, rec(USER_ENV)))
    c.append(tr("extract-struct-default", "ExtractField$Value", {"field": "small"}, rec(USER_ENV)))
    c.append(
        tr(
            "extract-struct-nodefault",
            "ExtractField$Value",
            {"field": "small", "replace.null.with.default": "false"},
            rec(USER_ENV),
        )
    )
    c.append(tr("extract-unknown", "ExtractField$Value", {"field": "nope"}, rec(USER_ENV), rec(MAP_VALUE)))
    c.append(tr("extract-key", "ExtractField$Key", {"field": "k"}, rec(MAP_VALUE, key=KEY_ENV)))
    c.append(
        tr(
            "extract-v2-struct",
            "ExtractField$Value",
            {"field": "addr.city", "field.syntax.version": "V2"},
            rec(USER_ENV),
        )
    )
    c.append(
        tr(
            "extract-v2-map",
            "ExtractField$Value",
            {"field": "nested.a.c", "field.syntax.version": "v2"},
            rec(MAP_VALUE),
        )
    )
    c.append(
        tr(
            "extract-v2-backticks",
            "ExtractField$Value",
            {"field": "`a.b`.c", "field.syntax.version": "V2"},
            rec(env(None, {"a.b": {"c": 5}, "a": {"b": {"c": 6}}})),
        )
    )
    c.append(tr("extract-v1-dotted", "ExtractField$Value", {"field": "a.b"}, rec(env(None, {"a.b": 1, "a": {"b": 2}}))))
    c.append(
        tr("extract-bad-version", "ExtractField$Value", {"field": "a", "field.syntax.version": "V3"}, rec(MAP_VALUE))
    )
    c.append(tr("extract-not-map", "ExtractField$Value", {"field": "a"}, rec(env(None, [1, 2])), compare="error"))
    # --- Filter
    c.append(tr("filter", "Filter", {}, rec(MAP_VALUE), rec(None)))
    # --- Flatten
    c.append(tr("flatten-schemaless", "Flatten$Value", {}, rec(MAP_VALUE), rec(None)))
    c.append(tr("flatten-schemaless-delim", "Flatten$Value", {"delimiter": "_"}, rec(MAP_VALUE)))
    c.append(tr("flatten-struct", "Flatten$Value", {}, rec(USER_ENV)))
    nested = s(
        "struct",
        fields=[
            f(
                "a",
                s(
                    "struct",
                    fields=[f("b", s("int32")), f("c", s("struct", True, fields=[f("d", s("string", default="dd"))]))],
                ),
            ),
            f("e", s("int64")),
        ],
        name="N",
    )
    c.append(
        tr(
            "flatten-nested-struct",
            "Flatten$Key",
            {"delimiter": "#"},
            rec(MAP_VALUE, key=env(nested, {"a": {"b": 1, "c": None}, "e": 5})),
            rec(MAP_VALUE, key=env(nested, {"a": {"b": 2, "c": {"d": "x"}}, "e": 6})),
        )
    )
    c.append(tr("flatten-optional-struct-null", "Flatten$Value", {}, rec(env({**nested, "optional": True}, None))))
    # --- HoistField
    c.append(
        tr("hoist-schemaless", "HoistField$Value", {"field": "wrapped"}, rec(MAP_VALUE), rec(env(None, 5)), rec(None))
    )
    c.append(
        tr(
            "hoist-schema",
            "HoistField$Key",
            {"field": "k"},
            rec(MAP_VALUE, key=env(s("int64"), 5)),
            rec(MAP_VALUE, key=KEY_ENV),
        )
    )
    c.append(tr("hoist-missing", "HoistField$Value", {}, rec(MAP_VALUE)))
    # --- InsertField
    ins = {
        "topic.field": "t",
        "partition.field": "p!",
        "offset.field": "o?",
        "timestamp.field": "ts2",
        "static.field": "sf",
        "static.value": "sv",
    }
    c.append(
        tr(
            "insert-schemaless",
            "InsertField$Value",
            ins,
            rec(MAP_VALUE),
            rec(MAP_VALUE, partition=None, timestamp=None),
            rec(None),
        )
    )
    c.append(tr("insert-struct", "InsertField$Value", ins, rec(USER_ENV), rec(USER_ENV, timestamp=None)))
    c.append(
        tr(
            "insert-struct-nodefault",
            "InsertField$Value",
            {"topic.field": "t!", "replace.null.with.default": "false"},
            rec(USER_ENV),
        )
    )
    c.append(tr("insert-offset-source", "InsertField$Value", {"offset.field": "o"}, rec(MAP_VALUE, offset=None)))
    c.append(
        tr(
            "insert-key",
            "InsertField$Key",
            {"static.field": "x", "static.value": "y"},
            rec(MAP_VALUE, key=KEY_ENV),
            rec(MAP_VALUE, key=env(None, {"a": 1})),
        )
    )
    c.append(tr("insert-static-no-value", "InsertField$Value", {"static.field": "x"}, rec(MAP_VALUE), compare="error"))
    c.append(tr("insert-not-map", "InsertField$Value", {"topic.field": "t"}, rec(env(None, "str"))))
    c.append(
        tr(
            "insert-struct-required-null-partition",
            "InsertField$Value",
            {"partition.field": "p!"},
            rec(USER_ENV, partition=None, offset=None),
            compare="error",
        )
    )
    # --- MaskField
    c.append(tr("mask-schemaless", "MaskField$Value", {"fields": "id,name,score,flag,nested,missing"}, rec(MAP_VALUE)))
    c.append(
        tr("mask-struct", "MaskField$Value", {"fields": "id,name,score,flag,tags,ts,price,when,small"}, rec(USER_ENV))
    )
    c.append(
        tr(
            "mask-replacement",
            "MaskField$Value",
            {"fields": "id,name,score", "replacement": "9"},
            rec(USER_ENV),
            rec(MAP_VALUE),
        )
    )
    c.append(
        tr(
            "mask-replacement-bad-number",
            "MaskField$Value",
            {"fields": "id", "replacement": "abc"},
            rec(MAP_VALUE),
            compare="error",
        )
    )
    c.append(
        tr(
            "mask-replacement-struct-field",
            "MaskField$Value",
            {"fields": "addr", "replacement": "x"},
            rec(USER_ENV),
            compare="error",
        )
    )
    c.append(tr("mask-empty-fields", "MaskField$Value", {"fields": ""}, rec(MAP_VALUE)))
    c.append(tr("mask-empty-replacement", "MaskField$Value", {"fields": "a", "replacement": ""}, rec(MAP_VALUE)))
    c.append(tr("mask-tombstone", "MaskField$Value", {"fields": "a"}, rec(None)))
    # --- RegexRouter
    c.append(
        tr(
            "regex-router",
            "RegexRouter",
            {"regex": "(.*)ers", "replacement": "$1-routed"},
            rec(MAP_VALUE),
            rec(MAP_VALUE, topic="nomatch"),
        )
    )
    c.append(
        tr(
            "regex-router-named",
            "RegexRouter",
            {"regex": "(?<base>[a-z]+)-(\\d+)", "replacement": "${base}_$2\\$"},
            rec(MAP_VALUE, topic="logs-2024"),
            rec(MAP_VALUE, topic="logs-x"),
        )
    )
    c.append(tr("regex-router-lazy", "RegexRouter", {"regex": "a+?", "replacement": "X"}, rec(MAP_VALUE, topic="aaa")))
    c.append(
        tr(
            "regex-router-multidigit",
            "RegexRouter",
            {"regex": "(a)(b)", "replacement": "$12"},
            rec(MAP_VALUE, topic="ab"),
        )
    )
    c.append(tr("regex-router-missing", "RegexRouter", {"regex": "x"}, rec(MAP_VALUE)))
    # --- ReplaceField
    c.append(
        tr(
            "replace-schemaless",
            "ReplaceField$Value",
            {"exclude": "score", "renames": "id:user_id,name:n"},
            rec(MAP_VALUE),
            rec(None),
        )
    )
    c.append(
        tr(
            "replace-include",
            "ReplaceField$Value",
            {"include": "id,name,ts", "exclude": "ts"},
            rec(MAP_VALUE),
            rec(USER_ENV),
        )
    )
    c.append(
        tr(
            "replace-struct",
            "ReplaceField$Value",
            {"exclude": "tags,addr", "renames": "small:sm,id:uid"},
            rec(USER_ENV),
        )
    )
    c.append(
        tr(
            "replace-struct-nodefault",
            "ReplaceField$Value",
            {"renames": "small:sm", "replace.null.with.default": "false"},
            rec(USER_ENV),
        )
    )
    c.append(tr("replace-key", "ReplaceField$Key", {"renames": "k:key"}, rec(MAP_VALUE, key=KEY_ENV)))
    c.append(tr("replace-bad-rename", "ReplaceField$Value", {"renames": "a:b,c"}, rec(MAP_VALUE)))
    c.append(tr("replace-bad-rename3", "ReplaceField$Value", {"renames": "a:b:c"}, rec(MAP_VALUE)))
    c.append(tr("replace-not-map", "ReplaceField$Value", {"exclude": "a"}, rec(env(None, 5))))
    # --- SetSchemaMetadata
    c.append(
        tr(
            "set-schema-metadata",
            "SetSchemaMetadata$Value",
            {"schema.name": "com.ex.Renamed", "schema.version": "9"},
            rec(USER_ENV),
            rec(env(s("string"), "x")),
        )
    )
    c.append(
        tr(
            "set-schema-metadata-nodefault",
            "SetSchemaMetadata$Value",
            {"schema.version": "2", "replace.null.with.default": "false"},
            rec(USER_ENV),
        )
    )
    c.append(
        tr(
            "set-schema-metadata-key-array",
            "SetSchemaMetadata$Key",
            {"schema.name": "arr"},
            rec(MAP_VALUE, key=env(s("array", items=s("int32")), [1, 2])),
        )
    )
    c.append(tr("set-schema-metadata-schemaless", "SetSchemaMetadata$Value", {"schema.name": "x"}, rec(MAP_VALUE)))
    c.append(tr("set-schema-metadata-none", "SetSchemaMetadata$Value", {}, rec(MAP_VALUE)))
    # --- TimestampConverter
    c.append(
        tr(
            "tsconv-schemaless-unix-to-string",
            "TimestampConverter$Value",
            {"field": "ts", "target.type": "string", "format": "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"},
            rec(MAP_VALUE),
            rec(None),
        )
    )
    c.append(
        tr(
            "tsconv-schemaless-string-to-unix",
            "TimestampConverter$Value",
            {"field": "d", "target.type": "unix", "format": "yyyy-MM-dd HH:mm:ss", "unix.precision": "seconds"},
            rec(env(None, {"d": "2024-03-05 06:07:08"})),
            rec(env(None, {"d": "garbage"})),
        )
    )
    c.append(
        tr(
            "tsconv-whole-to-timestamp",
            "TimestampConverter$Value",
            {"target.type": "Timestamp"},
            rec(env(s("int64"), 1_730_000_000_123)),
            rec(env(None, 1_730_000_000_123)),
        )
    )
    c.append(
        tr("tsconv-struct-to-date", "TimestampConverter$Value", {"field": "ts", "target.type": "Date"}, rec(USER_ENV))
    )
    c.append(
        tr("tsconv-struct-to-time", "TimestampConverter$Value", {"field": "ts", "target.type": "Time"}, rec(USER_ENV))
    )
    c.append(
        tr(
            "tsconv-struct-date-to-string",
            "TimestampConverter$Value",
            {"field": "when", "target.type": "string", "format": "dd/MM/yyyy EEE MMM"},
            rec(USER_ENV),
        )
    )
    c.append(
        tr(
            "tsconv-micros",
            "TimestampConverter$Value",
            {"target.type": "unix", "unix.precision": "microseconds"},
            rec(env(TS, 1_730_000_000_123)),
            rec(env(s("int64", True), None)),
        )
    )
    c.append(
        tr(
            "tsconv-nanos-in",
            "TimestampConverter$Value",
            {"target.type": "Timestamp", "unix.precision": "nanoseconds"},
            rec(env(s("int64"), 1_730_000_000_123_456_789)),
            rec(env(s("int64"), -1_500_000)),
        )
    )
    c.append(tr("tsconv-string-needs-format", "TimestampConverter$Value", {"target.type": "string"}, rec(MAP_VALUE)))
    c.append(tr("tsconv-bad-type", "TimestampConverter$Value", {"target.type": "date"}, rec(MAP_VALUE)))
    c.append(
        tr(
            "tsconv-bad-format",
            "TimestampConverter$Value",
            {"target.type": "string", "format": "yyyy-bb"},
            rec(MAP_VALUE),
        )
    )
    c.append(
        tr(
            "tsconv-schemaless-bad-input",
            "TimestampConverter$Value",
            {"field": "f", "target.type": "unix"},
            rec(MAP_VALUE),
            compare="error",
        )
    )
    c.append(
        tr(
            "tsconv-formats",
            "TimestampConverter$Value",
            {"target.type": "string", "format": "yyMMddHHmmssSSS h:mm a D 'quoted''s' zzz Z X"},
            rec(env(s("int64"), 1_730_000_123_456)),
            rec(env(s("int64"), 0)),
            rec(env(s("int64"), 1_704_067_199_999)),
        )
    )
    c.append(
        tr(
            "tsconv-parse-lenient",
            "TimestampConverter$Value",
            {"target.type": "unix", "format": "yyyy-MM-dd"},
            rec(env(s("string"), "2024-13-45")),
            rec(env(s("string"), "2024-02-03 trailing")),
        )
    )
    c.append(
        tr(
            "tsconv-key",
            "TimestampConverter$Key",
            {"target.type": "Date"},
            rec(MAP_VALUE, key=env(TS, 1_730_000_123_456)),
        )
    )
    # --- TimestampRouter
    c.append(tr("ts-router-default", "TimestampRouter", {}, rec(MAP_VALUE), rec(MAP_VALUE, timestamp=0)))
    c.append(
        tr(
            "ts-router-format",
            "TimestampRouter",
            {"topic.format": "x_${timestamp}_${topic}", "timestamp.format": "yyyy.MM.dd-HH"},
            rec(MAP_VALUE),
            rec(MAP_VALUE, timestamp=1_730_003_723_456),
        )
    )
    c.append(tr("ts-router-no-timestamp", "TimestampRouter", {}, rec(MAP_VALUE, timestamp=None), compare="error"))
    # --- ValueToKey
    c.append(tr("value-to-key-schemaless", "ValueToKey", {"fields": "id,name,missing"}, rec(MAP_VALUE)))
    c.append(tr("value-to-key-struct", "ValueToKey", {"fields": "id,small,addr"}, rec(USER_ENV)))
    c.append(
        tr(
            "value-to-key-struct-nodefault",
            "ValueToKey",
            {"fields": "small", "replace.null.with.default": "false"},
            rec(USER_ENV),
        )
    )
    c.append(tr("value-to-key-missing", "ValueToKey", {"fields": "nope"}, rec(USER_ENV)))
    c.append(tr("value-to-key-empty", "ValueToKey", {"fields": ""}, rec(USER_ENV)))
    c.append(tr("value-to-key-tombstone", "ValueToKey", {"fields": "a"}, rec(None)))
    c.extend(_edge_cases())
    return c


def _edge_cases() -> list[dict[str, Any]]:
    c: list[dict[str, Any]] = []
    for i, path in enumerate(["a..b", "`a`", "a.`b.c`", "a.", ".a", "`a.b", "a.`b`c", "`a``.b`"]):
        c.append(
            tr(
                f"extract-v2-edge-{i}",
                "ExtractField$Value",
                {"field": path, "field.syntax.version": "V2"},
                rec(env(None, {"a": {"b": 1, "b.c": 2, "": 3}, "a.b": 4, "`a": 5, "a`": 6, "": {"a": 7}})),
            )
        )
    arr_struct = s(
        "struct",
        fields=[
            f("m", s("map", keys=s("string"), values=s("int32"))),
            f("arr", s("array", items=s("struct", fields=[f("x", s("int32"))]))),
            f(
                "inner",
                s(
                    "struct",
                    True,
                    fields=[f("y", s("int32", True, default=3)), f("z", s("string"))],
                ),
            ),
        ],
    )
    c.append(
        tr(
            "flatten-map-array-defaults",
            "Flatten$Value",
            {},
            rec(env(arr_struct, {"m": {"a": 1}, "arr": [{"x": 1}], "inner": None})),
            rec(env(arr_struct, {"m": {}, "arr": [], "inner": {"y": None, "z": "q"}})),
        )
    )
    c.append(
        tr(
            "cast-edge-strings",
            "Cast$Value",
            {"spec": "a:int32,b:boolean,c:float32,d:float64,e:int64"},
            rec(env(None, {"a": "12", "b": "yes", "c": " 1.5 ", "d": "1e3", "e": "-0"})),
            rec(env(None, {"a": " 12 "})),
            rec(env(None, {"e": "1e3"})),
        )
    )
    f32 = s("struct", fields=[f("f", s("float")), f("g", s("float"))])
    c.append(
        tr(
            "cast-float32-widening",
            "Cast$Value",
            {"spec": "f:float64,g:string"},
            rec(env(f32, {"f": 0.1, "g": 16777217})),
        )
    )
    c.append(
        tr(
            "cast-int-to-float32",
            "Cast$Value",
            {"spec": "a:float32,b:float32"},
            rec(env(None, {"a": 16777217, "b": 0.1})),
        )
    )
    c.append(tr("cast-decimal", "Cast$Value", {"spec": "price:int32"}, rec(USER_ENV)))
    c.append(tr("cast-decimal-to-string", "Cast$Value", {"spec": "price:string,flag:float32"}, rec(USER_ENV)))
    c.append(
        tr("tsconv-date-to-unix", "TimestampConverter$Value", {"field": "when", "target.type": "unix"}, rec(USER_ENV))
    )
    c.append(
        tr(
            "tsconv-null-field",
            "TimestampConverter$Value",
            {"field": "ts", "target.type": "string", "format": "yyyy"},
            rec(env(USER, {**USER_VALUE, "ts": None})),
        )
    )
    c.append(
        tr(
            "tsconv-optional-struct-null",
            "TimestampConverter$Value",
            {"field": "city", "target.type": "unix"},
            rec(env(ADDRESS, None)),
        )
    )
    c.append(
        tr(
            "tsconv-parse-zone",
            "TimestampConverter$Value",
            {"target.type": "unix", "format": "yyyy-MM-dd'T'HH:mm:ssXXX"},
            rec(env(s("string"), "2024-03-05T06:07:08+09:00")),
            rec(env(s("string"), "2024-03-05T06:07:08Z")),
        )
    )
    c.append(
        tr(
            "tsconv-parse-names",
            "TimestampConverter$Value",
            {"target.type": "unix", "format": "EEE, dd MMM yyyy HH:mm:ss"},
            rec(env(s("string"), "Tue, 05 Mar 2024 06:07:08")),
        )
    )
    c.append(
        tr(
            "tsconv-time-to-string",
            "TimestampConverter$Value",
            {"target.type": "string", "format": "HH:mm:ss.SSS"},
            rec(env(TIME, 3_723_456)),
        )
    )
    c.append(
        tr(
            "tsconv-negative-seconds",
            "TimestampConverter$Value",
            {"target.type": "unix", "unix.precision": "seconds"},
            rec(env(TS, -1500)),
        )
    )
    c.append(
        tr(
            "insert-key-timestamp-null",
            "InsertField$Key",
            {"timestamp.field": "ts", "partition.field": "p"},
            rec(MAP_VALUE, key=env(None, {"a": 1}), timestamp=None, partition=None, offset=None),
        )
    )
    c.append(tr("hoist-null-with-schema", "HoistField$Value", {"field": "f"}, rec(env(s("string", True), None))))
    c.append(tr("regex-router-special", "RegexRouter", {"regex": "(.+)", "replacement": "\\\\$0\\$"}, rec(MAP_VALUE)))
    c.append(
        tr(
            "mask-replacement-types",
            "MaskField$Value",
            {"fields": "score,price,small", "replacement": "9"},
            rec(USER_ENV),
        )
    )
    c.append(
        tr(
            "mask-replacement-bool",
            "MaskField$Value",
            {"fields": "flag", "replacement": "9"},
            rec(USER_ENV),
            compare="error",
        )
    )
    c.append(
        tr("mask-replacement-decimal", "MaskField$Value", {"fields": "price", "replacement": "1.5"}, rec(USER_ENV))
    )
    c.append(
        tr("value-to-key-optional", "ValueToKey", {"fields": "name,ts"}, rec(env(USER, {**USER_VALUE, "name": None})))
    )
    c.append(
        tr(
            "replace-include-renamed",
            "ReplaceField$Value",
            {"include": "id", "renames": "id:x,name:y"},
            rec(MAP_VALUE),
            rec(USER_ENV),
        )
    )
    lists = [
        ("ValueToKey", {"fields": "id,id"}),
        ("ValueToKey", {"fields": "id, ,name"}),
        ("DropHeaders", {"headers": "a,"}),
        ("DropHeaders", {"headers": " "}),
        ("MaskField$Value", {"fields": "id,"}),
        ("HeaderFrom$Value", {"fields": "id,", "headers": "x,y", "operation": "copy"}),
        ("HeaderFrom$Value", {"fields": "id", "headers": " ", "operation": "copy"}),
        ("ReplaceField$Value", {"exclude": "a,,b"}),
        ("ReplaceField$Value", {"include": "id, "}),
        ("ReplaceField$Value", {"renames": "a:b,"}),
        ("Cast$Value", {"spec": "id:int8,"}),
        ("Cast$Value", {"spec": "id:int8,id:int16"}),
    ]
    for i, (cls, cfg) in enumerate(lists):
        c.append(tr(f"list-validation-{i}", cls, cfg, rec(MAP_VALUE)))
    c.append(
        tr(
            "value-to-key-v2",
            "ValueToKey",
            {"fields": "addr.city,id", "field.syntax.version": "V2"},
            rec(USER_ENV),
            rec(MAP_VALUE),
            rec(env(None, {"addr": {"city": "x"}, "id": 1})),
        )
    )
    return c


def _predicate_cases() -> list[dict[str, Any]]:
    hdrs = [["trace", env(s("string"), "x")]]
    return [
        pr(
            "topic-name-matches",
            "TopicNameMatches",
            {"pattern": "ord.*"},
            rec(MAP_VALUE),
            rec(MAP_VALUE, topic="xorders"),
            rec(MAP_VALUE, topic="ord"),
        ),
        pr("has-header-key", "HasHeaderKey", {"name": "trace"}, rec(MAP_VALUE, headers=hdrs), rec(MAP_VALUE)),
        pr("record-is-tombstone", "RecordIsTombstone", {}, rec(MAP_VALUE), rec(None)),
        pr("topic-name-matches-empty", "TopicNameMatches", {"pattern": ""}, rec(MAP_VALUE)),
        pr("has-header-key-missing", "HasHeaderKey", {}, rec(MAP_VALUE)),
    ]


def _json_cases() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    values = [
        ("user", USER_ENV),
        ("int8", env(s("int8"), -5)),
        ("float", env(s("float"), 0.1)),
        ("double-big", env(s("double"), 12345678.9)),
        ("double-small", env(s("double"), 0.0001)),
        ("string", env(s("string", True, doc="d", parameters={"a": "b"}), 'héllo "q"')),
        ("bytes", env(s("bytes"), "AAECAw==")),
        ("map-string", env(s("map", keys=s("string"), values=s("int32")), {"a": 1, "b": 2})),
        ("map-int-keys", env(s("map", keys=s("int32"), values=s("string")), [[1, "a"], [2, "b"]])),
        ("array-of-struct", env(s("array", items=ADDRESS), [{"city": "x", "zip": "1"}, None])),
        ("decimal", env(DEC2, 12.34)),
        ("decimal-negative", env(DEC2, -0.05)),
        (
            "date-time",
            env(s("struct", fields=[f("d", DATE), f("t", TIME), f("ts", TS)]), {"d": 19000, "t": 3_600_001, "ts": -1}),
        ),
        ("default-used", env(s("struct", fields=[f("a", s("int32", True, default=5))]), {"a": None})),
        ("optional-null", env(s("string", True), None)),
        ("schemaless-map", env(None, {"a": [1, 2.5, "x", None, True], "b": {"c": 1e-7}})),
        ("float32-rounding", env(s("array", items=s("float")), [16777217, 0.1, 1e-5, 3.4e38, -0.0])),
        (
            "double-edges",
            env(s("array", items=s("double")), [1e-3, 9.999999e6, 1e7, -1e-4, 0.0, 1e300, 123456.789]),
        ),
        ("long-edges", env(s("array", items=s("int64")), [9223372036854775807, -9223372036854775808, 0])),
        ("map-optional-keys", env(s("map", keys=s("string", True), values=s("int32", True)), {"a": None})),
        (
            "nested-maps",
            env(
                s("map", keys=s("int8"), values=s("array", items=s("map", keys=s("string"), values=s("bytes")))),
                [[1, [{"k": "AQ=="}]]],
            ),
        ),
        ("bytes-default", env(s("struct", fields=[f("b", s("bytes", True, default="AAE="))]), {"b": None})),
        ("schemaless-scalar", env(None, 12345678.25)),
        ("schemaless-array", env(None, [[1, 2], {"a": None}])),
        ("null", None),
    ]
    for name, data in values:
        for cfg_name, cfg in (
            ("env", {}),
            ("plain", {"schemas.enable": "false"}),
            ("numeric", {"decimal.format": "NUMERIC"}),
            ("nodefault", {"replace.null.with.default": "false"}),
        ):
            out.append({"id": f"json-from-{name}-{cfg_name}", "kind": "json_from", "config": cfg, "data": data})
    reads = [
        ("envelope", '{"schema":{"type":"int32","optional":false},"payload":5}', {}),
        ("envelope-missing", '{"payload":5}', {}),
        ("envelope-extra", '{"schema":null,"payload":5,"x":1}', {}),
        ("not-object", "[1,2]", {}),
        ("plain", '{"a":1,"b":[1,2.5],"c":{"d":null}}', {"schemas.enable": "false"}),
        ("plain-scalar", "12", {"schemas.enable": "false"}),
        ("bad-json", '{"a":', {"schemas.enable": "false"}),
        ("empty", "", {"schemas.enable": "false"}),
        ("null-bytes", None, {}),
        ("json-null", "null", {"schemas.enable": "false"}),
        (
            "struct-default",
            '{"schema":{"type":"struct","fields":[{"type":"int32","optional":true,"default":3,"field":"a"}],'
            '"optional":false},"payload":{"a":null}}',
            {},
        ),
        (
            "struct-nodefault",
            '{"schema":{"type":"struct","fields":[{"type":"int32","optional":true,"default":3,"field":"a"}],'
            '"optional":false},"payload":{"a":null}}',
            {"replace.null.with.default": "false"},
        ),
        ("required-null", '{"schema":{"type":"int32","optional":false},"payload":null}', {}),
        ("unknown-type", '{"schema":{"type":"nope"},"payload":1}', {}),
        ("no-type", '{"schema":{"optional":true},"payload":1}', {}),
        (
            "decimal-numeric-in",
            '{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal",'
            '"parameters":{"scale":"2"}},"payload":12.345678901234567890}',
            {},
        ),
        (
            "map-pairs",
            '{"schema":{"type":"map","keys":{"type":"int64"},"values":{"type":"string"}},"payload":[[1,"a"],[2,"b"]]}',
            {},
        ),
        (
            "map-bad-pairs",
            '{"schema":{"type":"map","keys":{"type":"int64"},"values":{"type":"string"}},"payload":{"1":"a"}}',
            {},
        ),
        ("struct-not-object", '{"schema":{"type":"struct","fields":[]},"payload":[1]}', {}),
        ("array-no-items", '{"schema":{"type":"array"},"payload":[1]}', {}),
        (
            "timestamp",
            '{"schema":{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp"},"payload":1730000000000}',
            {},
        ),
    ]
    content = '{"type":"struct","fields":[{"type":"int32","field":"a"},{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"},"optional":true,"field":"d"}]}'
    reads += [
        ("schema-content", '{"a":5,"d":1.25}', {"schema.content": content, "decimal.format": "NUMERIC"}),
        ("schema-content-envelope", '{"schema":null,"payload":{"a":5}}', {"schema.content": content}),
        ("schema-content-plain-mode", '{"a":5}', {"schema.content": content, "schemas.enable": "false"}),
        ("schema-content-null", '{"schema":null,"payload":{"a":5}}', {"schema.content": "null"}),
        ("schema-content-bad", "{}", {"schema.content": "{nope"}),
    ]
    for name, raw, cfg in reads:
        compare = "error_prefix" if name in ("bad-json", "schema-content-bad") else "exact"
        out.append({"id": f"json-to-{name}", "kind": "json_to", "config": cfg, "bytes": raw, "compare": compare})
    return out


def _header_cases() -> list[dict[str, Any]]:
    texts = [
        "true",
        "false",
        "12",
        "300",
        "70000",
        "3000000000",
        "1.5",
        "0.1",
        " 12 ",
        "abc",
        "",
        None,
        "[1,2,3]",
        '[1,"a"]',
        '{"a":1,"b":2}',
        "{a:1}",
        "[1, 2.5]",
        "2024-01-02",
        "2024-01-02T03:04:05.678Z",
        "10:11:12.123Z",
        "[1,",
        "12.50",
        "-5",
        '{"a":{"b":[true,false]}}',
        "[]",
        "12,5",
        "true,false",
        "1 2",
        "[1,2] x",
        "[null]",
        "[1,null]",
        '{"a":null}',
        "{1:2,3:4}",
        '["a","b c"]',
        "[[1],[2,3]]",
        "12.0",
        "1e3",
        "+5",
        "0x10",
        "[2024-01-02,2024-01-03]",
        '"quoted"',
        "2024-13-45",
        "99999999999",
        "30000000000000000000",
        "[1,]",
        "[,1]",
        "[1 2]",
        "  ",
    ]
    out: list[dict[str, Any]] = [{"id": f"header-to-{i}", "kind": "header_to", "bytes": t} for i, t in enumerate(texts)]
    datas = [
        env(s("array", items=s("int32")), [1, 2]),
        env(s("map", keys=s("string"), values=s("int32")), {"a": 1, "b": 2}),
        env(s("struct", fields=[f("a", s("int32")), f("s", s("string"))]), {"a": 1, "s": 'x"y'}),
        env(s("boolean"), True),
        env(s("double"), 1e10),
        env(s("float"), 2.5),
        env(s("bytes"), "AAE="),
        env(None, {"a": [1, "x"]}),
        env(TS, 1_730_000_000_000),
        env(DATE, 19000),
        env(TIME, 3_600_000),
        env(s("string"), 'he said "hi"'),
        env(None, ["a b", "c,d", None]),
        env(DEC2, 1.5),
    ]
    out += [{"id": f"header-from-{i}", "kind": "header_from", "data": d} for i, d in enumerate(datas)]
    return out


def _converter_cases() -> list[dict[str, Any]]:
    import base64

    conv = "org.apache.kafka.connect."
    out: list[dict[str, Any]] = []
    writes = [
        ("string-str", conv + "storage.StringConverter", {}, env(s("string"), "héllo")),
        ("string-int", conv + "storage.StringConverter", {}, env(s("int32"), 42)),
        ("string-bool", conv + "storage.StringConverter", {}, env(None, True)),
        ("string-double", conv + "storage.StringConverter", {}, env(s("double"), 1e10)),
        ("string-utf16", conv + "storage.StringConverter", {"converter.encoding": "UTF-16"}, env(s("string"), "x")),
        ("string-null", conv + "storage.StringConverter", {}, None),
        ("bytes", conv + "converters.ByteArrayConverter", {}, env(s("bytes"), "AAEC")),
        ("bytes-bad-schema", conv + "converters.ByteArrayConverter", {}, env(s("string"), "x")),
        ("short", conv + "converters.ShortConverter", {}, env(s("int16"), -2)),
        ("integer", conv + "converters.IntegerConverter", {}, env(s("int32"), 258)),
        ("long", conv + "converters.LongConverter", {}, env(s("int64"), 1 << 40)),
        ("float", conv + "converters.FloatConverter", {}, env(s("float"), 0.5)),
        ("double", conv + "converters.DoubleConverter", {}, env(s("double"), -2.25)),
        ("boolean", conv + "converters.BooleanConverter", {}, env(s("boolean"), True)),
        ("boolean-bad-schema", conv + "converters.BooleanConverter", {}, env(s("int8"), 1)),
        ("json-key", conv + "json.JsonConverter", {"schemas.enable": "false"}, env(s("string"), "k")),
    ]
    for name, cls, cfg, data in writes:
        compare = "error" if name.endswith("bad-schema") else "exact"
        out.append(
            {
                "id": f"conv-from-{name}",
                "kind": "conv_from",
                "class": cls,
                "config": cfg,
                "data": data,
                "compare": compare,
            }
        )
    reads = [
        ("string", conv + "storage.StringConverter", {}, "héllo".encode()),
        ("string-latin1", conv + "storage.StringConverter", {"converter.encoding": "ISO-8859-1"}, b"\xe9"),
        ("bytes", conv + "converters.ByteArrayConverter", {}, b"\x00\x01"),
        ("short", conv + "converters.ShortConverter", {}, b"\xff\xfe"),
        ("short-bad-size", conv + "converters.ShortConverter", {}, b"\x01"),
        ("integer", conv + "converters.IntegerConverter", {}, b"\x00\x00\x01\x02"),
        ("long", conv + "converters.LongConverter", {}, b"\x00" * 7 + b"\x05"),
        ("float", conv + "converters.FloatConverter", {}, b"\x3f\x00\x00\x00"),
        ("double", conv + "converters.DoubleConverter", {}, b"\xc0\x02" + b"\x00" * 6),
        ("boolean", conv + "converters.BooleanConverter", {}, b"\x01"),
        ("boolean-bad", conv + "converters.BooleanConverter", {}, b"\x02"),
        ("null", conv + "converters.IntegerConverter", {}, None),
    ]
    for name, cls, cfg, raw in reads:
        compare = "error" if name.endswith("bad") or name.endswith("bad-size") else "exact"
        out.append(
            {
                "id": f"conv-to-{name}",
                "kind": "conv_to",
                "class": cls,
                "config": cfg,
                "b64": None if raw is None else base64.b64encode(raw).decode(),
                "compare": compare,
            }
        )
    return out


def _config_def_cases() -> list[dict[str, Any]]:
    import genesis_transforms
    from genesis_worker.runtime import converters

    names = [getattr(genesis_transforms, n).java_class_names[0] for n in genesis_transforms.__all__]
    names += [getattr(converters, n).java_class_names[0] for n in converters.__all__ if n != "AvroConverter"]
    return [{"id": f"config-def-{n.rsplit('.', 1)[1]}", "kind": "config_def", "class": n} for n in names]


CASES: list[dict[str, Any]] = (
    _transform_cases() + _predicate_cases() + _json_cases() + _header_cases() + _converter_cases() + _config_def_cases()
)
