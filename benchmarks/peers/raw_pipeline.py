"""The raw-client ceiling of workload 1: confluent-kafka consume -> orjson parse -> filter -> 10 % key-hash
sample (the connector's hash function) -> inject a timestamp -> orjson dump -> produce, in one tight loop, batches of 500 as the genesis
sink task polls them, the producer configured as the KafkaSinkConnector's target producer.

    python -m benchmarks.peers.raw_pipeline BOOTSTRAP INPUT OUTPUT [--partition P]

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

from benchmarks.common import INJECT_FIELD, in_sample, keep_record

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
    while not stop:
        # wait only for the first message, then drain what is fetched: consume(BATCH, 0.2) alone would
        # hold every short batch (a partition's tail) for the full 0.2 s
        first = consumer.poll(0.2)
        if first is None:
            continue
        msgs = [first, *consumer.consume(BATCH - 1, 0)]
        now = int(time.time() * 1000)
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


if __name__ == "__main__":
    main()
