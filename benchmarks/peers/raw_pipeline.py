"""The raw-client ceiling of workload 1: confluent-kafka consume -> orjson parse -> filter -> 10 % key-hash
sample (the connector's hash function) -> inject a timestamp -> orjson dump -> produce, in one tight loop, batches of 500 as the genesis
sink task polls them, the producer configured as the KafkaSinkConnector's target producer.

    python -m benchmarks.peers.raw_pipeline BOOTSTRAP INPUT OUTPUT [--partition P] [--job JOB] [--registry URL]

``--job`` picks the all-kept jobs of :mod:`benchmarks.pipeline_jobs` (every record kept, no sample):
``json`` (parse, filter ``bid_price >= 0``, inject, dump), ``envelope`` (the same on the ``payload`` of a
JsonConverter schema envelope), ``avro`` (Confluent wire format read with fastavro, the writer schema fetched
once from ``--registry``) and ``smt`` (the 3-SMT chain's edits on the dict: insert the record timestamp,
drop and rename fields, mask one). Each job is its own inlined loop, as a hand-written one would be.

Runs until SIGTERM (the harness stops it once the output topic is complete). With ``--partition`` it reads
only that partition (``assign``, no group); without it it subscribes with a fresh group.
"""

from __future__ import annotations

import argparse
import signal
import time
import uuid
from typing import Any

import orjson
from confluent_kafka import Consumer, Producer
from confluent_kafka import TopicPartition as KTP

from benchmarks.common import (
    INJECT_FIELD,
    KEEP_ALL_FIELD,
    MASK_FIELD,
    RENAME_FROM,
    RENAME_TO,
    SMT_EXCLUDE,
    SMT_TS_FIELD,
    in_sample,
    keep_record,
)

BATCH = 500
PRODUCER_CONFIG: dict[str, Any] = {
    "acks": "all",
    "enable.idempotence": True,
    "linger.ms": 5,
    "partitioner": "murmur2_random",
    "compression.type": "none",
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bootstrap")
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--partition", type=int)
    ap.add_argument("--job", default="adlog", choices=("adlog", "json", "envelope", "avro", "smt"))
    ap.add_argument("--registry", help="schema registry URL (--job avro)")
    args = ap.parse_args()
    stop = False

    def on_term(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap,
            "group.id": f"raw-{uuid.uuid4().hex[:8]}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            # as the genesis sink task's consumer: librdkafka's default (1000 ms) stalls a fast loop
            # whenever its pre-fetch queue is full
            "fetch.queue.backoff.ms": 50,
            "enable.partition.eof": False,
        }
    )
    if args.partition is None:
        consumer.subscribe([args.input])
    else:
        consumer.assign([KTP(args.input, args.partition, 0)])
    producer = Producer({"bootstrap.servers": args.bootstrap, **PRODUCER_CONFIG})
    loads, dumps, produce, out = orjson.loads, orjson.dumps, producer.produce, args.output
    job = JOBS[args.job]
    reader = _avro_reader(args.registry) if args.job == "avro" else None
    while not stop:
        # wait only for the first message, then drain what is fetched: consume(BATCH, 0.2) alone would
        # hold every short batch (a partition's tail) for the full 0.2 s
        first = consumer.poll(0.2)
        if first is None:
            continue
        msgs = [first, *consumer.consume(BATCH - 1, 0)]
        now = int(time.time() * 1000)
        if job is not None:
            job(msgs, now, out, produce, producer, reader)
            producer.poll(0)
            continue
        for m in msgs:
            raw = m.value()
            if m.error() or raw is None:
                continue
            value = loads(raw)
            if not keep_record(value):
                continue
            key = m.key()
            if key is not None and not in_sample(key):
                continue
            value[INJECT_FIELD] = now
            while True:
                try:
                    produce(out, dumps(value), key, headers=m.headers())
                    break
                except BufferError:
                    producer.poll(0.01)
        producer.poll(0)
    producer.flush(30)
    consumer.close()


Produce = Any


