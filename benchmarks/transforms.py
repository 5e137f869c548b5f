"""Workload 7: single message transforms and converters, records/s on one core (in-process, no broker).

* SMT chain ``InsertField$Value`` (timestamp + static field) -> ``ReplaceField$Value`` (exclude two
  fields, rename one) -> ``TimestampRouter`` over schemaless values (dicts, what JsonConverter with
  ``schemas.enable=false`` gives) and over Structs (``schemas.enable=true``);
* ``JsonConverter`` round trip (bytes -> Connect data -> bytes, what a record costs going through a sink
  and a source) with schemas on (envelope) vs off.

The plugins are looked up by their Java class names in the plugin registry, as the runtime does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import orjson

from benchmarks.common import BenchResult, Figure, Scale, adlog_records
from benchmarks.services import Services

log = logging.getLogger("benchmarks.transforms")

CHAIN = (
    (
        "org.apache.kafka.connect.transforms.InsertField$Value",
        {"timestamp.field": "ingested_at", "static.field": "pipeline", "static.value": "bench"},
    ),
    (
        "org.apache.kafka.connect.transforms.ReplaceField$Value",
        {"exclude": "page,session_id", "renames": "user_id:uid"},
    ),
    (
        "org.apache.kafka.connect.transforms.TimestampRouter",
        {"topic.format": "${topic}-${timestamp}", "timestamp.format": "yyyyMMdd"},
    ),
)
JSON = "org.apache.kafka.connect.json.JsonConverter"


def _plugin_class(java_name: str) -> type[Any]:
    """The genesis class standing in for ``java_name`` (scans the built-in plugin packages)."""
    import importlib
    import pkgutil

    for pkg_name in ("genesis_transforms", "genesis_worker.runtime.converters"):
        pkg = importlib.import_module(pkg_name)
        for info in pkgutil.iter_modules(pkg.__path__):
            mod = importlib.import_module(f"{pkg_name}.{info.name}")
            for obj in vars(mod).values():
                if isinstance(obj, type) and java_name in getattr(obj, "java_class_names", ()):
                    return obj
    raise LookupError(f"no plugin for {java_name}")


def _chain() -> list[Any]:
    out = []
    for name, conf in CHAIN:
        t = _plugin_class(name)()
        t.configure(conf)
        out.append(t)
    return out


def _converter(schemas: bool) -> Any:
    c = _plugin_class(JSON)()
    c.configure({"schemas.enable": "true" if schemas else "false"}, False)
    return c


def _time(fn: Callable[[], int]) -> float:
    t0 = time.perf_counter()
    n = fn()
    return n / (time.perf_counter() - t0)


def run(svc: Services, scale: Scale) -> BenchResult:
    from genesis_worker.api import SinkRecord
    from genesis_worker.api.data import Schema, SchemaBuilder, Struct

    n = scale.n(200_000, 20_000)
    res = BenchResult(
        "transforms",
        "SMT chain and JsonConverter, records/s on one core",
        params={"records": n, "runs": scale.runs, "chain": [c[0].rsplit(".", 1)[1] for c in CHAIN]},
    )
    raw = [v for _, v in adlog_records(n, seed=3)]
    dicts = [orjson.loads(v) for v in raw]
    b = SchemaBuilder.struct().name("adlog")
    first = dicts[0]
    for k, v in first.items():
        b = b.field(
            k,
            Schema.INT64_SCHEMA
            if isinstance(v, int)
            else Schema.FLOAT64_SCHEMA
            if isinstance(v, float)
            else Schema.STRING_SCHEMA,
        )
    schema = b.build()

    def to_struct(d: dict[str, Any]) -> Any:
        s = Struct(schema)
        for k, v in d.items():
            s.put(k, v)
        return s

    structs = [to_struct(d) for d in dicts]
    with_schema = _converter(True)
    enveloped = [with_schema.from_connect_data("ads", schema, s) for s in structs]
    res.params["envelope_bytes_avg"] = round(sum(map(len, enveloped)) / n, 1)
    res.params["value_bytes_avg"] = round(sum(map(len, raw)) / n, 1)

    def chain_over(values: list[Any], value_schema: Any) -> Callable[[], int]:
        def go() -> int:
            chain = _chain()
            ts0 = 1_764_000_000_000
            for i, v in enumerate(values):
                r: Any = SinkRecord("ads", 0, None, None, value_schema, v, i, ts0 + i)
                for t in chain:
                    r = t.apply(r)
            return len(values)

        return go

    def convert(schemas: bool, data: list[bytes]) -> Callable[[], int]:
        def go() -> int:
            c = _converter(schemas)
            for v in data:
                sv = c.to_connect_data("ads", v)
                c.from_connect_data("ads", sv.schema, sv.value)
            return len(data)

        return go

    cases: dict[str, Callable[[], int]] = {
        "SMT chain, schemaless": chain_over(dicts, None),
        "SMT chain, Struct": chain_over(structs, schema),
        "JsonConverter round trip, schemas off": convert(False, raw),
        "JsonConverter round trip, schemas on": convert(True, enveloped),
    }
    values: dict[str, list[float]] = {k: [] for k in cases}
    failed: dict[str, str] = {}
    for _ in range(scale.runs):
        for name, fn in cases.items():
            if name in failed:
                continue
            try:
                values[name].append(_time(fn))
                log.info("  %-40s %10.0f rec/s", name, values[name][-1])
            except Exception as e:
                log.error("%s failed: %s", name, e)
                failed[name] = f"{type(e).__name__}: {e}"[:300]
    for name, why in failed.items():
        res.skip(name, f"failed: {why}")
    for name, v in values.items():
        if v and name not in failed:
            res.add(Figure(f"{name} rec/s", "records/s per core", v))
    res.ratio(
        "schemas on / off", "JsonConverter round trip, schemas on rec/s", "JsonConverter round trip, schemas off rec/s"
    )
    res.ratio("Struct / schemaless chain", "SMT chain, Struct rec/s", "SMT chain, schemaless rec/s")
    res.skip("java", "per-record SMT/converter cost of Java needs a JMH harness inside the JVM; not built")
    return res
