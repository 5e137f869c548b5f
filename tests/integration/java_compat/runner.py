"""The Python side of the Java compatibility test: runs a case in the format of
``tests/java/TransformHarness.java`` through our converters/transforms and answers in the same format.

Keys, values and headers travel as JsonConverter envelopes, read and written by our JsonConverter
(``schemas.enable=true``, ``replace.null.with.default=false``, ``decimal.format=NUMERIC``), exactly as
the Java harness does with Java's.
"""

from __future__ import annotations

import base64
from typing import Any

import orjson

import genesis_transforms
from genesis_worker.api.data import SchemaAndValue
from genesis_worker.api.records import ConnectRecord, Header, SinkRecord, SourceRecord
from genesis_worker.api.transform import Predicate, Transformation
from genesis_worker.runtime import converters
from genesis_worker.runtime.converters import JsonConverter, SimpleHeaderConverter

PLUGINS: dict[str, type] = {}
for _name in genesis_transforms.__all__:
    _cls = getattr(genesis_transforms, _name)
    for _java in _cls.java_class_names:
        PLUGINS[_java] = _cls

CONVERTERS: dict[str, type] = {}
for _name in converters.__all__:
    _cls = getattr(converters, _name)
    for _java in _cls.java_class_names:
        CONVERTERS[_java] = _cls

# Python exception -> the Java exception class that plays the same part.
_JAVA_ERRORS = {"ValueError": "IllegalArgumentException"}

REF = JsonConverter()
REF.configure({"schemas.enable": "true", "replace.null.with.default": "false", "decimal.format": "NUMERIC"}, False)


def error(e: BaseException) -> dict[str, Any]:
    name = type(e).__name__
    return {"error": _JAVA_ERRORS.get(name, name), "message": str(e)}


def parse(envelope: Any) -> SchemaAndValue:
    if envelope is None:
        return SchemaAndValue.NULL
    return REF.to_connect_data("topic", orjson.dumps(envelope))


def envelope(schema: Any, value: Any) -> Any:
    b = REF.from_connect_data("topic", schema, value)
    return None if b is None else orjson.loads(b)


def record(rec: dict[str, Any]) -> ConnectRecord:
    key, value = parse(rec.get("key")), parse(rec.get("value"))
    headers = []
    for k, env in rec.get("headers", []):
        hv = parse(env)
        headers.append(Header(k, hv.value, hv.schema))
    topic = rec.get("topic", "topic")
    partition = rec.get("partition")
    ts = rec.get("timestamp")
    if rec.get("offset") is not None:
        return SinkRecord(
            topic,
            0 if partition is None else partition,
            key.schema,
            key.value,
            value.schema,
            value.value,
            rec["offset"],
            ts,
            headers=headers,
        )
    return SourceRecord(None, None, topic, partition, key.schema, key.value, value.schema, value.value, ts, headers)


def record_json(rec: ConnectRecord) -> dict[str, Any]:
    return {
        "topic": rec.topic,
        "partition": rec.kafka_partition,
        "key": envelope(rec.key_schema, rec.key),
        "value": envelope(rec.value_schema, rec.value),
        "timestamp": rec.timestamp,
        "headers": [[h.key, envelope(h.schema, h.value)] for h in rec.headers],
    }


def run(case: dict[str, Any]) -> dict[str, Any]:
    try:
        return _run(case)
    except Exception as e:
        return error(e)


def _run(case: dict[str, Any]) -> dict[str, Any]:
    kind = case["kind"]
    config = {k: v for k, v in case.get("config", {}).items()}
    if kind == "transform":
        t: Transformation[Any] = PLUGINS[case["class"]]()
        t.configure(config)
        results: list[Any] = []
        for rec in case["records"]:
            try:
                out = t.apply(record(rec))
                results.append({"dropped": True} if out is None else record_json(out))
            except Exception as e:
                results.append(error(e))
        return {"results": results}
    if kind == "predicate":
        p: Predicate[Any] = PLUGINS[case["class"]]()
        p.configure(config)
        return {"results": [p.test(record(rec)) for rec in case["records"]]}
    if kind == "json_from":
        conv = JsonConverter()
        conv.configure(config, bool(case.get("is_key", False)))
        sv = parse(case.get("data"))
        b = conv.from_connect_data("topic", sv.schema, sv.value)
        return {"bytes": None if b is None else b.decode("utf-8")}
    if kind == "json_to":
        conv = JsonConverter()
        conv.configure(config, bool(case.get("is_key", False)))
        raw = case["bytes"]
        sv = conv.to_connect_data("topic", None if raw is None else raw.encode("utf-8"))
        return {"data": envelope(sv.schema, sv.value)}
    if kind == "header_to":
        h = SimpleHeaderConverter()
        h.configure(config)
        raw = case["bytes"]
        sv = h.to_connect_header("topic", "h", None if raw is None else raw.encode("utf-8"))
        return {"data": envelope(sv.schema, sv.value)}
    if kind == "header_from":
        h = SimpleHeaderConverter()
        h.configure(config)
        sv = parse(case.get("data"))
        b = h.from_connect_header("topic", "h", sv.schema, sv.value)
        return {"bytes": None if b is None else b.decode("utf-8")}
    if kind in ("conv_from", "conv_to"):
        conv = CONVERTERS[case["class"]]()
        conv.configure(config, bool(case.get("is_key", False)))
        if kind == "conv_from":
            sv = parse(case.get("data"))
            b = conv.from_connect_data("topic", sv.schema, sv.value)
            return {"b64": None if b is None else base64.b64encode(b).decode("ascii")}
        raw = case["b64"]
        sv = conv.to_connect_data("topic", None if raw is None else base64.b64decode(raw))
        return {"data": envelope(sv.schema, sv.value)}
    if kind == "config_def":
        plugin = (PLUGINS.get(case["class"]) or CONVERTERS[case["class"]])()
        fields = ("name", "type", "required", "default_value", "importance", "documentation")
        return {"keys": [{f: info[f] for f in fields} for info in plugin.config().to_infos()]}
    raise ValueError("unknown kind " + kind)