def _send(produce: Produce, producer: Producer, out: str, value: bytes, m: Any) -> None:
    while True:
        try:
            produce(out, value, m.key(), headers=m.headers())
            return
        except BufferError:
            producer.poll(0.01)


def job_json(msgs: list[Any], now: int, out: str, produce: Produce, producer: Producer, _r: Any) -> None:
    loads, dumps, field, ts = orjson.loads, orjson.dumps, KEEP_ALL_FIELD, INJECT_FIELD
    for m in msgs:
        raw = m.value()
        if m.error() or raw is None:
            continue
        value = loads(raw)
        if not value[field] >= 0:
            continue
        value[ts] = now
        try:
            produce(out, dumps(value), m.key(), headers=m.headers())
        except BufferError:
            _send(produce, producer, out, dumps(value), m)


def job_envelope(msgs: list[Any], now: int, out: str, produce: Produce, producer: Producer, _r: Any) -> None:
    loads, dumps, field, ts = orjson.loads, orjson.dumps, KEEP_ALL_FIELD, INJECT_FIELD
    for m in msgs:
        raw = m.value()
        if m.error() or raw is None:
            continue
        value = loads(raw)["payload"]
        if not value[field] >= 0:
            continue
        value[ts] = now
        try:
            produce(out, dumps(value), m.key(), headers=m.headers())
        except BufferError:
            _send(produce, producer, out, dumps(value), m)


def job_avro(msgs: list[Any], now: int, out: str, produce: Produce, producer: Producer, reader: Any) -> None:
    dumps, field, ts = orjson.dumps, KEEP_ALL_FIELD, INJECT_FIELD
    read, schemas, bio = reader
    for m in msgs:
        raw = m.value()
        if m.error() or raw is None:
            continue
        schema = schemas.get(raw[1:5]) or schemas.fetch(raw[1:5])
        value = read(bio(raw[5:]), schema)
        if not value[field] >= 0:
            continue
        value[ts] = now
        try:
            produce(out, dumps(value), m.key(), headers=m.headers())
        except BufferError:
            _send(produce, producer, out, dumps(value), m)


def job_smt(msgs: list[Any], _now: int, out: str, produce: Produce, producer: Producer, _r: Any) -> None:
    loads, dumps, ts = orjson.loads, orjson.dumps, SMT_TS_FIELD
    exclude, old, new, mask = SMT_EXCLUDE, RENAME_FROM, RENAME_TO, MASK_FIELD
    for m in msgs:
        raw = m.value()
        if m.error() or raw is None:
            continue
        value = loads(raw)
        value[ts] = m.timestamp()[1]
        for f in exclude:
            del value[f]
        # a rename keeps the field's position, as ReplaceField$Value does
        value = {(new if k == old else k): v for k, v in value.items()}
        value[mask] = ""
        try:
            produce(out, dumps(value), m.key(), headers=m.headers())
        except BufferError:
            _send(produce, producer, out, dumps(value), m)


JOBS: dict[str, Any] = {"adlog": None, "json": job_json, "envelope": job_envelope, "avro": job_avro, "smt": job_smt}


class _Schemas(dict[bytes, Any]):
    """Writer schemas by their 4-byte id, each fetched once from the registry."""

    def __init__(self, registry: str) -> None:
        super().__init__()
        self.registry = registry

    def fetch(self, sid: bytes) -> Any:
        import urllib.request

        import fastavro

        with urllib.request.urlopen(f"{self.registry}/schemas/ids/{int.from_bytes(sid)}", timeout=10) as resp:
            schema = self[sid] = fastavro.parse_schema(orjson.loads(orjson.loads(resp.read())["schema"]))
        return schema


def _avro_reader(registry: str) -> tuple[Any, _Schemas, Any]:
    """fastavro's schemaless reader, the writer schemas by id and the stream the reader needs."""
    import io

    import fastavro

    return fastavro.schemaless_reader, _Schemas(registry), io.BytesIO


if __name__ == "__main__":
    main()
