"""The raw-client ceiling of workload 2: read a file line by line and produce each line to a topic.

    python -m benchmarks.peers.raw_producer BOOTSTRAP FILE TOPIC

confluent-kafka with the settings a Connect source task's producer has (acks=all, idempotent), lines
batched 2000 at a time like FileStreamSource's default ``batch.size``. Exits after the final flush.
"""

from __future__ import annotations

import argparse

from confluent_kafka import Producer

BATCH = 2000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bootstrap")
    ap.add_argument("file")
    ap.add_argument("topic")
    args = ap.parse_args()
    p = Producer({"bootstrap.servers": args.bootstrap, "acks": "all", "enable.idempotence": True, "linger.ms": 5})
    produce, topic = p.produce, args.topic
    with open(args.file, "rb") as f:
        n = 0
        for line in f:
            while True:
                try:
                    produce(topic, line.rstrip(b"\n"))
                    break
                except BufferError:
                    p.poll(0.01)
            n += 1
            if n % BATCH == 0:
                p.poll(0)
    if p.flush(60) != 0:
        raise SystemExit("not every record was acknowledged")


if __name__ == "__main__":
    main()
