"""Workload 1b: the all-kept jobs of the Kafka -> Kafka pipeline (issue 17), the common case.

Workload 1 (:mod:`benchmarks.kafka_pipeline`) is the best case: ByteArrayConverter and a 10 % key-hash
sample that drops 90 % of the records before a SinkRecord is built. Here every record is kept, as a
Connect user would configure the KafkaSinkConnector: each job reads N ad logs (4 partitions, keyed by user)
and writes all N to a fresh output topic. One task per contender; contenders interleaved run by run:

=============  ============================================================  =================================
job            genesis (KafkaSinkConnector, key StringConverter)            raw confluent-kafka loop
=============  ============================================================  =================================
json           JsonConverter ``schemas.enable=false``; ``filter.condition    ``orjson.loads``, the same test,
               value.bid_price >= 0`` (keeps all), inject ``ingested_at``    ``value[f] = now``, ``dumps``
json_schema    JsonConverter with schemas (envelope in, Struct, JSON out)    the same on ``["payload"]``
string         StringConverter (the filter parses the text)                  as json
bytes          ByteArrayConverter (key too; the field is spliced into        as json
               the bytes)
avro           AvroConverter (Confluent wire format) with the test suite's   fastavro, writer schema fetched
               schema registry STAND-IN (tests/fixtures/                     once from the stand-in
               schema_registry_standin.py: not a real registry)
smt            JsonConverter schemaless, no filter, ``transforms``           the same edits on the dict
               InsertField$Value (timestamp) -> ReplaceField$Value
               (exclude 2, rename 1) -> MaskField$Value (1 field)
=============  ============================================================  =================================

Java Connect 4.4 runs the jobs it can (json, json_schema, smt) with FileStreamSinkConnector (see
:data:`benchmarks.kafka_pipeline.JAVA_NOTE`: no Kafka -> Kafka sink in core Connect); Java's InsertField
refuses a String or byte[] value and Confluent's AvroConverter is not part of Apache Kafka, so the other
three are listed as not measured. Figures: rec/s (broker append times, as workload 1) and CPU µs per record.

    .venv/bin/python -m benchmarks.run --only kafka_jobs --jobs json,json_schema,smt --records 200000
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from benchmarks.common import (
    INJECT_FIELD,
    KEEP_ALL_CONDITION,
    MASK_FIELD,
    RENAME_FROM,
    RENAME_TO,
    SMT_EXCLUDE,
    SMT_TS_FIELD,
    BenchResult,
    Figure,
    Scale,
    adlog_records,
    delete_topics,
    produce_all,
    unique,
)
from benchmarks.kafka_pipeline import PARTITIONS, Contender, Genesis, JavaFileSink, Raw, run_to_topic
from benchmarks.services import Services, genesis_missing

log = logging.getLogger("benchmarks.pipeline_jobs")

JSON = "org.apache.kafka.connect.json.JsonConverter"
STRING = "org.apache.kafka.connect.storage.StringConverter"
BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter"
AVRO = "io.confluent.connect.avro.AvroConverter"
REGISTRY = "<registry>"  # replaced by the stand-in's URL

_FILTER_INJECT = {
    "filter.condition": KEEP_ALL_CONDITION,
    "inject.timestamp.field": INJECT_FIELD,
    "inject.timestamp.source": "wallclock",
}
_SMT_CHAIN = {
    "transforms": "ins,rep,mask",
    "transforms.ins.type": "org.apache.kafka.connect.transforms.InsertField$Value",
    "transforms.ins.timestamp.field": SMT_TS_FIELD,
    "transforms.rep.type": "org.apache.kafka.connect.transforms.ReplaceField$Value",
    "transforms.rep.exclude": ",".join(SMT_EXCLUDE),
    "transforms.rep.renames": f"{RENAME_FROM}:{RENAME_TO}",
    "transforms.mask.type": "org.apache.kafka.connect.transforms.MaskField$Value",
    "transforms.mask.fields": MASK_FIELD,
}
_JAVA_INJECT = {  # the closest job's transforms: a no-op Filter (Connect has no content filter) + InsertField
    "transforms": "drop,ts",
    "transforms.drop.type": "org.apache.kafka.connect.transforms.Filter",
    "transforms.drop.predicate": "tomb",
    "predicates": "tomb",
    "predicates.tomb.type": "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
    "transforms.ts.type": "org.apache.kafka.connect.transforms.InsertField$Value",
    "transforms.ts.timestamp.field": INJECT_FIELD,
}
_KEY_STRING = {"key.converter": STRING}
_SCHEMALESS = {"value.converter": JSON, "value.converter.schemas.enable": "false"}
_ENVELOPE = {"value.converter": JSON, "value.converter.schemas.enable": "true"}


@dataclass(frozen=True)
class Job:
    name: str
    input: str  # "json" | "envelope" | "avro": which input topic
    raw_job: str  # benchmarks.peers.raw_pipeline --job
    genesis: dict[str, Any]
    java: dict[str, Any] | None = None
    java_why: str = ""
    raw_target: float | None = None


JOBS: dict[str, Job] = {
    j.name: j
    for j in (
        Job(
            "json",
            "json",
            "json",
            {**_KEY_STRING, **_SCHEMALESS, **_FILTER_INJECT},
            {**_SCHEMALESS, **_JAVA_INJECT},
            raw_target=0.9,
        ),
        Job(
            "json_schema",
            "envelope",
            "envelope",
            {**_KEY_STRING, **_ENVELOPE, **_FILTER_INJECT},
            {**_ENVELOPE, **_JAVA_INJECT},
        ),
        Job(
            "string",
            "json",
            "json",
            {"key.converter": STRING, "value.converter": STRING, **_FILTER_INJECT},
            java_why="Java's InsertField$Value refuses a String value (schemaless: Map only); Connect has no "
            "transform that parses JSON text",
        ),
        Job(
            "bytes",
            "json",
            "json",
            {"key.converter": BYTES, "value.converter": BYTES, **_FILTER_INJECT},
            java_why="Java's InsertField$Value refuses a byte[] value (schemaless: Map only)",
            raw_target=1.0,
        ),
        Job(
            "avro",
            "avro",
            "avro",
            {**_KEY_STRING, "value.converter": AVRO, "value.converter.schema.registry.url": REGISTRY, **_FILTER_INJECT},
            java_why="Confluent's AvroConverter is not part of Apache Kafka 4.4 (not in the fetched jars)",
        ),
        Job(
            "smt",
            "json",
            "smt",
            {**_KEY_STRING, **_SCHEMALESS, **_SMT_CHAIN},
            {**_SCHEMALESS, **_SMT_CHAIN},
            raw_target=0.8,
        ),
    )
}


def _adlog_schema() -> Any:
    from genesis_worker.api.data import Schema, SchemaBuilder

    sample = next(_decoded(1))
    b = SchemaBuilder.struct().name("com.example.AdLog")
    for k, v in sample.items():
        b.field(
            k,
            Schema.STRING_SCHEMA
            if type(v) is str
            else Schema.INT64_SCHEMA
            if type(v) is int
            else Schema.FLOAT64_SCHEMA,
        )
    return b.build()


def _decoded(n: int) -> Iterator[dict[str, Any]]:
    for _k, v in adlog_records(n):
        yield orjson.loads(v)


def _structured(n: int, topic: str, converter: Any) -> Iterator[tuple[bytes, bytes]]:
    """The ad logs as Structs written by ``converter`` (JsonConverter with schemas, AvroConverter)."""
    from genesis_worker.api.data import Struct

    schema = _adlog_schema()
    names = [f.name for f in schema.fields]
    for k, v in adlog_records(n):
        d = orjson.loads(v)
        s = Struct(schema)
        for name in names:
            s.put(name, d[name])
        yield k, converter.from_connect_data(topic, schema, s)


def _make_input(svc: Services, kind: str, n: int, registry_url: str) -> str:
    bootstrap = svc.kafka.bootstrap
    topic = svc.kafka.create_topic(unique(f"jobs-{kind}"), PARTITIONS)
    t0 = time.monotonic()
    if kind == "json":
        produce_all(bootstrap, topic, adlog_records(n))
    elif kind == "envelope":
        from genesis_worker.runtime.converters.json import JsonConverter

        conv: Any = JsonConverter()
        conv.configure({"schemas.enable": "true"}, False)
        produce_all(bootstrap, topic, _structured(n, topic, conv))
    else:
        from genesis_worker.runtime.converters.avro import AvroConverter

        conv = AvroConverter()
        conv.configure({"schema.registry.url": registry_url}, False)
        produce_all(bootstrap, topic, _structured(n, topic, conv))
    log.info("input %s: %d records in %.1fs", kind, n, time.monotonic() - t0)
    return topic


def run(svc: Services, scale: Scale, jobs: tuple[str, ...] = tuple(JOBS)) -> BenchResult:
    from tests.fixtures.schema_registry_standin import SchemaRegistryStandIn

    n = scale.records
    unknown = [j for j in jobs if j not in JOBS]
    if unknown:
        raise ValueError(f"unknown job(s) {unknown}; known: {', '.join(JOBS)}")
    selected = [JOBS[j] for j in jobs]
    res = BenchResult(
        "kafka_jobs",
        "Kafka -> Kafka, every record kept, one task: converters and an SMT chain vs the raw loop and Java",
        params={"records": n, "partitions": PARTITIONS, "runs": scale.runs, "jobs": ",".join(jobs)},
    )
    res.notes.append(
        "avro uses the test suite's schema registry STAND-IN (tests/fixtures/schema_registry_standin.py), "
        "not Confluent Schema Registry; the converter fetches each schema once, so it is off the per-record path."
    )
    gm = genesis_missing()
    with SchemaRegistryStandIn() as registry:
        inputs = {kind: _make_input(svc, kind, n, registry.url) for kind in dict.fromkeys(j.input for j in selected)}
        java: JavaFileSink | None = None
        if any(j.java is not None for j in selected):
            try:
                java = JavaFileSink(svc)
            except Exception as e:
                res.skip("java", f"Java Connect did not start: {e}")
        timeout = max(120.0, n / 5000)
        rates: dict[str, list[float]] = {}
        cpus: dict[str, list[float]] = {}
        failed: dict[str, str] = {}

        def record(name: str, fn: Any) -> None:
            if name in failed:
                return
            try:
                rate, cpu = fn()
            except Exception as e:
                log.error("%s failed: %s", name, e)
                failed[name] = str(e).strip().splitlines()[0][:300] if str(e).strip() else type(e).__name__
                return
            log.info("  %-22s %10.0f rec/s  %6.2f µs CPU/rec", name, rate, cpu)
            rates.setdefault(name, []).append(rate)
            cpus.setdefault(name, []).append(cpu)

        for r in range(scale.runs):
            log.info("run %d/%d", r + 1, scale.runs)
            for job in selected:
                topic = inputs[job.input]
                contenders: list[Contender] = [Raw(svc, 1, ("--job", job.raw_job, "--registry", registry.url))]
                if not gm:
                    conf = {k: registry.url if v == REGISTRY else v for k, v in job.genesis.items()}
                    contenders.insert(0, Genesis(svc, 1, conf))
                for c in contenders:
                    record(f"{job.name} {c.label}", lambda c=c, t=topic: run_to_topic(c, t, n, n, svc, timeout))
                if java is not None and job.java is not None:
                    spec = {"key.converter": STRING, **job.java}
                    record(f"{job.name} java", lambda t=topic, s=spec: java.run(t, n, 1, timeout, s))  # type: ignore[union-attr]
        delete_topics(svc.kafka.bootstrap, list(inputs.values()))

    for name, why in failed.items():
        if name not in rates:
            res.skip(name, f"failed: {why}")
        else:
            res.notes.append(f"{name}: some runs failed ({why})")
    for name, values in rates.items():
        res.add(Figure(f"{name} rec/s", "records/s", values))
        res.add(Figure(f"{name} CPU/rec", "µs CPU per record", cpus[name], higher_is_better=False))
    for job in selected:
        j = job.name
        if gm:
            res.skip(f"{j} genesis", gm)
        t = job.raw_target
        res.ratio(
            f"{j} genesis/raw", f"{j} genesis rec/s", f"{j} raw rec/s", target=t, target_text=f">= {t}" if t else ""
        )
        res.ratio(f"{j} CPU/rec raw/genesis", f"{j} raw CPU/rec", f"{j} genesis CPU/rec")
        if job.java is None:
            res.skip(f"{j} java", job.java_why)
            continue
        res.ratio(f"{j} genesis/java", f"{j} genesis rec/s", f"{j} java rec/s", target=2.0, target_text=">= 2")
        res.ratio(f"{j} CPU/rec java/genesis", f"{j} java CPU/rec", f"{j} genesis CPU/rec")
    return res
