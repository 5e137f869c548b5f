"""quixstreams doing workload 1: JSON in, filter, 10 % key-hash sample, inject a timestamp, JSON out.

    python -m benchmarks.peers.quix_pipeline BOOTSTRAP INPUT OUTPUT GROUP

Written the way the quixstreams docs show a StreamingDataFrame pipeline (no state, so no changelog
topics). Several processes with the same GROUP share the partitions. Runs until SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import time
from typing import Any

from quixstreams import Application

from benchmarks.common import INJECT_FIELD, in_sample, keep_record


def sampled(value: Any, key: bytes | None, timestamp: int, headers: Any) -> bool:
    return key is None or in_sample(key)


def inject(value: dict[str, Any]) -> None:
    value[INJECT_FIELD] = int(time.time() * 1000)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bootstrap")
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("group")
    args = ap.parse_args()
    app = Application(
        broker_address=args.bootstrap,
        consumer_group=args.group,
        auto_offset_reset="earliest",
        use_changelog_topics=False,
        auto_create_topics=False,
        loglevel=logging.WARNING,
        producer_extra_config={"linger.ms": 5, "compression.type": "none"},
    )
    source = app.topic(args.input, key_deserializer="bytes", value_deserializer="json")
    sink = app.topic(args.output, key_serializer="bytes", value_serializer="json")
    sdf = app.dataframe(source)
    sdf = sdf.filter(keep_record)
    sdf = sdf.filter(sampled, metadata=True)
    sdf = sdf.update(inject)
    sdf.to_topic(sink)
    app.run()


if __name__ == "__main__":
    main()
